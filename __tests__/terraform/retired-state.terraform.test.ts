import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync, spawnSync } from "child_process";
import { RETIRED_REGIONAL_TUF_ADDRESSES, RETIRED_REKOR_ADDRESSES } from "../../lib/regional/retired-state";
import { baseConfig, synthDeployment } from "../helpers/synth";

// Replays, through a real Terraform binary, a region of an older version (its
// own Rekor v1 and TUF repository in state) being deployed with this version:
// the frozen log's and the old TUF repository's objects must be forgotten,
// never destroyed. The Google provider cannot be downloaded here, so each
// retired object is the built-in `terraform_data` at the same name, and the
// stack's synthesized `removed` blocks are kept as they are (retyped alike).

const haveTerraform = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;
const describeWithTerraform = haveTerraform ? describe : describe.skip;
const ENV = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" };

const retype = (address: string) => address.replace(/^[a-z0-9_]+\./, "terraform_data.");

function terraform(dir: string, ...args: string[]): string {
  return execFileSync("terraform", args, { cwd: dir, env: ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

describeWithTerraform("a region that ran Rekor v1 and TUF, deployed with one Rekor v1 and one global TUF", () => {
  // us-east1 is primary and keeps Rekor v1; europe-west1 had its own log and repository.
  const west = synthDeployment(baseConfig()).stacks["regional-europe-west1"];
  const retired = [...RETIRED_REKOR_ADDRESSES, ...RETIRED_REGIONAL_TUF_ADDRESSES];
  let changes: { address: string; actions: string[] }[] = [];

  beforeAll(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "retired-state-"));
    try {
      // Before: the old objects in state.
      const before = { resource: { terraform_data: Object.fromEntries(retired.map((a) => [a.split(".")[1], { input: a }])) } };
      fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(before));
      terraform(dir, "init", "-input=false");
      terraform(dir, "apply", "-auto-approve", "-input=false");
      // After: exactly the removed blocks the stack synthesizes, and none of the objects.
      const after = { removed: (west.removed ?? []).map((b) => ({ ...b, from: retype(b.from) })) };
      fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(after));
      terraform(dir, "plan", "-input=false", "-out=plan.bin");
      changes = JSON.parse(terraform(dir, "show", "-json", "plan.bin")).resource_changes.map((c: any) => ({ address: c.address, actions: c.change.actions }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("forgets every retired object and destroys none", () => {
    expect(changes.sort((a, b) => a.address.localeCompare(b.address))).toEqual(
      retired.map((a) => ({ address: retype(a), actions: ["forget"] })).sort((a, b) => a.address.localeCompare(b.address)),
    );
  });
});
