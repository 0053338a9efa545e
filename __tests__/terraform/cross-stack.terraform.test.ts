import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { generateKeyPairSync } from "crypto";
import { parseConfig } from "../../lib/config/load";
import { ctLogRegions } from "../../lib/shared/log-placement";
import { exampleConfig, StackJson, synthDeployment } from "../helpers/synth";
import { describeWithTerraform } from "../helpers/terraform";
import { issue, selfSigned } from "../trust/pki";

// Applies the synthesized cross-stack wiring with a real Terraform binary, in
// the directory layout cdktf uses (<project>/cdktf.out/stacks/<stack>), so the
// relative local-state paths are exercised as written. Only built-in Terraform
// pieces run: the regional `terraform_data` NEG values and outputs, the local
// backend, the global `terraform_remote_state` reads. Each global backend
// service is re-typed as `terraform_data` keeping its backends and its zone
// precondition; Google resources are left out (no provider download here).

/**
 * The example with every region's Fulcio and TSA chains (trust.regions, real
 * certificates under one root each) and TSA keyset set, so every region
 * installs them and publishes their zones; without them a region withholds those zones.
 */
function servingExampleConfig(): ReturnType<typeof makeServingExampleConfig> {
  // One set of keys for the file: both tests deploy the same synthesized stacks (synthesized once).
  return (serving ??= makeServingExampleConfig());
}
let serving: ReturnType<typeof makeServingExampleConfig> | undefined;

async function makeServingExampleConfig() {
  const c = structuredClone(exampleConfig()) as any;
  const fulcioRoot = await selfSigned("fulcio root");
  const tsaRoot = await selfSigned("tsa root");
  const keyset = JSON.stringify({ encryptedKeyset: "Q2lRQQ==", keysetInfo: { primaryKeyId: 1 } });
  const regions: Record<string, object> = {};
  for (const r of c.regions) {
    regions[r.region] = { fulcioChain: [(await issue(fulcioRoot, `fulcio ${r.region}`, "ca")).pem], tsaChain: [(await issue(tsaRoot, `tsa ${r.region}`, "tsa")).pem] };
  }
  c.trust = { ...(c.trust ?? {}), fulcio: { rootCertificate: fulcioRoot.pem }, tsa: { rootCertificate: tsaRoot.pem }, regions };
  c.regional.tsa = { ...(c.regional.tsa ?? {}), encryptedKeysets: Object.fromEntries(c.regions.map((r: any) => [r.region, keyset])) };
  // Each CT log's public key (its private key would be in Secret Manager): without it the log is not installed.
  const ctPublicKey = () => generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString();
  c.ctlog = { ...c.ctlog, publicKeys: Object.fromEntries(ctLogRegions(exampleConfig()).map((region) => [region, ctPublicKey()])) };
  return parseConfig(c);
}

const ENV = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" };

function builtinOnly(stack: StackJson): object {
  const world: any = {
    terraform: { required_version: stack.terraform.required_version, backend: stack.terraform.backend },
  };
  if (stack.data?.terraform_remote_state) world.data = { terraform_remote_state: stack.data.terraform_remote_state };
  // Kept as synthesized; only dependencies on the Google resources left out
  // are dropped, so Terraform still checks the form of every other depends_on.
  // The A-record guards (a gcloud provisioner) are replayed in dns-handoff.terraform.test.ts.
  const values = Object.entries(stack.resource?.terraform_data ?? {}).filter(([, body]) => !(body as any).provisioner);
  const kept = new Set(values.map(([id]) => `terraform_data.${id}`));
  const data: Record<string, any> = Object.fromEntries(
    values.map(([id, body]) => {
      const { depends_on: dependsOn, ...rest } = body as Record<string, unknown> & { depends_on?: string[] };
      const within = (dependsOn ?? []).filter((d) => kept.has(d) || !/^[a-z_]+\./.test(d));
      return [id, within.length > 0 ? { ...rest, depends_on: within } : rest];
    }),
  );
  for (const [id, service] of Object.entries(stack.resource?.google_compute_backend_service ?? {})) {
    data[id] = {
      depends_on: service.depends_on?.filter((d: string) => kept.has(d) || !/^[a-z_]+\./.test(d)),
      input: { backends: service.backend.map((b: any) => b.group) },
      lifecycle: { precondition: service.lifecycle.precondition },
    };
  }
  if (Object.keys(data).length > 0) world.resource = { terraform_data: data };
  const outputs = Object.entries(stack.output ?? {}).filter(([, o]) => /^\$\{terraform_data\./.test(o.value));
  if (outputs.length > 0) world.output = Object.fromEntries(outputs);
  return world;
}

function writeProject(root: string, stacks: Record<string, StackJson>): void {
  for (const [id, stack] of Object.entries(stacks)) {
    const dir = path.join(root, "cdktf.out", "stacks", id);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(builtinOnly(stack), null, 2));
  }
}

function tf(root: string, stack: string, ...args: string[]): { status: number | null; output: string } {
  const run = spawnSync("terraform", [`-chdir=${path.join(root, "cdktf.out", "stacks", stack)}`, ...args], { env: ENV, encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function deploy(root: string, stack: string): { status: number | null; output: string } {
  if (!fs.existsSync(path.join(root, "cdktf.out", "stacks", stack, ".terraform"))) {
    const init = tf(root, stack, "init", "-no-color");
    expect([stack, init.status, init.output.slice(-500)]).toEqual([stack, 0, expect.anything()]);
  }
  return tf(root, stack, "apply", "-auto-approve", "-no-color");
}

describeWithTerraform("cross-stack wiring under real Terraform", () => {
  // Both tests start from the same deployed regions: the regional stacks are applied once, into a project
  // directory that each test then copies elsewhere (so the relative state paths are exercised after a move too).
  let deployed: string;
  let regional: string[];
  let root: string;
  beforeAll(async () => {
    deployed = fs.mkdtempSync(path.join(os.tmpdir(), "tf-cross-stack-regions-"));
    const { stacks } = synthDeployment(await servingExampleConfig());
    writeProject(deployed, stacks);
    // The primary region first: the others read its "APIs enabled" value.
    regional = ["regional-us-east1", ...Object.keys(stacks).filter((s) => s.startsWith("regional-") && s !== "regional-us-east1")];
    for (const stack of regional) expect([stack, deploy(deployed, stack).status]).toEqual([stack, 0]);
  });
  afterAll(() => fs.rmSync(deployed, { recursive: true, force: true }));
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "tf-cross-stack-"));
    fs.cpSync(deployed, root, { recursive: true });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("the global stack reads every region's NEG names from the regional state files, wherever the project lives", async () => {
    const config = await servingExampleConfig();
    // The state files landed in the project directory, where the global stack's remote-state reads look.
    expect(fs.readdirSync(root).filter((f) => f.endsWith(".tfstate")).sort()).toEqual(regional.map((s) => `terraform.${s}.tfstate`).sort());

    const global = deploy(root, "global");
    expect(global.status).toBe(0);
    const state = JSON.parse(fs.readFileSync(path.join(root, "terraform.global.tfstate"), "utf8"));
    const backend = state.resources.find((r: any) => r.type === "terraform_data" && r.name === "fulcio_backend_grpc");
    expect(backend.instances[0].attributes.input.value.backends).toEqual(
      config.regions.flatMap((r) => r.zones.map((z) => `projects/sigstore-example/zones/${z}/networkEndpointGroups/sigstore-fulcio-grpc`)),
    );
  });

  it("refuses to plan the global stack before a region that gained a zone is deployed", async () => {
    const config = await servingExampleConfig();
    expect([...regional].sort()).toEqual(["regional-asia-northeast1", "regional-europe-west1", "regional-us-east1"]);

    const grown = structuredClone(config);
    // A zone newer than the library's list of zones, declared as the configuration allows.
    grown.additionalLocations = { "europe-west1": ["b", "c", "d", "e"] };
    grown.regions[1].zones.push("europe-west1-e");
    const grownStacks = synthDeployment(parseConfig(grown)).stacks;
    writeProject(root, { global: grownStacks.global });
    const early = deploy(root, "global");
    expect(early.status).not.toBe(0);
    expect(early.output.replace(/\s+/g, " ")).toContain(
      "fulcio: the deployed stack of europe-west1 does not serve every zone this load balancer routes to (europe-west1-b, europe-west1-c, europe-west1-d, europe-west1-e); deploy that regional stack first.",
    );

    writeProject(root, { "regional-europe-west1": grownStacks["regional-europe-west1"] });
    expect(deploy(root, "regional-europe-west1").status).toBe(0);
    expect(deploy(root, "global").status).toBe(0);
  });
});
