import * as fs from "fs";
import * as path from "path";
import { parseConfig } from "../lib/config/load";
import { exampleConfig, midMigrationConfig, REPO_ROOT, StackJson, synthDeployment, synthFresh } from "./helpers/synth";

describe("synthesized output", () => {
  // Byte-identical from two checkouts (real processes): quickstart.test.ts,
  // which compares the README's synth with the app command's in a deeper checkout.

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
