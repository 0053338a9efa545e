import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync, execSync, spawnSync } from "child_process";
import { exampleConfig, REPO_ROOT, synthDeployment } from "./helpers/synth";
import { appCommand } from "./helpers/app-command";
import { SYSTEM_TMPDIR } from "./helpers/temp";

// What a user runs in a checkout, as real processes: the README's quick start
// (the cdktf CLI) and the cdktf.json app command, each in a fresh copy of the
// repository. The two synths (one per checkout, at different depths) are the
// two sides of the determinism check below; the quick-start tests read the
// first. Before its synth, the second checkout runs the app command with a bad
// configuration file, which must write nothing: its own synth is the control.

/** The commands of the README's quick-start block, comments stripped. */
function quickStartCommands(): string[] {
  const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const section = readme.split(/^## /m).find((s) => s.startsWith("Quick start"));
  expect(section).toBeDefined();
  const block = /```sh\n([\s\S]*?)```/.exec(section!);
  expect(block).not.toBeNull();
  return block![1]
    .split("\n")
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter(Boolean);
}

/**
 * Copies what synth needs into `dir`, sharing node_modules through a symlink.
 * Without the prebuilt function zips, as on a fresh clone: the app builds them.
 */
function checkout(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const fresh = (src: string) => !/[\\/]functions[\\/][^\\/]+[\\/]dist([\\/]|$)/.test(src);
  for (const entry of ["main.ts", "cdktf.json", "package.json", "tsconfig.json", "scripts", "lib", "config", "functions"]) {
    const from = path.join(REPO_ROOT, entry);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(dir, entry), { recursive: true, filter: fresh });
  }
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
}

function readTree(dir: string, base = dir): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(out, readTree(full, base));
    else out[path.relative(base, full)] = fs.readFileSync(full);
  }
  return out;
}

/** The environment of a user's shell: no output directory or configuration set. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1", CI: "1" };
  delete env.SIGSTORE_CONFIG;
  delete env.CDKTF_OUTDIR;
  return env;
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), "quickstart-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

let readmeCheckout: string | undefined;
/** A fresh checkout in which the synth half of the README's quick start ran (once per file). */
function synthesizedWithReadme(): string {
  if (readmeCheckout) return readmeCheckout;
  // The install half ran already (this test runs from an installed tree);
  // run the synth half in a clean copy so no earlier cdktf.out can help it.
  const synth = quickStartCommands()[0].split("&&")[1].trim();
  const dir = path.join(root, "a");
  checkout(dir);
  execSync(synth, { cwd: dir, env: userEnv(), stdio: "pipe" });
  readmeCheckout = dir;
  return dir;
}

describe("README quick start", () => {
  it("is two commands: install and synthesize, then test", () => {
    const commands = quickStartCommands();
    expect(commands).toEqual(["npm ci && npx cdktf synth", "npm test"]);
    const ci = fs.readFileSync(path.join(REPO_ROOT, ".ci/run"), "utf8");
    expect(ci).toMatch(/\bnpm ci\b/);
    expect(ci).toMatch(/^npm test /m);
  });

  it("synthesizes every stack of the example with the real cdktf CLI", () => {
    const dir = synthesizedWithReadme();
    const stacks = fs.readdirSync(path.join(dir, "cdktf.out", "stacks")).sort();
    expect(stacks).toEqual(["global", "regional-asia-northeast1", "regional-europe-west1", "regional-us-east1"]);
    expect(fs.existsSync(path.join(dir, "functions/jwks-merger/dist/package.zip"))).toBe(true);
    // What the CLI wrote is, byte for byte, what the library synthesizes for the example.
    const library = synthDeployment(exampleConfig()).files;
    for (const stack of stacks) {
      const text = fs.readFileSync(path.join(dir, "cdktf.out", "stacks", stack, "cdk.tf.json"), "utf8");
      expect([stack, text === library[path.join("stacks", stack, "cdk.tf.json")]]).toEqual([stack, true]);
      const json = JSON.parse(text);
      expect(json.terraform.required_version).toBe(">= 1.7");
      expect(Object.keys(json.provider)).toContain("google");
    }
    // Each regional stack carries its region's cluster and signers; the global stack the front ends.
    const regional = (region: string) => JSON.parse(fs.readFileSync(path.join(dir, "cdktf.out", "stacks", `regional-${region}`, "cdk.tf.json"), "utf8"));
    for (const region of ["us-east1", "europe-west1", "asia-northeast1"]) {
      const json = regional(region);
      expect(Object.values(json.resource.google_container_cluster).map((c: any) => c.location)).toEqual([region]);
      expect(Object.keys(json.resource)).toEqual(expect.arrayContaining(["google_kms_crypto_key", "google_compute_network"]));
      // Trillian's database only where a Trillian log runs: Rekor v1 and the shared CT log, both in the primary region.
      expect([region, "google_sql_database_instance" in json.resource]).toEqual([region, region === "us-east1"]);
    }
    const global = JSON.parse(fs.readFileSync(path.join(dir, "cdktf.out", "stacks", "global", "cdk.tf.json"), "utf8"));
    expect(Object.keys(global.resource)).toEqual(expect.arrayContaining(["google_compute_global_forwarding_rule", "google_compute_url_map", "google_compute_security_policy"]));
  });
});

/** What the app command did with a bad configuration file: its exit status, its stderr, and whether cdktf.out existed after it. */
interface BadRun {
  readonly status: number | null;
  readonly stderr: string;
  readonly wroteOutput: boolean;
}

let appCheckout: { dir: string; badRun: BadRun } | undefined;
/**
 * A second, deeper checkout where the command `cdktf synth` runs (cdktf.json
 * "app") ran twice, with the default output directory: first with a bad
 * configuration file (SIGSTORE_CONFIG), then with none (the example). Once per file.
 */
function synthesizedWithApp(): { dir: string; badRun: BadRun } {
  if (appCheckout) return appCheckout;
  const dir = path.join(root, "some", "much", "deeper", "checkout-b");
  checkout(dir);
  const bad = path.join(dir, "config", "bad.yaml");
  fs.writeFileSync(bad, fs.readFileSync(path.join(dir, "config", "example.yaml"), "utf8").replace("domain: sigstore.example.com.", "domain: sigstore.example.com"));
  const app = appCommand();
  const run = spawnSync(app.file, app.args, { cwd: dir, env: { ...userEnv(), SIGSTORE_CONFIG: bad }, encoding: "utf8" });
  const badRun = { status: run.status, stderr: run.stderr, wroteOutput: fs.existsSync(path.join(dir, "cdktf.out")) };
  execFileSync(app.file, app.args, { cwd: dir, env: userEnv() });
  appCheckout = { dir, badRun };
  return appCheckout;
}

describe("synth with a bad configuration", () => {
  it("exits non-zero with the message and writes nothing", () => {
    const { dir, badRun } = synthesizedWithApp();
    expect(badRun.status).toBe(1);
    expect(badRun.stderr).toContain('dns.domain: "sigstore.example.com" must end with a trailing dot');
    // No cdktf.out after the bad run...
    expect(badRun.wroteOutput).toBe(false);
    // ...while the same command in the same checkout without that file wrote every stack: the check above is meaningful.
    expect(fs.readdirSync(path.join(dir, "cdktf.out", "stacks")).sort()).toEqual(["global", "regional-asia-northeast1", "regional-europe-west1", "regional-us-east1"]);
  });
});

describe("synthesized output", () => {
  it("is byte-identical when the example is synthesized from two different checkouts", () => {
    // One checkout ran the README's `npx cdktf synth`; the other, deeper, runs
    // the command `cdktf synth` runs (cdktf.json "app"), with the default
    // output directory, in the checkout. Both build the function zips afresh.
    const a = synthesizedWithReadme();
    const b = synthesizedWithApp().dir;
    const treeA = readTree(path.join(a, "cdktf.out"));
    const treeB = readTree(path.join(b, "cdktf.out"));
    expect(Object.keys(treeA).sort()).toEqual(Object.keys(treeB).sort());
    expect(Object.keys(treeA)).toContain(path.join("stacks", "global", "cdk.tf.json"));
    for (const file of Object.keys(treeA)) {
      expect([file, treeA[file].equals(treeB[file])]).toEqual([file, true]);
      for (const machinePath of [`${root}/`, `${REPO_ROOT}/`, `${os.homedir()}/`, `${os.tmpdir()}/`, `${SYSTEM_TMPDIR}/`]) {
        expect([file, treeA[file].includes(machinePath)]).toEqual([file, false]);
      }
    }
  });
});
