import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";

// The regional stack waits for NEGs with data sources that depend_on the Helm
// release (NegReadiness). This proves, with a real Terraform, the core
// behaviour that relies on: a data source whose depends_on has planned
// changes is not read at plan time (plan succeeds and shows "<= read"), and
// is read at apply, after the resource it depends on. A built-in data source
// that fails when read (a local state "file" that is a directory) stands in
// for a NEG that does not exist yet.

const terraform = spawnSync("terraform", ["version"], { encoding: "utf8" });
const describeWithTerraform = terraform.status === 0 ? describe : describe.skip;
const ENV = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" };

function workspace(dependsOn: boolean): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deferred-lookup-"));
  fs.mkdirSync(path.join(dir, "missing.tfstate"));
  const lookup: Record<string, unknown> = { backend: "local", config: { path: "missing.tfstate" } };
  if (dependsOn) lookup.depends_on = ["terraform_data.release"];
  fs.writeFileSync(
    path.join(dir, "main.tf.json"),
    JSON.stringify({ resource: { terraform_data: { release: { input: "v1" } } }, data: { terraform_remote_state: { neg: lookup } } }),
  );
  return dir;
}
const tf = (dir: string, ...args: string[]) => spawnSync("terraform", [...args, "-no-color"], { cwd: dir, env: ENV, encoding: "utf8" });

describeWithTerraform("a look-up that depends on a release being created", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("is deferred to apply by plan, and read at apply after the release", () => {
    const dir = workspace(true);
    dirs.push(dir);
    expect(tf(dir, "init", "-input=false").status).toBe(0);
    const plan = tf(dir, "plan", "-input=false");
    expect(plan.status).toBe(0);
    expect(plan.stdout).toMatch(/data\.terraform_remote_state\.neg will be read during apply/);
    const apply = tf(dir, "apply", "-input=false", "-auto-approve");
    expect(apply.status).not.toBe(0);
    // The release was created before the failing read.
    expect(apply.stdout + apply.stderr).toMatch(/terraform_data\.release: Creation complete/);
    expect(apply.stderr).toMatch(/Failed to read state file/);
  });

  it("without depends_on, is read at plan time and fails the plan", () => {
    const dir = workspace(false);
    dirs.push(dir);
    expect(tf(dir, "init", "-input=false").status).toBe(0);
    const plan = tf(dir, "plan", "-input=false");
    expect(plan.status).not.toBe(0);
    expect(plan.stderr).toMatch(/Failed to read state file/);
  });
});
