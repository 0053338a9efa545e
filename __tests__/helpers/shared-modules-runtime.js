// jest's runtime, except that cdktf, constructs, the provider bindings, zod
// and yaml are node's own modules, loaded once per worker and shared by its
// test files, instead of evaluated afresh in every test file's sandbox (with
// the library, about 0.5 CPU-s per test file before, 0.2 after). They hold no
// state a test file could leak to the next but cdktf's token map (global to
// the process, as in an app that synthesizes twice), and no test mocks them.
// The library's own modules stay per file, so a test may still change one
// (shared/services-registry.test.ts); __tests__/test-runtime.test.ts checks both.
//
// Values cross realms: the library, evaluated in the sandbox, hands cdktf and
// zod objects made with the sandbox's Object. zod's checks do not depend on
// the realm; cdktf 0.21 has one that does (`constructor === Object`, in its
// search for dynamic blocks, which the library does not use), and the
// library's fast resolve accepts object literals of any realm. Whole-deployment
// tests synthesize outside the sandbox anyway (helpers/synth-outside.js), as an app does.
const path = require("path");
const Runtime = require("jest-runtime").default;

const SHARED = /^(cdktf|constructs|@cdktf\/provider-(google|helm|kubernetes)|zod|yaml)(\/.*)?$/;

class SharedModulesRuntime extends Runtime {
  requireModuleOrMock(from, moduleName) {
    if (SHARED.test(moduleName)) return require(require.resolve(moduleName, { paths: [path.dirname(from)] }));
    return super.requireModuleOrMock(from, moduleName);
  }
}

module.exports = SharedModulesRuntime;
