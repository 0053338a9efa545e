import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { baseConfig, StackJson, synthDeployment, withConfig } from "../helpers/synth";
import { describeWithTerraform } from "../helpers/terraform";

// Replays the DNS hand-off through a real Terraform binary. The Google provider
// cannot be downloaded here, so each stack's synthesized A-record resources are
// re-typed as the built-in `terraform_data` (same address, same attributes) and
// its `removed` and `import` blocks are kept as synthesized. Terraform then
// shows what each deploy would do to the record: it must never delete or
// create it once it exists, in either deploy order.


const ENV = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" };
const RECORD = "fulcio_a_record";

/** The A-record part of a synthesized stack, with the record as terraform_data. */
function recordWorld(stack: StackJson): object {
  const retype = (address: string) => address.replace(/^google_dns_record_set\./, "terraform_data.");
  const records = Object.entries(stack.resource?.google_dns_record_set ?? {}).filter(([id]) => id.endsWith("_a_record"));
  const world: any = { terraform: { required_version: stack.terraform.required_version } };
  if (records.length > 0) {
    world.resource = {
      terraform_data: Object.fromEntries(
        records.map(([id, r]) => {
          const { ["//"]: _metadata, ...attributes } = r;
          // References to other resources become fixed strings; only the record matters here.
          const input = JSON.parse(JSON.stringify(attributes).replace(/\$\{[^}]*\}/g, "ref"));
          return [id, { input }];
        }),
      ),
    };
  }
  const removed = (stack.removed ?? []).filter((b) => b.from.endsWith("_a_record"));
  if (removed.length > 0) world.removed = removed.map((b) => ({ ...b, from: retype(b.from) }));
  const imports = (stack.import ?? []).filter((b) => b.to.endsWith("_a_record"));
  if (imports.length > 0) world.import = imports.map((b) => ({ ...b, to: retype(b.to) }));
  return world;
}

interface Change {
  readonly actions: string[];
  readonly importing: boolean;
}

class Workspace {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private tf(...args: string[]): string {
    return execFileSync("terraform", [`-chdir=${this.dir}`, ...args], { env: ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  }

  /** Writes the configuration, plans, applies; returns the planned change of the record. */
  deploy(stack: StackJson): Change | undefined {
    fs.writeFileSync(path.join(this.dir, "main.tf.json"), JSON.stringify(recordWorld(stack), null, 2));
    // No `init`: with only the built-in provider and no backend block there is nothing to initialise.
    this.tf("plan", "-no-color", "-out=tfplan");
    const plan = JSON.parse(this.tf("show", "-json", "tfplan"));
    this.tf("apply", "-no-color", "tfplan");
    const change = (plan.resource_changes ?? []).find((c: any) => c.address === `terraform_data.${RECORD}`);
    return change && { actions: change.change.actions, importing: change.change.importing !== undefined };
  }

  /** Whether the record is in this stack's state (the local state file Terraform just wrote). */
  managesRecord(): boolean {
    const state = JSON.parse(fs.readFileSync(path.join(this.dir, "terraform.tfstate"), "utf8"));
    expect(state.version).toBe(4);
    return state.resources.some((r: any) => r.mode === "managed" && r.type === "terraform_data" && r.name === RECORD);
  }
}

function phase(dns: object): Record<string, StackJson> {
  return synthDeployment(withConfig((c) => (c.services = { fulcio: { dns } }), baseConfig())).stacks;
}

describeWithTerraform("DNS hand-off under real Terraform", () => {
  const regionalPhase = phase({ owner: "regional" });
  const globalPhase = phase({ owner: "global" });
  const weightedPhase = phase({ owner: "global", globalWeight: 0.3 });
  const backPhase = phase({ owner: "regional", adoptExisting: true });
  let root: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "tf-handoff-"));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function start(): { regional: Workspace; global: Workspace } {
    const regional = new Workspace(path.join(root, "regional-us-east1"));
    const global = new Workspace(path.join(root, "global"));
    expect(regional.deploy(regionalPhase["regional-us-east1"])).toEqual({ actions: ["create"], importing: false });
    // The global stack's removed block is a no-op while it never owned the record.
    expect(global.deploy(regionalPhase.global)).toBeUndefined();
    expect([regional.managesRecord(), global.managesRecord()]).toEqual([true, false]);
    return { regional, global };
  }

  it("regional first, then global: forgotten, then adopted; never deleted or created", () => {
    const { regional, global } = start();
    expect(regional.deploy(globalPhase["regional-us-east1"])).toEqual({ actions: ["forget"], importing: false });
    expect(global.deploy(globalPhase.global)).toEqual({ actions: ["update"], importing: true });
    expect([regional.managesRecord(), global.managesRecord()]).toEqual([false, true]);
    // Re-deploying either stack is a no-op: the import block is satisfied, the removed block has nothing to forget.
    expect(global.deploy(globalPhase.global)).toEqual({ actions: ["no-op"], importing: false });
    expect(regional.deploy(globalPhase["regional-us-east1"])).toBeUndefined();
  });

  it("global first, then regional: adopted while still in the regional state, then forgotten there", () => {
    const { regional, global } = start();
    expect(global.deploy(globalPhase.global)).toEqual({ actions: ["update"], importing: true });
    expect(regional.deploy(globalPhase["regional-us-east1"])).toEqual({ actions: ["forget"], importing: false });
    expect([regional.managesRecord(), global.managesRecord()]).toEqual([false, true]);
  });

  it("a weighted hand-off and its completion are in-place updates of the same record", () => {
    const { regional, global } = start();
    expect(regional.deploy(weightedPhase["regional-us-east1"])).toEqual({ actions: ["forget"], importing: false });
    expect(global.deploy(weightedPhase.global)).toEqual({ actions: ["update"], importing: true });
    expect(global.deploy(globalPhase.global)).toEqual({ actions: ["update"], importing: false });
  });

  it("going back to regional is the mirror image", () => {
    const { regional, global } = start();
    regional.deploy(globalPhase["regional-us-east1"]);
    global.deploy(globalPhase.global);
    expect(global.deploy(backPhase.global)).toEqual({ actions: ["forget"], importing: false });
    expect(regional.deploy(backPhase["regional-us-east1"])).toEqual({ actions: ["update"], importing: true });
    expect([regional.managesRecord(), global.managesRecord()]).toEqual([true, false]);
  });
});
