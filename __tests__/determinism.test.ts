import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { parseConfig } from "../lib/config/load";
import { exampleConfig, midMigrationConfig, REPO_ROOT, StackJson, synthDeployment, synthFresh } from "./helpers/synth";
import { appCommand } from "./helpers/app-command";

/** Copies what synth needs into `dir`, sharing node_modules through a symlink. */
function checkout(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const entry of ["main.ts", "cdktf.json", "package.json", "tsconfig.json", "lib", "config", "functions"]) {
    const from = path.join(REPO_ROOT, entry);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(dir, entry), { recursive: true, filter: (src) => !src.includes(`${path.sep}dist`) });
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

describe("synthesized output", () => {
  it("is byte-identical when the example is synthesized from two different checkouts", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "determinism-"));
    const a = path.join(root, "a");
    const b = path.join(root, "some", "much", "deeper", "checkout-b");
    try {
      // Synthesize exactly as `cdktf synth` does: default output directory, in the checkout.
      const app = appCommand();
      const env = { ...process.env };
      delete env.CDKTF_OUTDIR;
      delete env.SIGSTORE_CONFIG;
      for (const dir of [a, b]) {
        checkout(dir);
        execFileSync(app.file, app.args, { cwd: dir, env });
      }
      const treeA = readTree(path.join(a, "cdktf.out"));
      const treeB = readTree(path.join(b, "cdktf.out"));
      expect(Object.keys(treeA).sort()).toEqual(Object.keys(treeB).sort());
      expect(Object.keys(treeA)).toContain(path.join("stacks", "global", "cdk.tf.json"));
      for (const file of Object.keys(treeA)) {
        expect([file, treeA[file].equals(treeB[file])]).toEqual([file, true]);
        for (const machinePath of [`${root}/`, `${REPO_ROOT}/`, `${os.homedir()}/`, `${os.tmpdir()}/`]) {
          expect([file, treeA[file].includes(machinePath)]).toEqual([file, false]);
        }
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("contains no absolute path and no timestamp but those the configuration states", () => {
    const { files } = synthDeployment(exampleConfig());
    // Validity starts of the trust root are configuration; a synth time would not be.
    const stampsOf = (text: string) => [...text.matchAll(/\d{4}-\d\d-\d\dT\d\d:\d\d[^"]*/g)].map((m) => m[0]);
    const configured = new Set(stampsOf(fs.readFileSync(path.join(REPO_ROOT, "config/example.yaml"), "utf8")).map((t) => Date.parse(t)));
    expect(configured.size).toBeGreaterThan(0);
    for (const [file, text] of Object.entries(files)) {
      expect([file, /"\/(work|home|tmp|root|Users)\//.test(text)]).toEqual([file, false]);
      expect([file, stampsOf(text).filter((stamp) => !configured.has(Date.parse(stamp)))]).toEqual([file, []]);
    }
  });

  it("is the same when synthesized twice in one process", () => {
    const config = exampleConfig();
    expect(synthFresh(config, { fast: true }).files).toEqual(synthDeployment(config).files);
  });
});

/** "type.id" of every resource, data source and output of a stack. */
function addresses(stack: StackJson): string[] {
  const out: string[] = [];
  for (const [type, byId] of Object.entries(stack.resource ?? {})) for (const id of Object.keys(byId)) out.push(`${type}.${id}`);
  for (const [type, byId] of Object.entries(stack.data ?? {})) for (const id of Object.keys(byId)) out.push(`data.${type}.${id}`);
  return out.sort();
}

describe("logical IDs", () => {
  // Mid-migration: a weighted record whose weight the tests change.
  const base = midMigrationConfig();
  const baseStacks = synthDeployment(base).stacks;

  it("are readable snake_case without hash suffixes", () => {
    for (const stack of Object.values(baseStacks)) {
      for (const address of addresses(stack)) {
        const id = address.split(".").pop()!;
        expect(id).toMatch(/^[a-z][a-z0-9_]*$/);
        expect(id).not.toMatch(/_[0-9A-F]{8}$/);
      }
    }
  });

  it("do not change in existing stacks when a region is added", () => {
    const more = structuredClone(base);
    more.regions.push({ region: "us-west1", clusterName: "sigstore-us-west1", zones: ["us-west1-a", "us-west1-b"] });
    const stacks = synthDeployment(parseConfig(more)).stacks;
    for (const region of base.regions) {
      expect(addresses(stacks[`regional-${region.region}`])).toEqual(addresses(baseStacks[`regional-${region.region}`]));
    }
    const globalAdded = addresses(stacks.global).filter((a) => !addresses(baseStacks.global).includes(a));
    // The new region's remote state and the grant that lets its Dex key publisher write its own object.
    expect(globalAdded).toEqual([
      "data.terraform_remote_state.cross_stack_reference_input_regional_us_west1",
      "google_storage_bucket_iam_member.dex_jwks_publisher_us_west1_writes_keys_us_west1_json",
    ]);
    expect(addresses(baseStacks.global).filter((a) => !addresses(stacks.global).includes(a))).toEqual([]);
  });

  it("do not change when rules, capacities, weights or logging change", () => {
    const changed = structuredClone(base);
    changed.services.fulcio.cloudArmor.rules = [];
    changed.services.fulcio.maxRatePerEndpoint = 5;
    changed.services.tsa.dns.globalWeight = 0.9;
    changed.logging.loadBalancer = false;
    const stacks = synthDeployment(parseConfig(changed)).stacks;
    for (const id of Object.keys(baseStacks)) expect(addresses(stacks[id])).toEqual(addresses(baseStacks[id]));
  });

  it("of one service do not depend on whether another service is exposed", () => {
    const withoutDex = structuredClone(base);
    withoutDex.services.dex.exposeGlobally = false;
    const global = addresses(synthDeployment(parseConfig(withoutDex)).stacks.global);
    const removed = addresses(baseStacks.global).filter((a) => !global.includes(a));
    expect(removed.length).toBeGreaterThan(10);
    expect(removed.filter((a) => !/\.(uptime_)?dex_/.test(a))).toEqual([]);
    expect(global.filter((a) => !addresses(baseStacks.global).includes(a))).toEqual([]);
  });

  // The list is a review aid: a changed address means Terraform destroys the
  // old resource and creates a new one. Rename on purpose only, with a moved
  // block (resource.moveFromId) so state follows the rename.
  it("match the reviewed list of resource addresses of the example", () => {
    const all = Object.fromEntries(Object.entries(baseStacks).map(([id, s]) => [id, addresses(s)]));
    expect(all).toMatchSnapshot();
  });
});
