import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { baseConfig, StackJson, synthDeployment, withConfig } from "../helpers/synth";
import { describeWithTerraform } from "../helpers/terraform";

// Replays the DNS hand-off through a real Terraform binary. The Google provider
// cannot be downloaded here, so each stack's synthesized A-record resources are
// re-typed as the built-in `terraform_data` (same address, same attributes,
// same preconditions), its `removed` and `import` blocks and its record guards
// (terraform_data with a gcloud provisioner) are kept as synthesized. The
// addresses the records read from forwarding rules become fixed IPs, the
// certificates' `managed[0].state` a variable, and `gcloud` a stub on PATH
// that prints the record sets of $FAKE_RRSETS. Terraform then shows what each
// deploy would do to the record: it must never delete or create it once it
// exists, in either deploy order, and never create it over a foreign record.
//
// Only Fulcio's record changes hands here; the stacks also emit the records of
// the other hosts (Rekor v1 in its region, TUF, the CT log…), each with its
// guard, and the replay keeps them all: each is owned by the same stack in
// every phase, so its guard runs once, in its owner's first deploy, when Cloud
// DNS holds nothing of that name; and none of them is ever deleted.


const ENV = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" };
const RECORD = "fulcio_a_record";
/** The region's front end (regional stacks' `<service>_frontend_*`, and the global stack's cross-stack read of it). */
const REGIONAL_IP = "198.51.100.7";
const GLOBAL_IP = "203.0.113.9";

/**
 * Replaces references to Google resources, in JSON text (quotes escaped), by
 * what the replay stands in for them.
 */
function standIns(json: string): string {
  const literal = (value: string) => `\\"${value}\\"`;
  return json
    .replace(/google_compute_global_forwarding_rule\.([a-z0-9_]+)\.ip_address/g, (_m, id: string) => literal(id.includes("_frontend_") ? REGIONAL_IP : GLOBAL_IP))
    .replace(/data\.terraform_remote_state\.[a-z0-9_]+\.outputs\.cross_stack_output_google_compute_global_forwarding_rule_[a-z0-9_]+_ip_address/g, literal(REGIONAL_IP))
    .replace(/google_certificate_manager_certificate\.[a-z0-9_]+\.managed\[0\]\.state/g, "var.certificate_state")
    .replace(/google_certificate_manager_certificate\.[a-z0-9_]+\.name/g, literal("the-certificate"))
    // "${\"x\"}" is just "x".
    .replace(/\$\{\\"([^"\\]*)\\"\}/g, "$1");
}

/** The A-record part of a synthesized stack, with the record as terraform_data. */
function recordWorld(stack: StackJson): object {
  const retype = (address: string) => address.replace(/^google_dns_record_set\./, "terraform_data.");
  const records = Object.entries(stack.resource?.google_dns_record_set ?? {}).filter(([id]) => id.endsWith("_a_record"));
  // Record guards: the terraform_data whose creation lists the zone's record sets (other local-exec steps, such as
  // CloudSqlDatabaseRoles, are not part of the records' world).
  const guards = Object.entries(stack.resource?.terraform_data ?? {}).filter(([, r]) => r.provisioner && JSON.stringify(r.provisioner).includes("dns record-sets"));
  const kept = new Set(guards.map(([id]) => `terraform_data.${id}`));
  const world: any = {
    terraform: { required_version: stack.terraform.required_version },
    variable: { certificate_state: { type: "string", default: "ACTIVE" } },
  };
  const resourcesOf = [
    ...records.map(([id, r]) => {
      const { ["//"]: _metadata, depends_on: dependsOn, lifecycle, ...attributes } = r;
      const body: any = { input: JSON.parse(standIns(JSON.stringify(attributes)).replace(/\$\{(?!\(|var\.|jsonencode)[^}]*\}/g, "ref")) };
      const within = ((dependsOn ?? []) as string[]).filter((d) => kept.has(d));
      if (within.length > 0) body.depends_on = within;
      if (lifecycle) body.lifecycle = JSON.parse(standIns(JSON.stringify(lifecycle)));
      return [id, body];
    }),
    ...guards.map(([id, g]) => {
      const { ["//"]: _metadata, depends_on: _dependsOn, ...rest } = g;
      return [id, JSON.parse(standIns(JSON.stringify(rest)))];
    }),
  ];
  if (resourcesOf.length > 0) world.resource = { terraform_data: Object.fromEntries(resourcesOf) };
  // Anything else the records still reference is a Google resource this replay leaves out.
  const text = JSON.stringify(world);
  const unresolved = text.match(/\$\{(?!\(|var\.|jsonencode)[^}]*\}/g);
  if (unresolved) throw new Error(`replay cannot stand in for ${unresolved.join(", ")}`);
  const removed = (stack.removed ?? []).filter((b) => b.from.endsWith("_a_record"));
  if (removed.length > 0) world.removed = removed.map((b) => ({ ...b, from: retype(b.from) }));
  const imports = (stack.import ?? []).filter((b) => b.to.endsWith("_a_record"));
  if (imports.length > 0) world.import = imports.map((b) => ({ ...b, to: retype(b.to) }));
  return world;
}

/** The actions of `show -json`'s resource_changes for the `apply -json` UI's action names. */
const ACTIONS: Record<string, string[]> = {
  noop: ["no-op"],
  create: ["create"],
  read: ["read"],
  update: ["update"],
  replace: ["delete", "create"],
  delete: ["delete"],
  remove: ["forget"],
};

interface Change {
  readonly actions: string[];
  readonly importing: boolean;
}

/** What Cloud DNS holds, as the gcloud stub reports it, and the certificate's state. */
interface World {
  readonly rrsets?: readonly object[];
  readonly certificateState?: string;
}

class Workspace {
  constructor(readonly dir: string, private readonly bin: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private tf(world: World, ...args: string[]): string {
    const env = { ...ENV, PATH: `${this.bin}${path.delimiter}${process.env.PATH}`, FAKE_RRSETS: JSON.stringify(world.rrsets ?? []) };
    return execFileSync("terraform", [`-chdir=${this.dir}`, ...args], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  }

  /**
   * Writes the configuration and deploys it in one `terraform apply -json`
   * (plan and apply in one process); returns the planned change of the record.
   * Its `planned_change` messages carry what `show -json` of the plan would:
   * every action but no-op (`remove` is the forget of `removed` blocks, and
   * `importing` is set for import blocks). A resource of the configuration
   * with no planned change is a no-op.
   */
  deploy(stack: StackJson, world: World = {}): Change | undefined {
    const config = recordWorld(stack) as any;
    fs.writeFileSync(path.join(this.dir, "main.tf.json"), JSON.stringify(config, null, 2));
    // No `init`: with only the built-in provider and no backend block there is nothing to initialise.
    const messages = this.tf(world, "apply", "-json", "-auto-approve", `-var=certificate_state=${world.certificateState ?? "ACTIVE"}`)
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line));
    const planned = new Map<string, { actions: string[]; importing: boolean }>();
    for (const m of messages.filter((m) => m.type === "planned_change")) {
      planned.set(m.change.resource.addr, { actions: ACTIONS[m.change.action] ?? [m.change.action], importing: m.change.importing !== undefined });
    }
    for (const id of Object.keys(config.resource?.terraform_data ?? {})) {
      if (!planned.has(`terraform_data.${id}`)) planned.set(`terraform_data.${id}`, { actions: ["no-op"], importing: false });
    }
    // No deploy deletes or replaces any record, Fulcio's or another host's.
    const records = [...planned].filter(([address]) => /^terraform_data\.[a-z0-9_]+_a_record$/.test(address));
    expect(records.length).toBeGreaterThan(0);
    for (const [address, c] of records) expect([address, c.actions]).toEqual([address, expect.not.arrayContaining(["delete"])]);
    return planned.get(`terraform_data.${RECORD}`);
  }

  /** Like deploy, but expected to fail: returns Terraform's error diagnostics. */
  failedDeploy(stack: StackJson, world: World = {}): string {
    try {
      this.deploy(stack, world);
    } catch (e: any) {
      const diagnostics = `${e.stdout ?? ""}`
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line))
        .filter((m) => m.type === "diagnostic" && m.diagnostic.severity === "error")
        .map((m) => `${m.diagnostic.summary}: ${m.diagnostic.detail ?? ""}`);
      return `${diagnostics.join("\n")}${e.stderr ?? ""}`.replace(/\s+/g, " ");
    }
    throw new Error("the deploy succeeded");
  }

  /** Whether the record is in this stack's state (the local state file Terraform just wrote). */
  managesRecord(): boolean {
    const state = JSON.parse(fs.readFileSync(path.join(this.dir, "terraform.tfstate"), "utf8"));
    expect(state.version).toBe(4);
    return state.resources.some((r: any) => r.mode === "managed" && r.type === "terraform_data" && r.name === RECORD);
  }

  /** The record as the stack holds it (terraform_data keeps `input` in state as a typed value). */
  record(): any {
    const state = JSON.parse(fs.readFileSync(path.join(this.dir, "terraform.tfstate"), "utf8"));
    const resource = state.resources.find((r: any) => r.mode === "managed" && r.type === "terraform_data" && r.name === RECORD);
    return resource?.instances[0].attributes.input.value;
  }
}

/** The names the record guards of the stacks ask Cloud DNS about. */
function guardedNames(stacks: Record<string, StackJson>): string[] {
  return Object.values(stacks).flatMap((stack) =>
    Object.values(stack.resource?.terraform_data ?? {})
      .filter((r) => r.provisioner)
      .map((r) => r.provisioner[0]["local-exec"].environment.NAME as string),
  );
}

function phase(dns: object): Record<string, StackJson> {
  return synthDeployment(withConfig((c) => (c.services = { fulcio: { dns } }), baseConfig())).stacks;
}

describeWithTerraform("DNS hand-off under real Terraform", () => {
  const regionalPhase = phase({ owner: "regional" });
  const globalPhase = phase({ owner: "global" });
  const weightedPhase = phase({ owner: "global", globalWeight: 0.3 });
  const backPhase = phase({ owner: "regional", adoptExisting: true });
  const FQDN = "fulcio.sigstore.test.example.";
  // Every other name a guard of any phase asks about: records created new, nothing there before.
  const others = [...new Set([regionalPhase, globalPhase, weightedPhase, backPhase].flatMap(guardedNames))].filter((n) => n !== FQDN).sort();
  let root: string;
  let bin: string;
  /** Workspaces after the first deploys (see `start`), made once and copied by each test that starts there. */
  let started: string;

  /** A directory with a gcloud that answers only the question the guards must ask: $FAKE_RRSETS for Fulcio's name, no record for the other hosts' (created new here). */
  function gcloudStub(dir: string): string {
    const stub = path.join(dir, "bin");
    fs.mkdirSync(stub);
    const question = (name: string) => ["dns", "record-sets", "list", "--project=sigstore-test", "--zone=test-zone", `--name=${name}`, "--type=A", "--format=json"].join(" ");
    fs.writeFileSync(
      path.join(stub, "gcloud"),
      [
        "#!/bin/sh",
        `[ "$*" = "${question(FQDN)}" ] && { printf '%s' "$FAKE_RRSETS"; exit 0; }`,
        ...others.map((name) => `[ "$*" = "${question(name)}" ] && { echo "[]"; exit 0; }`),
        'echo "unexpected gcloud call: $*" >&2; exit 2',
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    return stub;
  }

  // Deploying the regional phase to a new project, regional stack first, is
  // where most scenarios start: it runs once here, its results are asserted
  // in the first test, and those scenarios continue from copies of the two
  // workspaces (their state files).
  let firstDeploys: { regional?: Change; regionalRecord: any; global?: Change };
  beforeAll(() => {
    started = fs.mkdtempSync(path.join(os.tmpdir(), "tf-handoff-start-"));
    const stub = gcloudStub(started);
    const regional = new Workspace(path.join(started, "regional-us-east1"), stub);
    const global = new Workspace(path.join(started, "global"), stub);
    const regionalChange = regional.deploy(regionalPhase["regional-us-east1"]);
    firstDeploys = { regional: regionalChange, regionalRecord: regional.record(), global: global.deploy(regionalPhase.global) };
  });
  afterAll(() => fs.rmSync(started, { recursive: true, force: true }));

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "tf-handoff-"));
    bin = gcloudStub(root);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const workspace = (stack: string) => new Workspace(path.join(root, stack), bin);
  const existing = (rrdatas: string[]) => ({ rrsets: [{ kind: "dns#resourceRecordSet", name: FQDN, type: "A", ttl: 300, rrdatas }] });

  /** Both stacks as the first deploys left them (regional phase, regional stack first): copies of the state made in beforeAll. */
  function start(): { regional: Workspace; global: Workspace } {
    for (const stack of ["regional-us-east1", "global"]) fs.cpSync(path.join(started, stack), path.join(root, stack), { recursive: true });
    const regional = workspace("regional-us-east1");
    const global = workspace("global");
    expect([regional.managesRecord(), global.managesRecord()]).toEqual([true, false]);
    return { regional, global };
  }

  it("first deploys of a new project: the regional stack creates the record, the global stack holds none", () => {
    expect(firstDeploys.regional).toEqual({ actions: ["create"], importing: false });
    // On the region's front end, read from its :443 forwarding rule.
    expect(firstDeploys.regionalRecord.rrdatas).toEqual([REGIONAL_IP]);
    // The global stack's removed block is a no-op while it never owned the record.
    expect(firstDeploys.global).toBeUndefined();
    const { regional, global } = start();
    expect([regional.managesRecord(), global.managesRecord()]).toEqual([true, false]);
  });

  it("meets the guard of every host the stacks create, not only Fulcio's", () => {
    expect(others).toEqual(["ctfe.sigstore.test.example.", "oauth2.sigstore.test.example.", "rekor.sigstore.test.example.", "timestamp.sigstore.test.example.", "tuf.sigstore.test.example."]);
  });

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
    // Both shares on front ends: the global one and the primary region's.
    expect(global.record().routing_policy).toEqual({ wrr: [{ weight: 0.3, rrdatas: [GLOBAL_IP] }, { weight: 0.7, rrdatas: [REGIONAL_IP] }] });
    expect(global.deploy(globalPhase.global)).toEqual({ actions: ["update"], importing: false });
    expect(global.record().rrdatas).toEqual([GLOBAL_IP]);
  });

  it("the record does not move to the global address while its certificate is not ACTIVE", () => {
    const { regional, global } = start();
    regional.deploy(globalPhase["regional-us-east1"]);
    const error = global.failedDeploy(globalPhase.global, { certificateState: "PROVISIONING" });
    expect(error).toContain(`${FQDN} must not point at a front end before its certificate is ACTIVE`);
    expect(global.managesRecord()).toBe(false);
    // Once issued, the same deploy adopts it.
    expect(global.deploy(globalPhase.global, { certificateState: "ACTIVE" })).toEqual({ actions: ["update"], importing: true });
  });

  it("a weighted hand-off waits for the certificate too", () => {
    const { regional, global } = start();
    regional.deploy(weightedPhase["regional-us-east1"]);
    expect(global.failedDeploy(weightedPhase.global, { certificateState: "PROVISIONING" })).toContain("before its certificate is ACTIVE");
  });

  it("an owner that does not adopt refuses to overwrite a record it did not create", () => {
    const regional = workspace("regional-us-east1");
    const error = regional.failedDeploy(regionalPhase["regional-us-east1"], existing(["192.0.2.44"]));
    expect(error).toContain(`${FQDN} already has an A record [["192.0.2.44",1]] that this stack did not create`);
    expect(error).toContain("adoptExisting: true");
    expect(regional.managesRecord()).toBe(false);
    // Adopting it is the way in.
    expect(regional.deploy(backPhase["regional-us-east1"], existing(["192.0.2.44"]))).toEqual({ actions: ["update"], importing: true });
  });

  it("a record that already holds exactly the planned address passes the guard (the stack's own, e.g. after an upgrade)", () => {
    const regional = workspace("regional-us-east1");
    expect(regional.deploy(regionalPhase["regional-us-east1"], existing([REGIONAL_IP]))).toEqual({ actions: ["create"], importing: false });
  });

  it("going back to regional without adopting is stopped before the global record is overwritten", () => {
    const { regional, global } = start();
    regional.deploy(globalPhase["regional-us-east1"]);
    global.deploy(globalPhase.global);
    expect(regional.failedDeploy(regionalPhase["regional-us-east1"], existing([GLOBAL_IP]))).toContain("already has an A record");
    expect([regional.managesRecord(), global.managesRecord()]).toEqual([false, true]);
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
