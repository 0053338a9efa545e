// The `trust` command end to end: outputs in every shape it reads (cdktf
// output, cdktf deploy, terraform output -json, and a Terraform state written
// by a real `terraform apply` of a stack whose signing_config is rendered from
// tokens), the files it writes, export lines that bash evaluates, and errors
// that leave the output directory untouched.
import { ClientTrustConfig, SigningConfig, TrustedRoot } from "@sigstore/protobuf-specs";
import { execFileSync, spawnSync } from "child_process";
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../lib/cli/trust";
import { assembleSigningConfig, assembleTrustedRoot, InstanceUrls, TrustMaterial } from "../../lib/trust";
import { deployment, materialOf, START } from "./fixtures";
import { testApp } from "../helpers/construct";

const URLS: InstanceUrls = {
  fulcio: "https://fulcio.example.com",
  rekor: ["https://rekor.example.com"],
  tsa: ["https://tsa.example.com"],
  oidcIssuer: "https://oauth2.example.com/auth",
  tufMirror: "https://tuf.example.com",
  validFrom: START,
};

const haveTerraform = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;
const ENV = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" };

let tmp: string;
let material: TrustMaterial;
let n = 0;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sigstore-cdktf-cli-"));
  material = materialOf(await deployment());
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly out: string;
}

/** Writes `doc` to a file and runs the command on it with a fresh output directory. */
function run(doc: unknown, args: (file: string) => string[] = (f) => ["--outputs-file", f]): Run {
  const dir = path.join(tmp, `run${n++}`);
  fs.mkdirSync(dir);
  const file = path.join(dir, "outputs.json");
  fs.writeFileSync(file, typeof doc === "string" ? doc : JSON.stringify(doc));
  const out = path.join(dir, "out");
  let stdout = "";
  let stderr = "";
  const code = main(["trust", ...args(file), "--out", out], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: dir });
  return { code, stdout, stderr, out };
}

const read = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));
const files = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);

/** The files are the assembly's documents, and each parses as its protobuf-specs message. */
function expectDocuments(out: string): void {
  expect(files(out)).toEqual(["client_trust_config.json", "signing_config.json", "trusted_root.json"]);
  const root = read(path.join(out, "trusted_root.json"));
  const sc = read(path.join(out, "signing_config.json"));
  expect(root).toEqual(assembleTrustedRoot(material));
  expect(sc).toEqual(assembleSigningConfig(URLS));
  expect(TrustedRoot.toJSON(TrustedRoot.fromJSON(root))).toEqual(root);
  expect(SigningConfig.toJSON(SigningConfig.fromJSON(sc))).toEqual(sc);
  const ctc = read(path.join(out, "client_trust_config.json"));
  expect(ClientTrustConfig.toJSON(ClientTrustConfig.fromJSON(ctc))).toEqual({
    mediaType: "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
    trustedRoot: root,
    signingConfig: sc,
  });
}

/** What bash sees after eval "$(stdout)". */
function evaluated(stdout: string, names: string[]): Record<string, string> {
  const script = `eval "$TRUST_EXPORTS"; ${names.map((v) => `printf '%s=%s\\n' ${v} "$${v}"`).join("; ")}`;
  const printed = execFileSync("bash", ["--norc", "--noprofile", "-c", script], { env: { PATH: process.env.PATH, TRUST_EXPORTS: stdout }, encoding: "utf8" });
  return Object.fromEntries(printed.trim().split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
}

describe("reads the global stack's outputs", () => {
  test("`cdktf output --outputs-file` JSON: writes the three files and prints exports bash evaluates", () => {
    const r = run({
      "regional-us-east1": { neg_names: ["a"] },
      global: { trust_material: material, instance_urls: URLS, signing_config: assembleSigningConfig(URLS) },
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expectDocuments(r.out);
    const env = evaluated(r.stdout, [
      "SIGSTORE_TRUSTED_ROOT",
      "SIGSTORE_SIGNING_CONFIG",
      "SIGSTORE_CLIENT_TRUST_CONFIG",
      "FULCIO_URL",
      "REKOR_URL",
      "TSA_URL",
      "OIDC_ISSUER_URL",
      "TUF_MIRROR",
    ]);
    expect(env).toEqual({
      SIGSTORE_TRUSTED_ROOT: path.join(r.out, "trusted_root.json"),
      SIGSTORE_SIGNING_CONFIG: path.join(r.out, "signing_config.json"),
      SIGSTORE_CLIENT_TRUST_CONFIG: path.join(r.out, "client_trust_config.json"),
      FULCIO_URL: "https://fulcio.example.com",
      REKOR_URL: "https://rekor.example.com",
      TSA_URL: "https://tsa.example.com/api/v1/timestamp",
      OIDC_ISSUER_URL: "https://oauth2.example.com/auth",
      // Without the TUF root.json a mirror alone would make cosign trust the wrong root: not exported.
      TUF_MIRROR: "",
    });
    expect(r.stdout).toMatch(/^# TUF repository: https:\/\/tuf\.example\.com; pass --tuf-root/m);
  });

  test("`cdktf deploy --outputs-file` JSON (outputs nested by construct id) and jsonencode()d values", () => {
    const r = run({ global: { trust: { trust_material: JSON.stringify(material), instance_urls: URLS } } });
    expect(r.stderr).toBe("");
    expectDocuments(r.out);
  });

  test("`terraform output -json`", () => {
    const wrap = (value: unknown) => ({ sensitive: false, type: "dynamic", value });
    const r = run({ trust_material: wrap(material), instance_urls: wrap(URLS) });
    expect(r.stderr).toBe("");
    expectDocuments(r.out);
  });

  test("--tuf-root exports the mirror and the root for TUF clients", () => {
    const rootJson = path.join(tmp, "tuf-root.json");
    fs.writeFileSync(rootJson, JSON.stringify({ signed: { _type: "root", version: 1 }, signatures: [] }));
    const r = run({ global: { trust_material: material, instance_urls: URLS } }, (f) => ["--outputs-file", f, "--tuf-root", rootJson]);
    expect(r.code).toBe(0);
    expect(evaluated(r.stdout, ["TUF_MIRROR", "TUF_ROOT_JSON"])).toEqual({ TUF_MIRROR: "https://tuf.example.com", TUF_ROOT_JSON: rootJson });
  });

  (haveTerraform ? test : test.skip)("a Terraform state written by `terraform apply`, signing_config rendered from tokens", () => {
    // The global stack's trust outputs in miniature: signing_config from Terraform variables.
    const stack = new TerraformStack(testApp(), "global");
    const v = (name: string) => new TerraformVariable(stack, name, { type: "string" }).stringValue;
    new TerraformOutput(stack, "trust_material", { value: material });
    new TerraformOutput(stack, "instance_urls", { value: URLS });
    new TerraformOutput(stack, "signing_config", {
      value: assembleSigningConfig({
        fulcio: v("fulcio"),
        rekor: [v("rekor")],
        tsa: [v("tsa")],
        oidcIssuer: v("oidc"),
        validFrom: v("valid_from"),
        operator: "example.com",
      }),
    });
    const dir = path.join(tmp, "terraform");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "main.tf.json"), Testing.synth(stack));
    const tf = (...args: string[]) => execFileSync("terraform", [`-chdir=${dir}`, ...args], { env: ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    tf("init", "-input=false");
    tf(
      "apply", "-auto-approve", "-input=false",
      `-var=fulcio=${URLS.fulcio}`, `-var=rekor=${URLS.rekor[0]}`, `-var=tsa=${URLS.tsa[0]}`,
      `-var=oidc=${URLS.oidcIssuer}`, `-var=valid_from=${START}`,
    );
    const state = path.join(dir, "terraform.tfstate");
    expect(read(state).outputs.signing_config.value.tsaUrls[0].url).toBe("https://tsa.example.com/api/v1/timestamp");
    const r = run(fs.readFileSync(state, "utf8"), (f) => ["--state", f]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expectDocuments(r.out);
    const viaOutput = run(tf("output", "-json"));
    expect(viaOutput.stderr).toBe("");
    expectDocuments(viaOutput.out);
  });
});

describe("bad or missing outputs: a clear error and nothing written", () => {
  function expectFailure(r: Run, message: RegExp, code = 1): void {
    expect(r.code).toBe(code);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(files(r.out)).toEqual([]);
  }

  test("no trust_material in the file", () => {
    expectFailure(
      run({ global: { instance_urls: URLS } }),
      /has no "trust_material" output: run `cdktf output global --outputs-file .*` after `cdktf deploy global`/,
    );
  });

  test("an invalid certificate names the field; earlier files in the directory are kept as they were", () => {
    const bad = JSON.parse(JSON.stringify(material));
    bad.certificateAuthorities[2].certChainPem[0] = "not a certificate";
    const dir = path.join(tmp, "keep");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "trusted_root.json"), "previous");
    const file = path.join(dir, "outputs.json");
    fs.writeFileSync(file, JSON.stringify({ global: { trust_material: bad, instance_urls: URLS } }));
    let stderr = "";
    const code = main(["trust", "--outputs-file", file, "--out", dir], { stdout: () => undefined, stderr: (t) => (stderr += t) });
    expect(code).toBe(1);
    expect(stderr).toContain(
      "certificateAuthorities[2].certChainPem[0]: is not a PEM certificate (expected a -----BEGIN CERTIFICATE----- block)",
    );
    expect(stderr).toContain("Nothing was written.");
    expect(fs.readdirSync(dir).sort()).toEqual(["outputs.json", "trusted_root.json"]);
    expect(fs.readFileSync(path.join(dir, "trusted_root.json"), "utf8")).toBe("previous");
  });

  test("bad instance URLs name the field", () => {
    expectFailure(run({ global: { trust_material: material, instance_urls: { ...URLS, validFrom: "now" } } }), /validFrom: "now" is not an RFC 3339 time/);
    const { tsa: _tsa, ...noTsa } = URLS;
    expectFailure(run({ global: { trust_material: material, instance_urls: noTsa } }), /the "instance_urls" output in .* has no "tsa" list/);
  });

  test("a deployed signing_config that differs from instance_urls", () => {
    const stale = assembleSigningConfig({ ...URLS, fulcio: "https://fulcio.old.example.com", operator: "example.com" });
    expectFailure(
      run({ global: { trust_material: material, instance_urls: URLS, signing_config: stale } }),
      /"signing_config" output .* differs .* run `cdktf deploy global`/,
    );
  });

  test("a sensitive output left out of the file", () => {
    expectFailure(run({ global: { trust_material: null, instance_urls: URLS } }), /--outputs-file-include-sensitive-outputs/);
  });

  test("outputs in two stacks, a missing stack, a state file passed as outputs, not JSON", () => {
    const both = { a: { trust_material: material }, b: { trust_material: material } };
    expectFailure(run(both), /"trust_material" in several stacks \(a, b\): choose one with --stack/);
    expectFailure(run(both, (f) => ["--outputs-file", f, "--stack", "global"]), /has no stack "global"; it has: a, b/);
    expectFailure(run({ version: 4, outputs: {} }), /looks like a Terraform state file: use --state/);
    expectFailure(run("{not json"), /is not JSON/);
  });

  test("usage errors exit 2", () => {
    expectFailure(run({}, () => []), /give exactly one of --outputs-file and --state/, 2);
    expectFailure(run({}, (f) => ["--outputs-file", f, "--frobnicate"]), /Unknown option '--frobnicate'/, 2);
  });
});
