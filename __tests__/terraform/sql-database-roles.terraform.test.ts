import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { exampleConfig, synthDeployment } from "../helpers/synth";

// Replays, with a real Terraform, the schema administrator's role assignment
// exactly as synthesized (CloudSqlDatabaseRoles: a terraform_data whose
// local-exec calls gcloud). gcloud is a stub on PATH that records its
// arguments; the references to the instance and the account are replaced by
// the values they would have, and the SQL user by a stand-in resource.

const terraform = spawnSync("terraform", ["version"], { encoding: "utf8" });
const describeWithTerraform = terraform.status === 0 ? describe : describe.skip;
const ENV = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" };

// The example: Rekor v1 in its primary region, so Trillian and its schema administrator there.
const config = exampleConfig();
const stack = synthDeployment(config).stacks[`regional-${config.primaryRegion}`];
const [assignmentId, assignment] = Object.entries(stack.resource!.terraform_data).find(([, d]) => JSON.stringify(d).includes("sql users assign-roles")) as [string, any];
const ADMIN = `sigstore-dbschema-use1@${config.project.id}.iam.gserviceaccount.com`;
const INSTANCE = "sigstore-trillian-us-east1";

function workspace(root: string): string {
  const dir = path.join(root, "tf");
  fs.mkdirSync(dir);
  const body = JSON.parse(
    JSON.stringify(assignment)
      .replace(/\$\{google_service_account\.[A-Za-z0-9_]+\.email\}/g, ADMIN)
      .replace(/\$\{google_sql_database_instance\.[A-Za-z0-9_]+\.name\}/g, INSTANCE),
  );
  expect(JSON.stringify(body)).not.toContain("${");
  body.depends_on = ["terraform_data.user"];
  delete body["//"];
  fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ resource: { terraform_data: { user: { input: ADMIN }, [assignmentId]: body } } }));
  return dir;
}

/** A gcloud that has (or lacks) `sql users assign-roles` and appends each real call to calls.log. */
function stub(root: string, hasCommand: boolean): string {
  const bin = path.join(root, "bin");
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(bin, "gcloud"),
    [
      "#!/bin/sh",
      `[ "$*" = "sql users assign-roles --help" ] && exit ${hasCommand ? 0 : 2}`,
      `printf '%s\\n' "$*" >> "${path.join(root, "calls.log")}"`,
      "exit 0",
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  return bin;
}

const tf = (dir: string, bin: string, ...args: string[]) =>
  spawnSync("terraform", [...args, "-no-color"], { cwd: dir, env: { ...ENV, PATH: `${bin}${path.delimiter}${process.env.PATH}` }, encoding: "utf8" });
const calls = (root: string) => (fs.existsSync(path.join(root, "calls.log")) ? fs.readFileSync(path.join(root, "calls.log"), "utf8").trim().split("\n") : []);

describeWithTerraform("the schema administrator's database role, applied", () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));
  const fresh = () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "sql-roles-"));
    roots.push(root);
    return root;
  };

  it("calls the Admin API once through gcloud with the account's email, the instance and cloudsqlsuperuser, and not again on the next apply", () => {
    const root = fresh();
    const dir = workspace(root);
    const bin = stub(root, true);
    expect(tf(dir, bin, "init", "-input=false").status).toBe(0);
    const apply = tf(dir, bin, "apply", "-input=false", "-auto-approve");
    expect(apply.stderr).not.toMatch(/Error/);
    expect(apply.status).toBe(0);
    expect(calls(root)).toEqual([
      `sql users assign-roles ${ADMIN} --project=${config.project.id} --instance=${INSTANCE} --type=CLOUD_IAM_SERVICE_ACCOUNT --database-roles=cloudsqlsuperuser`,
    ]);
    const again = tf(dir, bin, "apply", "-input=false", "-auto-approve");
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/No changes/);
    expect(calls(root)).toHaveLength(1);
  });

  it("fails the apply, naming the fix, when gcloud is too old to assign roles", () => {
    const root = fresh();
    const dir = workspace(root);
    const bin = stub(root, false);
    expect(tf(dir, bin, "init", "-input=false").status).toBe(0);
    const apply = tf(dir, bin, "apply", "-input=false", "-auto-approve");
    expect(apply.status).not.toBe(0);
    expect(apply.stderr).toMatch(/needs a Google Cloud SDK with gcloud sql users assign-roles/);
    expect(calls(root)).toEqual([]);
  });
});
