import { spawnSync } from "child_process";
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CTLOG_KEY_LOADER_SCRIPT, CTLOG_KEY_SECRETS, ctLogKeyLoaderObjects } from "../../lib/regional/workloads/ctlog-key";
import { parseConfig } from "../../lib/config/load";
import { baseConfig, REPO_ROOT, synthDeployment, withConfig } from "../helpers/synth";

const KEY_DIR = "/var/run/secrets/ctlog-key";
const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** A stand-in for curl that keeps each request body (the Secret) by the URL's Secret name. */
const FAKE_CURL = `#!/bin/sh
body=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in
    --data-binary) body="\${2#@}"; shift 2 ;;
    -H|-X|--cacert|--max-time) printf '%s %s\\n' "$1" "$2" >> "$CURL_OUT/args"; shift 2 ;;
    https://*) url="$1"; shift ;;
    *) shift ;;
  esac
done
name=$(basename "\${url%%\\?*}")
cp "$body" "$CURL_OUT/$name.json"
printf '%s\\n' "$url" >> "$CURL_OUT/urls"
`;

interface LoaderRun {
  readonly status: number | null;
  readonly stderr: string;
  /** The Secrets the script sent, by name. */
  readonly secrets: Record<string, any>;
  readonly urls: string[];
  readonly args: string;
}

/** Runs the Job's script as is, with its mount points moved under a temporary directory. */
function runLoader(files: { private: string; password: string }): LoaderRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctlog-key-loader-"));
  try {
    for (const sub of ["key", "work", "sa", "bin", "out"]) fs.mkdirSync(path.join(dir, sub));
    fs.writeFileSync(path.join(dir, "key", "private"), files.private);
    fs.writeFileSync(path.join(dir, "key", "password"), files.password);
    fs.writeFileSync(path.join(dir, "sa", "token"), "token-of-the-pod");
    fs.writeFileSync(path.join(dir, "sa", "ca.crt"), "ca");
    fs.writeFileSync(path.join(dir, "bin", "curl"), FAKE_CURL, { mode: 0o755 });
    const script = CTLOG_KEY_LOADER_SCRIPT.split(KEY_DIR).join(path.join(dir, "key")).split(SA_DIR).join(path.join(dir, "sa")).split("/work/body.json").join(path.join(dir, "work", "body.json"));
    const run = spawnSync("sh", ["-c", script], {
      encoding: "utf8",
      env: { PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, NAMESPACE: "ctlog-system", CURL_OUT: path.join(dir, "out") },
    });
    const out = path.join(dir, "out");
    const secrets: Record<string, any> = {};
    for (const f of fs.readdirSync(out).filter((f) => f.endsWith(".json"))) secrets[f.replace(/\.json$/, "")] = JSON.parse(fs.readFileSync(path.join(out, f), "utf8"));
    const read = (f: string) => (fs.existsSync(path.join(out, f)) ? fs.readFileSync(path.join(out, f), "utf8") : "");
    // The key passed through the memory volume only for the request: nothing is left behind.
    expect(fs.readdirSync(path.join(dir, "work"))).toEqual([]);
    return { status: run.status, stderr: run.stderr, secrets, urls: read("urls").split("\n").filter(Boolean), args: read("args") };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("the CT log key loader's script", () => {
  // The operator's key, as docs/trust-root.md makes it: a P-256 key in an encrypted (Proc-Type/DEK-Info) PEM.
  const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const password = randomBytes(24).toString("base64");
  const encryptedPem = pair.privateKey.export({ type: "sec1", format: "pem", cipher: "aes-256-cbc", passphrase: password }).toString();
  const run = runLoader({ private: encryptedPem, password: `${password}\n` });
  const data = (name: string, key: string) => Buffer.from(run.secrets[name].data[key], "base64").toString("utf8");

  it("writes the encrypted PEM byte for byte into the Secret createctconfig reads, under its key \"private\"", () => {
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
    expect(encryptedPem).toMatch(/^DEK-Info: AES-256-CBC,/m);
    const secret = run.secrets[CTLOG_KEY_SECRETS.privateKey.name];
    expect(secret).toMatchObject({ apiVersion: "v1", kind: "Secret", type: "Opaque", metadata: { name: "ctlog-private-key" } });
    expect(Object.keys(secret.data)).toEqual(["private"]);
    expect(data("ctlog-private-key", "private")).toBe(encryptedPem);
  });

  it("writes the password without its trailing newline, and the two decrypt to the key whose public half is pinned", () => {
    expect(Object.keys(run.secrets["ctlog-private-key-password"].data)).toEqual(["password"]);
    const written = data("ctlog-private-key-password", "password");
    expect(written).toBe(password);
    const key = createPrivateKey({ key: data("ctlog-private-key", "private"), format: "pem", passphrase: written });
    const spki = (k: KeyObject) => k.export({ type: "spki", format: "der" }).toString("base64");
    expect(spki(createPublicKey(key))).toBe(spki(pair.publicKey));
  });

  it("applies each Secret server-side in its own namespace with the pod's token", () => {
    expect(run.urls).toEqual([
      "https://kubernetes.default.svc/api/v1/namespaces/ctlog-system/secrets/ctlog-private-key?fieldManager=ctlog-key-loader&force=true",
      "https://kubernetes.default.svc/api/v1/namespaces/ctlog-system/secrets/ctlog-private-key-password?fieldManager=ctlog-key-loader&force=true",
    ]);
    expect(run.args).toContain("-X PATCH");
    expect(run.args).toContain("-H Content-Type: application/apply-patch+yaml");
    expect(run.args).toContain("-H Authorization: Bearer token-of-the-pod");
  });

  it("refuses a key createctconfig could not decrypt (an unencrypted PEM), writing nothing", () => {
    const plain = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const refused = runLoader({ private: plain, password });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/not a password-encrypted PEM \(no DEK-Info header\)/);
    expect(refused.urls).toEqual([]);
  });

  it("refuses an empty password", () => {
    const refused = runLoader({ private: encryptedPem, password: "" });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/password in Secret Manager is empty/);
    expect(refused.urls).toEqual([]);
  });
});

const OPENSSL = spawnSync("openssl", ["version"], { encoding: "utf8" }).status === 0;

(OPENSSL ? describe : describe.skip)("the key ceremony of docs/trust-root.md, run as written (gcloud stubbed)", () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, "docs/trust-root.md"), "utf8");
  const section = doc.slice(doc.indexOf("### The CT log (Trillian): key ceremony"));
  const commands = /```sh\n([\s\S]*?)```/.exec(section)![1].split("<prefix>").join("sigstore");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctlog-ceremony-"));
  let status: number | null = null;
  let uploaded: Record<string, string> = {};
  let left: string[] = [];
  let pub = "";
  try {
    fs.mkdirSync(path.join(dir, "bin"));
    fs.mkdirSync(path.join(dir, "uploaded"));
    // gcloud secrets versions add <secret> --data-file=<file>: keep what Secret Manager would store.
    fs.writeFileSync(path.join(dir, "bin", "gcloud"), `#!/bin/sh\nfile=""\nfor a in "$@"; do case "$a" in --data-file=*) file="\${a#--data-file=}" ;; esac; done\ncp "$file" "${path.join(dir, "uploaded")}/$4"\n`, { mode: 0o755 });
    const run = spawnSync("sh", ["-ec", commands], { cwd: dir, encoding: "utf8", env: { PATH: `${path.join(dir, "bin")}:${process.env.PATH}` } });
    status = run.status;
    for (const f of fs.readdirSync(path.join(dir, "uploaded"))) uploaded[f] = fs.readFileSync(path.join(dir, "uploaded", f), "utf8");
    left = fs.readdirSync(dir).filter((f) => f.startsWith("ctlog-")).sort();
    pub = left.includes("ctlog-us-east1.pub.pem") ? fs.readFileSync(path.join(dir, "ctlog-us-east1.pub.pem"), "utf8") : "";
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  it("uploads the two secret versions the CtLog names and leaves only the public key behind", () => {
    expect(status).toBe(0);
    expect(Object.keys(uploaded).sort()).toEqual(["sigstore-ctlog-us-east1-private-key", "sigstore-ctlog-us-east1-private-key-passphrase"]);
    expect(left).toEqual(["ctlog-us-east1.pub.pem"]);
  });

  it("makes a key the loader accepts and a public key the configuration accepts, the two halves of one pair", () => {
    const run = runLoader({ private: uploaded["sigstore-ctlog-us-east1-private-key"], password: uploaded["sigstore-ctlog-us-east1-private-key-passphrase"] });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
    const passphrase = Buffer.from(run.secrets["ctlog-private-key-password"].data.password, "base64").toString("utf8");
    const key = createPrivateKey({ key: Buffer.from(run.secrets["ctlog-private-key"].data.private, "base64").toString("utf8"), format: "pem", passphrase });
    const spki = (k: KeyObject) => k.export({ type: "spki", format: "der" }).toString("base64");
    expect(spki(createPublicKey(key))).toBe(spki(createPublicKey(pub)));
    const config = parseConfig(withConfig((c) => (c.features = { ctlog: true }, c.ctlog = { publicKeys: { "us-east1": pub } })));
    expect(config.ctlog.publicKeys["us-east1"]).toBe(pub);
  });
});

describe("the key loader's objects", () => {
  const objects = ctLogKeyLoaderObjects({ privateKeySecretId: "projects/p/secrets/k", passphraseSecretId: "projects/p/secrets/pw", googleServiceAccountEmail: "ct@p.iam.gserviceaccount.com" });
  const job = objects.find((o) => o.kind === "Job") as any;

  it("run the script as a non-root, read-only container that cannot escalate, and fail before the release's timeout", () => {
    const pod = job.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    expect(pod.containers[0].command).toEqual(["sh", "-c", CTLOG_KEY_LOADER_SCRIPT]);
    expect(pod.containers[0].image).toMatch(/@sha256:[0-9a-f]{64}$/);
    // The manifests release waits 300 s: a Job that cannot mount the key (no version yet) fails first.
    expect(job.spec.activeDeadlineSeconds).toBeLessThan(300);
  });

  it("name the Job after its spec, so a changed loader is a new Job rather than an immutable-field error", () => {
    const again = ctLogKeyLoaderObjects({ privateKeySecretId: "projects/q/secrets/x", passphraseSecretId: "projects/q/secrets/y", googleServiceAccountEmail: "other@q.iam.gserviceaccount.com" }).find((o) => o.kind === "Job")!;
    expect(job.metadata.name).toMatch(/^ctlog-key-loader-[0-9a-f]{8}$/);
    // The Job spec names no secret or account: the same spec, the same name.
    expect(again.metadata.name).toBe(job.metadata.name);
  });
});

describe("a region whose CT log key is not configured yet", () => {
  // perRegion: both regions run a log; only us-east1's public key is configured.
  const pem = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString();
  const { stacks, files } = synthDeployment(
    withConfig((c) => {
      c.features = { ctlog: true };
      c.ctlog = { placement: "perRegion", publicKeys: { "us-east1": pem } };
      c.regional = { fulcio: { ca: "privateca" } };
    }, baseConfig()),
  );
  const releases = (region: string) => Object.values(stacks[`regional-${region}`].resource?.helm_release ?? {}).map((r: any) => r.name as string).sort();
  const servedZones = (region: string) => (Object.values(stacks[`regional-${region}`].resource!.terraform_data) as any[]).find((d) => /ctlog-[a-z0-9]+-http$/.test(d.input?.http ?? "")).input.zones;

  it("installs no CT log release (no key generated in its place) and publishes no CT log zone", () => {
    expect(releases("europe-west1")).not.toContain("ctlog");
    expect(releases("europe-west1")).not.toContain("ctlog-key-loader");
    expect(stacks["regional-europe-west1"].data?.kubernetes_secret_v1).toBeUndefined();
    expect(servedZones("europe-west1")).toEqual([]);
  });

  it("says so at synth, naming the secrets to fill and the setting to make", () => {
    const manifest = files["manifest.json"];
    expect(manifest).toContain("The CT log is not installed in europe-west1 yet: it signs only with its key from Secret Manager.");
    expect(manifest).toContain("versions of the secrets sigstore-ctlog-europe-west1-private-key and sigstore-ctlog-europe-west1-private-key-passphrase");
    expect(manifest).toContain("then set ctlog.publicKeys.europe-west1 to its public key");
    expect(manifest).not.toContain("The CT log is not installed in us-east1");
  });

  it("still creates the empty secrets for the operator to fill", () => {
    const ids = Object.values(stacks["regional-europe-west1"].resource!.google_secret_manager_secret).map((s: any) => s.secret_id).filter((id: string) => id.includes("ctlog")).sort();
    expect(ids).toEqual(["sigstore-ctlog-europe-west1-private-key", "sigstore-ctlog-europe-west1-private-key-passphrase"]);
  });

  it("while the region with its key configured installs the loader and the log", () => {
    expect(releases("us-east1")).toEqual(expect.arrayContaining(["ctlog", "ctlog-key-loader"]));
    expect(servedZones("us-east1")).toEqual(["us-east1-b", "us-east1-c"]);
  });
});
