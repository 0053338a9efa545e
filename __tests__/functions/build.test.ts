import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ChildProcess, spawn } from "child_process";
import { createServer } from "net";
import { unzipSync } from "fflate";
import { createLocalJWKSet, jwtVerify } from "jose";
import { bundleFunction, deterministicZip, packageFunction, sha256 } from "../../functions/build";
import { REPO_ROOT } from "../helpers/synth";
import { FakeGcs } from "./fake-gcs";
import { keySet, makeKey } from "./keys";

const merger = bundleFunction("jwks-merger");
const publisher = bundleFunction("jwks-publisher");

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe("function bundles", () => {
  it("are byte-identical when built twice, and so are their zips", () => {
    const again = bundleFunction("jwks-merger");
    for (const file of Object.keys(merger.files)) expect(Buffer.from(again.files[file]).equals(Buffer.from(merger.files[file]))).toBe(true);
    expect(sha256(deterministicZip(merger.files))).toBe(sha256(deterministicZip(again.files)));
  });

  it("contain no path of this machine", () => {
    for (const bundle of [merger, publisher]) {
      const text = Buffer.from(bundle.files["index.js"]).toString("utf8");
      for (const local of [REPO_ROOT, `${os.homedir()}/`, `${os.tmpdir()}/`, "/work/"]) expect([local, text.includes(local)]).toEqual([local, false]);
    }
  });

  it("are one file each under 1 MB, the merger declaring only the Functions Framework, the publisher nothing", () => {
    expect(merger.files["index.js"].byteLength).toBeLessThan(1_000_000);
    expect(publisher.files["index.js"].byteLength).toBeLessThan(1_000_000); // it also has to fit a ConfigMap
    expect(JSON.parse(Buffer.from(merger.files["package.json"]).toString()).dependencies).toEqual({ "@google-cloud/functions-framework": "5.0.5" });
    expect(JSON.parse(Buffer.from(publisher.files["package.json"]).toString()).dependencies).toEqual({});
    const text = Buffer.from(merger.files["index.js"]).toString();
    expect(text).toContain('require("@google-cloud/functions-framework")');
  });

  it("zip with sorted entries and a fixed timestamp", () => {
    const zip = deterministicZip(merger.files);
    expect(Object.keys(unzipSync(zip))).toEqual(["index.js", "package.json"]);
    const packaged = packageFunction("jwks-merger", fs.mkdtempSync(path.join(os.tmpdir(), "fn-cache-")));
    expect(packaged.sha256).toBe(sha256(zip));
    expect(packaged.sha256).toBe(sha256(fs.readFileSync(packaged.zipFile)));
  });
});

describe("the deployable merger artifact", () => {
  let dir: string;
  let gcs: FakeGcs;
  let child: ChildProcess | undefined;
  let output = "";

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "merger-artifact-"));
    for (const [file, bytes] of Object.entries(unzipSync(fs.readFileSync(packageFunction("jwks-merger", path.join(dir, ".cache")).zipFile)))) {
      fs.writeFileSync(path.join(dir, file), bytes);
    }
    // What the buildpack installs from package.json: only the framework (its own
    // dependencies resolve next to it). Nothing else is resolvable from the
    // bundle's directory, so a module missing from the bundle would fail here.
    fs.mkdirSync(path.join(dir, "node_modules", "@google-cloud"), { recursive: true });
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules", "@google-cloud", "functions-framework"), path.join(dir, "node_modules", "@google-cloud", "functions-framework"));
    gcs = new FakeGcs();
  });
  afterAll(async () => {
    child?.kill();
    await gcs.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("boots under the Functions Framework and merges real keys through the Cloud Storage API", async () => {
    const endpoint = await gcs.start();
    const port = await freePort();
    child = spawn(process.execPath, [path.join(dir, "node_modules/@google-cloud/functions-framework/build/src/main.js"), "--target=mergeJwks", "--signature-type=cloudevent", `--port=${port}`, `--source=${dir}`], {
      cwd: dir,
      env: { PATH: process.env.PATH, STORAGE_EMULATOR_HOST: endpoint, PUBLISHED_BUCKET: "published", PUBLISHED_OBJECT: "auth/keys", GOOGLE_CLOUD_PROJECT: "test" },
    });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const url = `http://127.0.0.1:${port}/`;
    for (let i = 0; ; i++) {
      try {
        await fetch(`${url}healthz-probe`, { method: "GET" });
        break;
      } catch {
        if (i > 100) throw new Error(`the framework did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const [east, west] = await Promise.all([makeKey("east-1"), makeKey("west-1", "ES256")]);
    gcs.put("incoming", "keys/us-east1.json", keySet(east.publicJwk));
    gcs.put("incoming", "keys/europe-west1.json", keySet(west.publicJwk));
    const post = (name: string) =>
      fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "ce-specversion": "1.0",
          "ce-type": "google.cloud.storage.object.v1.finalized",
          "ce-source": "//storage.googleapis.com/projects/_/buckets/incoming",
          "ce-id": name,
          "ce-subject": `objects/${name}`,
        },
        body: JSON.stringify({ bucket: "incoming", name }),
      });
    expect((await post("auth/keys")).status).toBe(204);
    expect(gcs.objects.has("published/auth/keys")).toBe(false);
    const response = await post("keys/europe-west1.json");
    if (response.status !== 204) throw new Error(`status ${response.status}:\n${output}`);
    const stored = gcs.objects.get("published/auth/keys")!;
    expect(stored.metadata).toEqual({ contentType: "application/json", cacheControl: "public, max-age=5" });
    const jwks = JSON.parse(stored.body.toString());
    for (const key of [east, west]) await jwtVerify(await key.sign(), createLocalJWKSet(jwks));
    expect(gcs.requests.find((r) => r.method === "POST")!.query.ifGenerationMatch).toBe("0");
    expect(output).toContain('"event":"jwks_merge_succeeded"');
  });
});
