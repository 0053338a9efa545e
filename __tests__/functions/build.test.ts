import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ChildProcess, execFileSync, spawn } from "child_process";
import { createServer as createHttpServer } from "http";
import { createServer } from "net";
import { unzipSync } from "fflate";
import { createLocalJWKSet, jwtVerify } from "jose";
import { bundleFunction, deterministicZip, packageFunction, sha256 } from "../../functions/build";
import { REPO_ROOT } from "../helpers/synth";
import { SYSTEM_TMPDIR } from "../helpers/temp";
import { FakeGcs } from "./fake-gcs";
import { keySet, makeKey } from "./keys";

const merger = bundleFunction("jwks-merger");
const publisher = bundleFunction("jwks-publisher");

// The merger packaged once into a fresh cache (built, not found): the zip the
// tests below check and the artifact they boot.
const cache = fs.mkdtempSync(path.join(os.tmpdir(), "fn-cache-"));
afterAll(() => fs.rmSync(cache, { recursive: true, force: true }));
let packagedMerger: ReturnType<typeof packageFunction> | undefined;
function mergerPackage(): ReturnType<typeof packageFunction> {
  packagedMerger ??= packageFunction("jwks-merger", cache);
  return packagedMerger;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Kills a child (if still running) and waits until it has exited. */
async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGKILL");
  await exited;
}

describe("function bundles", () => {
  it("are byte-identical when built twice, and so are their zips", () => {
    // The second build is packageFunction's, into a fresh cache: the files it wrote and the zip it made.
    const again = mergerPackage();
    expect(Object.keys(again.files).sort()).toEqual(Object.keys(merger.files).sort());
    for (const file of Object.keys(merger.files)) expect([file, Buffer.from(again.files[file]).equals(Buffer.from(merger.files[file]))]).toEqual([file, true]);
    expect(again.sha256).toBe(sha256(deterministicZip(merger.files)));
  });

  it("contain no path of this machine", () => {
    for (const bundle of [merger, publisher]) {
      const text = Buffer.from(bundle.files["index.js"]).toString("utf8");
      for (const local of [REPO_ROOT, `${os.homedir()}/`, `${os.tmpdir()}/`, `${SYSTEM_TMPDIR}/`, "/work/"]) expect([local, text.includes(local)]).toEqual([local, false]);
    }
  });

  it("are one file each under 1 MB, the merger declaring only the Functions Framework, the publisher nothing", () => {
    expect(merger.files["index.js"].byteLength).toBeLessThan(1_000_000);
    // The publisher is mounted from a ConfigMap (1 MiB at most): no Cloud Storage client inside.
    expect(publisher.files["index.js"].byteLength).toBeLessThan(64 * 1024);
    expect(Buffer.from(publisher.files["index.js"]).toString()).not.toContain("@google-cloud/storage");
    process.stdout.write(`bundles: merger index.js ${merger.files["index.js"].byteLength} bytes, publisher index.js ${publisher.files["index.js"].byteLength} bytes\n`);
    expect(JSON.parse(Buffer.from(merger.files["package.json"]).toString()).dependencies).toEqual({ "@google-cloud/functions-framework": "5.0.5" });
    expect(JSON.parse(Buffer.from(publisher.files["package.json"]).toString()).dependencies).toEqual({});
    const text = Buffer.from(merger.files["index.js"]).toString();
    expect(text).toContain('require("@google-cloud/functions-framework")');
  });

  it("zip with sorted entries and a fixed timestamp", () => {
    const zip = deterministicZip(merger.files);
    expect(Object.keys(unzipSync(zip))).toEqual(["index.js", "package.json"]);
    // DOS time and date of the first local header: 00:00:00, 1980-01-01.
    expect([Buffer.from(zip).readUInt16LE(10), Buffer.from(zip).readUInt16LE(12)]).toEqual([0, (0 << 9) | (1 << 5) | 1]);
    const packaged = mergerPackage();
    expect(path.dirname(path.dirname(packaged.zipFile))).toBe(cache);
    expect(packaged.sha256).toBe(sha256(zip));
    expect(packaged.sha256).toBe(sha256(fs.readFileSync(packaged.zipFile)));
  });

  it("zip to the same bytes in every time zone", () => {
    // fflate stamps entries in local time. One fresh process (not this worker, whose zone other tests share)
    // switches its zone between zips: Node applies a new process.env.TZ to Date at once.
    const script =
      'const b = require("./functions/build.ts");' +
      'process.stdout.write(JSON.stringify(["UTC", "Pacific/Kiritimati", "America/Los_Angeles"].map((zone) => {' +
      '  process.env.TZ = zone;' +
      '  return { offset: new Date(Date.UTC(2026, 0, 1)).getTimezoneOffset(), hash: b.sha256(b.deterministicZip({ "b.js": new Uint8Array([2]), "a.js": new Uint8Array([1]) })) };' +
      "})));";
    const runs: { offset: number; hash: string }[] = JSON.parse(
      execFileSync(process.execPath, ["--require", "sucrase/register/ts", "-e", script], { cwd: REPO_ROOT, env: { ...process.env, TZ: "Asia/Kolkata" } }).toString(),
    );
    // The zone took effect for each zip: UTC, UTC+14, UTC-8 in January.
    expect(runs.map((r) => r.offset)).toEqual([0, -840, 480]);
    const hashes = runs.map((r) => r.hash);
    expect(new Set(hashes).size).toBe(1);
    expect(hashes[0]).toBe(sha256(deterministicZip({ "a.js": new Uint8Array([1]), "b.js": new Uint8Array([2]) })));
  });
});

describe("the deployable merger artifact", () => {
  let dir: string;
  let gcs: FakeGcs;
  let child: ChildProcess | undefined;
  let output = "";

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "merger-artifact-"));
    for (const [file, bytes] of Object.entries(unzipSync(fs.readFileSync(mergerPackage().zipFile)))) {
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
    await stopChild(child);
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

describe("the deployable publisher artifact", () => {
  it("runs as `node index.js` alone, publishes Dex's keys through the Cloud Storage API, serves /healthz, and exits 0 on SIGTERM", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "publisher-artifact-"));
    // Only the file the ConfigMap mounts: nothing else is resolvable.
    fs.writeFileSync(path.join(dir, "index.js"), publisher.files["index.js"]);
    const key = await makeKey("east-1");
    const dex = createHttpServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(keySet(key.publicJwk)));
    await new Promise<void>((resolve) => dex.listen(0, "127.0.0.1", resolve));
    const gcs = new FakeGcs();
    const endpoint = await gcs.start();
    const healthPort = await freePort();
    let output = "";
    const child = spawn(process.execPath, ["index.js"], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        DEX_KEYS_URL: `http://127.0.0.1:${(dex.address() as { port: number }).port}/auth/keys`,
        BUCKET: "incoming",
        OBJECT_NAME: "keys/us-east1.json",
        POLL_INTERVAL_MS: "200",
        HEALTH_PORT: String(healthPort),
        STORAGE_EMULATOR_HOST: endpoint,
      },
    });
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      for (let i = 0; !gcs.objects.has("incoming/keys/us-east1.json"); i++) {
        if (i > 100) throw new Error(`no upload:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const jwks = JSON.parse(gcs.objects.get("incoming/keys/us-east1.json")!.body.toString());
      await jwtVerify(await key.sign(), createLocalJWKSet(jwks));
      expect((await fetch(`http://127.0.0.1:${healthPort}/healthz`)).status).toBe(200);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      const events = output
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l).event);
      expect([events[0], events[1], events.at(-1)]).toEqual(["jwks_publisher_started", "jwks_uploaded", "jwks_publisher_stopped"]);
    } finally {
      await stopChild(child);
      await gcs.stop();
      await new Promise<void>((resolve) => (dex.close(() => resolve()), dex.closeAllConnections()));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
