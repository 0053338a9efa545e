// The test runtime (helpers/shared-modules-runtime.js) shares cdktf,
// constructs, the providers, zod and yaml between the test files of a worker
// and nothing else: the library's own modules stay per test file, so a file
// that changes one (shared/services-registry.test.ts adds a service) changes
// it for itself only.
import * as vm from "vm";
import * as cdktf from "cdktf";
import * as zod from "zod";
import { StorageBucket } from "@cdktf/provider-google/lib/storage-bucket";
import * as services from "../lib/shared/services";

/** A module as node's own require (the worker's realm) loads it, by the path jest resolves. */
const nodeRequire = (id: string) => (vm.runInThisContext("process.mainModule.require") as NodeRequire)(require.resolve(id));

describe("the jest runtime", () => {
  it("hands test files the worker's own cdktf, provider bindings and zod", () => {
    expect(cdktf.App).toBe(nodeRequire("cdktf").App);
    expect(StorageBucket).toBe(nodeRequire("@cdktf/provider-google/lib/storage-bucket").StorageBucket);
    expect(zod.ZodError).toBe(nodeRequire("zod").ZodError);
  });

  it("keeps the library's modules per test file", () => {
    let again: typeof services | undefined;
    jest.isolateModules(() => {
      again = require("../lib/shared/services");
    });
    expect(again).toBeDefined();
    expect(again).not.toBe(services);
    expect(again!.PUBLIC_SERVICE_IDS).toEqual(services.PUBLIC_SERVICE_IDS);
    expect(services.PUBLIC_SERVICE_IDS).not.toContain("echo");
  });
});
