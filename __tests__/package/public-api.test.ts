import * as fs from "fs";
import * as path from "path";
import { Construct } from "constructs";
import * as api from "../../lib/index";
import { bodiesOf, synthConstruct } from "../helpers/construct";
import { baseConfig, REPO_ROOT } from "../helpers/synth";

/** Every `export class` in lib/, read from the sources (not from the index under test). */
function exportedClassesInSources(): Map<string, string> {
  const classes = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts") && entry.name !== "index.ts") {
        for (const m of fs.readFileSync(full, "utf8").matchAll(/^export (?:abstract )?class (\w+)/gm)) classes.set(m[1], path.relative(REPO_ROOT, full));
      }
    }
  };
  walk(path.join(REPO_ROOT, "lib"));
  return classes;
}

const exported = api as unknown as Record<string, unknown>;

describe("the package's entry point", () => {
  const classes = exportedClassesInSources();

  it("exports every construct and stack class of the library", () => {
    const constructs = [...classes].filter(([name]) => {
      const value = exported[name];
      return typeof value === "function" && (value as { prototype: unknown }).prototype instanceof Construct;
    });
    // Every exported class found in the sources must be reachable from the index.
    const missing = [...classes.keys()].filter((name) => !(name in exported));
    expect(missing).toEqual([]);
    expect(constructs.length).toBeGreaterThanOrEqual(30);
    for (const name of ["Fulcio", "Rekor", "TufRepository", "GkeCluster", "DexJwksAggregation", "GlobalFrontend", "RegionalStack", "GlobalStack"]) {
      expect([name, typeof exported[name]]).toEqual([name, "function"]);
    }
  });

  it("exports the configuration schema, its loader and validator", () => {
    expect(typeof api.sigstoreConfigSchema.safeParse).toBe("function");
    expect(typeof api.parseConfig).toBe("function");
    expect(typeof api.validateConfig).toBe("function");
    expect(typeof api.loadConfigFile).toBe("function");
    expect(typeof api.ConfigError).toBe("function");
  });

  it("exports nothing internal to synthesis or to the functions' build", () => {
    for (const name of ["disableTokenStackTraces", "fastResolve", "addNegBackendService", "addHttpsEntry", "addSigningKeySecret", "bundleFunction", "packageFunction", "prebuiltFunction", "alertPolicy", "waitFor"]) {
      expect([name, name in exported]).toEqual([name, false]);
    }
  });

  it("has a stability note for every exported construct", () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, "docs/stability.md"), "utf8");
    const listed = new Set([...doc.matchAll(/^\| `(\w+)` \| (stable|experimental|internal-facing) \|/gm)].map((m) => m[1]));
    const constructs = Object.entries(exported)
      .filter(([, v]) => typeof v === "function" && (v as { prototype: unknown }).prototype instanceof Construct)
      .map(([name]) => name);
    expect(constructs.filter((name) => !listed.has(name))).toEqual([]);
  });
});

describe("parseConfig", () => {
  it("takes the typed input: a misspelt key is a compile error and a synth-time error", () => {
    const input = { ...baseConfig(), namePrefx: "sig" };
    // @ts-expect-error namePrefx is not a configuration key (typecheck fails if this ever compiles)
    expect(() => api.parseConfig({ ...baseConfig(), namePrefx: "sig" })).toThrow(api.ConfigError);
    expect(() => api.validateConfig(input)).toThrow(/namePrefx/);
  });
});

describe("grants", () => {
  // Every service's account is called "server"; granting one bucket and one key to two of them used to throw
  // "There is already a Construct with name 'object-viewer-server'".
  let bucket!: api.SecureBucket;
  const json = synthConstruct((scope) => {
    const account = (parent: string) =>
      new api.WorkloadIdentityServiceAccount(new Construct(scope, parent), "server", { project: "p", accountId: `${parent}-server`, displayName: parent });
    const fulcio = account("fulcio");
    const tsa = account("tsa");
    bucket = new api.SecureBucket(scope, "bucket", { project: "p", name: "b", location: "US" });
    bucket.grantObjectViewer(fulcio);
    bucket.grantObjectViewer(tsa);
    const key = new api.KeyRing(scope, "ring", { project: "p", name: "r", location: "us-east1" }).addKey("key", {
      name: "k",
      purpose: "ASYMMETRIC_SIGN",
      algorithm: "EC_SIGN_P384_SHA384",
      protectionLevel: "SOFTWARE",
    });
    key.grantViewer(fulcio);
    key.grantViewer(tsa);
  });

  it("of one bucket to two accounts with the same construct id are two members", () => {
    const members = bodiesOf(json, "google_storage_bucket_iam_member").map((m) => m.member);
    expect(members).toHaveLength(2);
    expect(members.map((m: string) => /google_service_account\.([a-z]+)_server_account_\w+\./.exec(m)?.[1]).sort()).toEqual(["fulcio", "tsa"]);
  });

  it("of one key to two accounts with the same construct id are two members", () => {
    expect(new Set(bodiesOf(json, "google_kms_crypto_key_iam_member").map((m) => m.member)).size).toBe(2);
  });

  it("ids are the accounts' construct paths below the stack", () => {
    const ids = bucket.node.children.map((c) => c.node.id).filter((id) => id.startsWith("object-viewer-"));
    expect(ids.sort()).toEqual(["object-viewer-fulcio-server", "object-viewer-tsa-server"]);
  });
});
