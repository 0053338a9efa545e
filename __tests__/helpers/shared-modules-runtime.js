// jest's runtime, except that cdktf, constructs and the provider bindings are
// node's own modules, loaded once per worker and shared by its test files,
// instead of evaluated afresh in every test file's sandbox (about 0.3 CPU-s
// per file that builds constructs). They hold no state a test file could leak
// to the next but cdktf's token map (global to the process, as in an app that
// synthesizes twice), and no test mocks them. The library's own modules stay
// per file, so a test may still change one (see synthInSandbox).
//
// Values cross realms: the library, evaluated in the sandbox, hands cdktf
// objects made with the sandbox's Object. cdktf 0.21 has one check that tells
// realms apart (`constructor === Object`, in its search for dynamic blocks,
// which the library does not use); whole-deployment tests synthesize outside
// the sandbox anyway (helpers/synth-outside.js), as an app does.
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
