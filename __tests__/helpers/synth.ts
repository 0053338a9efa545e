import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vm from "vm";
import { loadConfigFile, parseConfig } from "../../lib/config/load";
import type { SigstoreConfig, SigstoreConfigInput } from "../../lib/config/schema";

export const REPO_ROOT = path.resolve(__dirname, "../..");
export const EXAMPLE_CONFIG = path.join(REPO_ROOT, "config/example.yaml");
/** The example half-way through the DNS hand-off (records in the global phase, a weighted one). */
export const MID_MIGRATION_CONFIG = path.join(REPO_ROOT, "config/examples/mid-migration.yaml");

/** Synthesized Terraform JSON of one stack. */
export type StackJson = {
  resource?: Record<string, Record<string, any>>;
  data?: Record<string, Record<string, any>>;
  output?: Record<string, any>;
  import?: { id: string; to: string }[];
  removed?: { from: string; lifecycle: { destroy: boolean } }[];
  terraform?: any;
  provider?: any;
  [key: string]: unknown;
};

export interface Synthesized {
  /** Parsed cdk.tf.json per stack id. */
  readonly stacks: Record<string, StackJson>;
  /** Raw file contents below the output directory, by relative path. */
  readonly files: Record<string, string>;
}

/** A small valid configuration: two regions, defaults elsewhere. */
export function baseConfig(): SigstoreConfigInput {
  return {
    project: { id: "sigstore-test", number: "123456789012" },
    dns: { zoneName: "test-zone", domain: "sigstore.test.example." },
    regions: [
      { region: "us-east1", clusterName: "east", zones: ["us-east1-b", "us-east1-c"] },
      { region: "europe-west1", clusterName: "west", zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"] },
    ],
  };
}

export function exampleConfig(): SigstoreConfig {
  return loadConfigFile(EXAMPLE_CONFIG);
}

export function midMigrationConfig(): SigstoreConfig {
  return loadConfigFile(MID_MIGRATION_CONFIG);
}

/**
 * Synthesizes a whole deployment (with the app's opt-in fast synthesis, as
 * main.ts does) and reads it back. Each distinct parsed configuration is
 * synthesized once per test run: the files are kept in memory for this test
 * file and on disk (in the directory jest's global setup made) for the other
 * workers. Every call returns freshly parsed stacks, so a test may change them.
 */
export function synthDeployment(config: SigstoreConfig | SigstoreConfigInput): Synthesized {
  const parsed = parseConfig(config);
  const key = createHash("sha256").update(JSON.stringify(parsed)).digest("hex");
  let files = MEMO.get(key);
  const cacheDir = process.env[SYNTH_CACHE_ENV];
  const cacheFile = cacheDir ? path.join(cacheDir, `${key}.json`) : undefined;
  if (!files && cacheFile && fs.existsSync(cacheFile)) files = JSON.parse(fs.readFileSync(cacheFile, "utf8")) as Record<string, string>;
  if (!files) {
    files = synthFiles(config, key, { fast: true });
    if (cacheFile) {
      // Written whole, then renamed: another worker never reads half a file.
      const partial = `${cacheFile}.${process.pid}.partial`;
      fs.writeFileSync(partial, JSON.stringify(files));
      fs.renameSync(partial, cacheFile);
    }
  }
  MEMO.set(key, files);
  return fromFiles(files);
}

/** Environment variable naming the per-run synth cache directory (see global-setup.js). */
export const SYNTH_CACHE_ENV = "SIGSTORE_TEST_SYNTH_CACHE";
const MEMO = new Map<string, Record<string, string>>();

/**
 * A fresh synthesis, never cached: for tests of synthesis itself
 * (determinism, stock against fast). `fast: false` is stock cdktf.
 */
export function synthFresh(config: SigstoreConfig | SigstoreConfigInput, options: { fast: boolean }): Synthesized {
  const parsed = parseConfig(config);
  return fromFiles(synthFiles(config, createHash("sha256").update(JSON.stringify(parsed)).digest("hex"), options));
}

/**
 * Synthesizes in the worker's own realm (helpers/synth-outside.js: node's
 * require, modules loaded once per worker, no sandbox globals). The
 * configuration crosses as JSON and is parsed there; the parsed forms must
 * match (`key`, from the sandbox's parse).
 */
function synthFiles(config: SigstoreConfig | SigstoreConfigInput, key: string, options: { fast: boolean }): Record<string, string> {
  const realm = outside();
  // Without node's require (a runner with no main module), in this sandbox.
  if (!realm) return readSynth(config, options);
  const result = realm.synthFiles(JSON.stringify(config), options.fast);
  if (result.key !== key) throw new Error("the configuration parsed outside the test sandbox differs from the one parsed inside it");
  return result.files;
}

type Outside = { synthFiles(configJson: string, fast: boolean): { key: string; files: Record<string, string> } };
let outsideModule: Outside | null | undefined;
function outside(): Outside | null {
  if (outsideModule === undefined) {
    // node's own require, from the worker's realm (jest's require would load the modules into this test file's sandbox).
    const nodeRequire = vm.runInThisContext("typeof process === 'object' && process.mainModule ? process.mainModule.require : undefined") as NodeRequire | undefined;
    outsideModule = typeof nodeRequire === "function" ? (nodeRequire(path.join(__dirname, "synth-outside.js")) as Outside) : null;
  }
  return outsideModule;
}

/**
 * A fresh synthesis inside this test file's sandbox, with the file's own
 * instances of the library's modules: for a test that changes a module (adds
 * a registry entry) before synthesizing. Never cached. Other tests use
 * synthDeployment, which synthesizes outside the sandbox.
 */
export function synthInSandbox(config: SigstoreConfig | SigstoreConfigInput): Synthesized {
  return fromFiles(readSynth(config, { fast: true }));
}

/** Synthesizes with this sandbox's modules and returns the files written. */
function readSynth(config: SigstoreConfig | SigstoreConfigInput, options: { fast: boolean }): Record<string, string> {
  // Loaded on first use, so test files that never call this do not load cdktf into their sandbox.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { App } = require("cdktf") as typeof import("cdktf");
  const { addSigstoreDeployment } = require("../../lib/app") as typeof import("../../lib/app");
  const { enableFastSynthesis } = require("../../lib/shared/fast-synthesis") as typeof import("../../lib/shared/fast-synthesis");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "sigstore-synth-"));
  try {
    const app = new App({ outdir });
    if (options.fast) enableFastSynthesis(app);
    addSigstoreDeployment(app, parseConfig(config));
    app.synth();
    return readTree(outdir);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function readTree(dir: string, base = dir, out: Record<string, string> = {}): Record<string, string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) readTree(full, base, out);
    else out[path.relative(base, full)] = fs.readFileSync(full, "utf8");
  }
  return out;
}

function fromFiles(files: Record<string, string>): Synthesized {
  const stacks: Record<string, StackJson> = {};
  for (const [file, text] of Object.entries(files)) {
    const m = /^stacks\/([^/]+)\/cdk\.tf\.json$/.exec(file.split(path.sep).join("/"));
    if (m) stacks[m[1]] = JSON.parse(text);
  }
  return { stacks, files: { ...files } };
}

/** All resources of a type in a stack, keyed by logical id. */
export function resources(stack: StackJson, type: string): Record<string, any> {
  return stack.resource?.[type] ?? {};
}

/** Every resource of every type: [type, logical id, body]. */
export function allResources(stack: StackJson): [string, string, any][] {
  return Object.entries(stack.resource ?? {}).flatMap(([type, byId]) =>
    Object.entries(byId).map(([id, body]) => [type, id, body] as [string, string, any]),
  );
}

/** Deep copy with changes applied to a config input. */
export function withConfig(change: (c: any) => void, base: SigstoreConfigInput = baseConfig()): SigstoreConfigInput {
  const copy = structuredClone(base);
  change(copy);
  return copy;
}

/** A CT log public key (P-256, its private half discarded) for configurations that install the CT log, whose release waits for `ctlog.publicKeys.<region>`. */
export const FULL_CONFIG_CTLOG_PUBLIC_KEY =
  "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEp/fF0eYZrTjK+JP8jX2/8hWQ5t56\n4P+KCb/Yi+SO2geEXKZmaGMZWyle9fTuizqxMRd49qPmNhUtltA0QIjNjg==\n-----END PUBLIC KEY-----\n";

/** The example with every optional part switched on, so tests see every kind of resource. */
export function fullConfig(fulcioCa: "kms" | "privateca" = "kms"): SigstoreConfig {
  const c = structuredClone(exampleConfig()) as any;
  c.features = { rekor: true, ctlog: true, tuf: true, rekorTiles: true, ctlogTiles: true };
  c.tiles.ctlog.region = "europe-west1";
  c.ctlog = { ...c.ctlog, publicKeys: { "us-east1": FULL_CONFIG_CTLOG_PUBLIC_KEY } };
  c.regional.bastion = { enabled: true, machineType: "e2-small", accessMembers: ["group:sre@example.com"] };
  c.regional.database = { ...c.regional.database, readReplica: true, ctlogShards: ["2026"], breakglassGroup: "group:db-oncall@example.com" };
  c.regional.fulcio = { ca: fulcioCa };
  c.project.roleBindings = [{ role: "roles/viewer", members: ["group:auditors@example.com"] }];
  c.monitoring = { ...c.monitoring, notificationChannels: ["projects/sigstore-example/notificationChannels/42"] };
  return parseConfig(c);
}
