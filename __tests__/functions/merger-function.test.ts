import type { AddressInfo } from "net";
import type { Server } from "http";
import * as functions from "@google-cloud/functions-framework";
import { getTestServer } from "@google-cloud/functions-framework/testing";
import { createLocalJWKSet, JSONWebKeySet, jwtVerify } from "jose";
import { backoffMs, createMergeJwksHandler, DEFAULT_MAX_ATTEMPTS, LOG_EVENTS, MAX_LOGGED_REJECTIONS, MERGED_CACHE_CONTROL, MERGED_CACHE_SECONDS } from "../../functions/jwks-merger/src/handler";
import type { LogEntry } from "../../functions/shared/log";
import { MemoryObjectStore, ObjectStore } from "../../functions/shared/object-store";
import { keySet, makeKey, TestKey } from "./keys";

const INCOMING = "incoming-bucket";
const PUBLISHED = "published-bucket";
const OBJECT = "auth/keys";

let store: MemoryObjectStore;
let logs: LogEntry[];
let sleeps: number[];
let server: Server;
let url: string;
let east: TestKey;
let west: TestKey;

/** Stops accepting, ends every connection (idle keep-alive ones too), and waits for the server to close. */
function closeServer(s: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    s.close(() => resolve());
    s.closeAllConnections();
  });
}

beforeAll(async () => {
  [east, west] = await Promise.all([makeKey("east-1"), makeKey("west-1", "ES256")]);
  // The framework prints the stack of a failed invocation; the tests assert the failures.
  jest.spyOn(console, "error").mockImplementation(() => undefined);
  // The real framework and handler, registered under a test name with storage injected.
  functions.cloudEvent(
    "mergeJwksUnderTest",
    createMergeJwksHandler({
      // The handler keeps the store it builds; delegate so each test gets a fresh one.
      store: (): ObjectStore => ({
        read: (bucket, name) => store.read(bucket, name),
        list: (bucket, prefix) => store.list(bucket, prefix),
        write: (bucket, name, body, options) => store.write(bucket, name, body, options),
      }),
      settings: () => ({ publishedBucket: PUBLISHED, publishedObject: OBJECT }),
      log: (entry) => logs.push(entry),
      sleep: async (ms) => void sleeps.push(ms),
    }),
  );
  server = getTestServer("mergeJwksUnderTest");
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
// close() waits for open connections; fetch keeps them alive, which kept the worker from exiting.
afterAll(() => closeServer(server));
beforeEach(() => {
  store = new MemoryObjectStore();
  logs = [];
  sleeps = [];
});

let eventId = 0;
/** Posts an object.finalized CloudEvent in binary content mode, as Eventarc does. */
async function finalized(bucket: string, name: string, target = url): Promise<number> {
  const response = await fetch(target, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "ce-specversion": "1.0",
      "ce-type": "google.cloud.storage.object.v1.finalized",
      "ce-source": `//storage.googleapis.com/projects/_/buckets/${bucket}`,
      "ce-subject": `objects/${name}`,
      "ce-id": String(++eventId),
      "ce-time": "2026-11-23T00:00:00Z",
    },
    body: JSON.stringify({ bucket, name, generation: "1", contentType: "application/json" }),
  });
  await response.arrayBuffer();
  return response.status;
}

function published(): JSONWebKeySet {
  return JSON.parse(new TextDecoder().decode(store.peek(PUBLISHED, OBJECT)!.body));
}

const events = () => logs.map((l) => l.event);

describe("the merger function under the Functions Framework", () => {
  it("publishes every region's keys with JSON content type and a short cache lifetime; tokens from each region verify", async () => {
    store.put(INCOMING, "keys/us-east1.json", keySet(east.publicJwk));
    store.put(INCOMING, "keys/europe-west1.json", keySet(west.publicJwk));
    expect(await finalized(INCOMING, "keys/europe-west1.json")).toBe(204);
    const jwks = published();
    expect(jwks.keys.map((k) => k.kid)).toEqual(["east-1", "west-1"]);
    for (const key of [east, west]) {
      const { protectedHeader } = await jwtVerify(await key.sign(), createLocalJWKSet(jwks), { audience: "sigstore" });
      expect(protectedHeader.kid).toBe(key.kid);
    }
    expect(store.peek(PUBLISHED, OBJECT)!.metadata).toEqual({ contentType: "application/json", cacheControl: `public, max-age=${MERGED_CACHE_SECONDS}` });
    expect(MERGED_CACHE_CONTROL).toBe(`public, max-age=${MERGED_CACHE_SECONDS}`);
    expect(MERGED_CACHE_SECONDS).toBeLessThanOrEqual(30);
    expect(store.writes.map((w) => w.options.ifGenerationMatch)).toEqual([0]);
    expect(logs).toEqual([
      expect.objectContaining({
        severity: "INFO",
        event: LOG_EVENTS.succeeded,
        keyCount: 2,
        kids: ["east-1", "west-1"],
        sources: ["keys/europe-west1.json", "keys/us-east1.json"],
        rejected: [],
        written: true,
        trigger: `gs://${INCOMING}/keys/europe-west1.json`,
      }),
    ]);
  });

  it("accepts structured-mode CloudEvents too", async () => {
    store.put(INCOMING, "keys/us-east1.json", keySet(east.publicJwk));
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/cloudevents+json" },
      body: JSON.stringify({
        specversion: "1.0",
        type: "google.cloud.storage.object.v1.finalized",
        source: `//storage.googleapis.com/projects/_/buckets/${INCOMING}`,
        id: "structured-1",
        data: { bucket: INCOMING, name: "keys/us-east1.json" },
      }),
    });
    expect(response.status).toBe(204);
    expect(published().keys.map((k) => k.kid)).toEqual(["east-1"]);
  });

  it("ignores objects outside keys/, so its own write never triggers it", async () => {
    store.put(INCOMING, "keys/us-east1.json", keySet(east.publicJwk));
    const reads: string[] = [];
    store.beforeOperation = (op, _bucket, name) => void reads.push(`${op} ${name}`);
    for (const name of ["auth/keys", "keysabc.json", "other/keys/x.json", "keys/readme.txt"]) {
      expect(await finalized(INCOMING, name)).toBe(204);
    }
    expect(reads).toEqual([]);
    expect(store.writes).toEqual([]);
    expect(events()).toEqual(Array(4).fill(LOG_EVENTS.ignored));
  });

  it("fails the invocation and leaves the published set untouched when no input is usable", async () => {
    store.put(INCOMING, "keys/us-east1.json", keySet(east.publicJwk));
    expect(await finalized(INCOMING, "keys/us-east1.json")).toBe(204);
    const before = store.peek(PUBLISHED, OBJECT)!;
    store.put(INCOMING, "keys/us-east1.json", "{ broken");
    store.put(INCOMING, "keys/europe-west1.json", keySet(east.privateJwk));
    expect(await finalized(INCOMING, "keys/europe-west1.json")).toBe(500);
    expect(store.peek(PUBLISHED, OBJECT)).toEqual(before);
    const failure = logs.find((l) => l.event === LOG_EVENTS.failed)!;
    expect(failure).toMatchObject({ severity: "ERROR", retried: true, sources: ["keys/europe-west1.json", "keys/us-east1.json"] });
    expect((failure.rejected as { source: string; reason: string }[]).map((r) => [r.source, r.reason.split(" ")[0]])).toEqual([
      ["keys/europe-west1.json", "contains"],
      ["keys/us-east1.json", "malformed"],
    ]);
  });

  it("never publishes an empty key set, with no usable key or no source at all", async () => {
    expect(await finalized(INCOMING, "keys/us-east1.json")).toBe(500);
    store.put(INCOMING, "keys/us-east1.json", JSON.stringify({ keys: [] }));
    expect(await finalized(INCOMING, "keys/us-east1.json")).toBe(500);
    expect(store.writes).toEqual([]);
    expect(events()).toEqual([LOG_EVENTS.failed, LOG_EVENTS.failed]);
  });

  it("publishes the other regions' keys when one region's input is bad, and reports it", async () => {
    store.put(INCOMING, "keys/us-east1.json", keySet(east.publicJwk));
    store.put(INCOMING, "keys/europe-west1.json", "x".repeat(70_000));
    expect(await finalized(INCOMING, "keys/europe-west1.json")).toBe(204);
    expect(published().keys.map((k) => k.kid)).toEqual(["east-1"]);
    expect(logs).toEqual([
      expect.objectContaining({ severity: "WARNING", event: LOG_EVENTS.succeeded, rejectedCount: 1, rejected: [expect.objectContaining({ source: "keys/europe-west1.json" })] }),
    ]);
  });

  it("keeps each log line small enough for Cloud Logging, however many keys a source gets wrong", async () => {
    store.put(INCOMING, "keys/us-east1.json", keySet(east.publicJwk));
    store.put(INCOMING, "keys/europe-west1.json", JSON.stringify({ keys: Array(20_000).fill({}) }));
    expect(await finalized(INCOMING, "keys/europe-west1.json")).toBe(204);
    store.put(INCOMING, "keys/us-east1.json", JSON.stringify({ keys: Array(20_000).fill({}) }));
    expect(await finalized(INCOMING, "keys/us-east1.json")).toBe(500);
    expect(logs.map((l) => [l.event, l.rejectedCount, (l.rejected as unknown[]).length])).toEqual([
      [LOG_EVENTS.succeeded, 20_000, MAX_LOGGED_REJECTIONS],
      [LOG_EVENTS.failed, 40_000, MAX_LOGGED_REJECTIONS],
    ]);
    for (const line of logs) expect(JSON.stringify(line).length).toBeLessThan(64 * 1024);
  });

  it("does not rewrite an unchanged key set, and still reports success", async () => {
    store.put(INCOMING, "keys/us-east1.json", keySet(east.publicJwk));
    expect(await finalized(INCOMING, "keys/us-east1.json")).toBe(204);
    expect(await finalized(INCOMING, "keys/us-east1.json")).toBe(204);
    expect(store.writes).toHaveLength(1);
    expect(logs.filter((l) => l.event === LOG_EVENTS.succeeded).map((l) => l.written)).toEqual([true, false]);
  });

  it("rewrites the same bytes when the published object's metadata is outdated", async () => {
    store.put(INCOMING, "keys/us-east1.json", keySet(east.publicJwk));
    expect(await finalized(INCOMING, "keys/us-east1.json")).toBe(204);
    const { body, generation } = store.peek(PUBLISHED, OBJECT)!;
    store.put(PUBLISHED, OBJECT, body, { contentType: "application/json", cacheControl: "public, max-age=3600" });
    expect(await finalized(INCOMING, "keys/us-east1.json")).toBe(204);
    expect(store.peek(PUBLISHED, OBJECT)!.metadata!.cacheControl).toBe(MERGED_CACHE_CONTROL);
    expect(store.peek(PUBLISHED, OBJECT)!.generation).toBeGreaterThan(generation);
  });

  it("loses no key when two regions update at once: the write that loses the race re-reads and merges again", async () => {
    store.put(INCOMING, "keys/us-east1.json", keySet(east.publicJwk));
    // Invocation A (for us-east1) has read everything and is about to write
    // when Europe uploads and invocation B runs to completion; then A writes.
    let blocked!: () => void;
    const aIsBlocked = new Promise<void>((r) => (blocked = r));
    let release!: () => void;
    const bIsDone = new Promise<void>((r) => (release = r));
    let publishedWrites = 0;
    store.beforeOperation = async (op, bucket) => {
      if (op === "write" && bucket === PUBLISHED && ++publishedWrites === 1) {
        blocked();
        await bIsDone;
      }
    };
    const a = finalized(INCOMING, "keys/us-east1.json");
    await aIsBlocked;
    store.put(INCOMING, "keys/europe-west1.json", keySet(west.publicJwk));
    expect(await finalized(INCOMING, "keys/europe-west1.json")).toBe(204);
    expect(published().keys.map((k) => k.kid)).toEqual(["east-1", "west-1"]);
    release();
    expect(await a).toBe(204);
    // A's write failed its precondition (it had read no published object), so it merged again.
    expect(published().keys.map((k) => k.kid)).toEqual(["east-1", "west-1"]);
    expect(store.writes.map((w) => w.options.ifGenerationMatch)).toEqual([0]);
    expect(events()).toEqual([LOG_EVENTS.succeeded, LOG_EVENTS.retried, LOG_EVENTS.succeeded]);
    expect(logs[2].written).toBe(false);
    expect(sleeps).toHaveLength(1);
  });

  it("keeps every region's key when many regions upload at once with random storage latency", async () => {
    const regions = await Promise.all(["a", "b", "c", "d"].map((r) => makeKey(`${r}-1`, "ES256")));
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // Seeded (mulberry32): every run draws the same delays, so a failure can be replayed.
    let seed = 0x5157;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    for (let round = 0; round < 8; round++) {
      // Slow, uneven writes: an earlier merge's write often lands after a later one's.
      store = new MemoryObjectStore({ latencyMs: (op) => Math.floor(random() * (op === "write" ? 30 : 3)) });
      logs = [];
      // Each region uploads and triggers its merge at a random moment, so
      // merges overlap while seeing different subsets of the uploads.
      const statuses = await Promise.all(
        regions.map(async (key) => {
          await pause(Math.floor(random() * 30));
          store.put(INCOMING, `keys/${key.kid}.json`, keySet(key.publicJwk));
          return finalized(INCOMING, `keys/${key.kid}.json`);
        }),
      );
      expect(statuses).toEqual([204, 204, 204, 204]);
      const jwks = published();
      expect(jwks.keys.map((k) => k.kid)).toEqual(["a-1", "b-1", "c-1", "d-1"]);
      for (const key of regions) await jwtVerify(await key.sign(), createLocalJWKSet(jwks));
    }
  });

  it("fails after a bounded number of attempts, with jittered backoff, when other writers always win", async () => {
    store.put(INCOMING, "keys/us-east1.json", keySet(east.publicJwk));
    store.beforeOperation = (op, bucket) => {
      if (op === "write" && bucket === PUBLISHED) store.put(PUBLISHED, OBJECT, '{"keys":[]}'); // someone else wrote
    };
    expect(await finalized(INCOMING, "keys/us-east1.json")).toBe(500);
    expect(events()).toEqual([...Array(DEFAULT_MAX_ATTEMPTS - 1).fill(LOG_EVENTS.retried), LOG_EVENTS.failed]);
    expect(logs.at(-1)).toMatchObject({ attempt: DEFAULT_MAX_ATTEMPTS, severity: "ERROR" });
    expect(sleeps).toHaveLength(DEFAULT_MAX_ATTEMPTS - 1);
    sleeps.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(50 * 2 ** i);
      expect(ms).toBeLessThan(150 * 2 ** i);
    });
  });

  it.each(["list", "read", "write"] as const)("fails the invocation, logged, when storage fails to %s", async (failing) => {
    store.put(INCOMING, "keys/us-east1.json", keySet(east.publicJwk));
    store.beforeOperation = (op) => {
      if (op === failing) throw new Error(`storage unavailable (${op})`);
    };
    expect(await finalized(INCOMING, "keys/us-east1.json")).toBe(500);
    expect(store.peek(PUBLISHED, OBJECT)).toBeUndefined();
    expect(logs).toEqual([expect.objectContaining({ severity: "ERROR", event: LOG_EVENTS.failed, retried: true, message: expect.stringContaining(`storage unavailable (${failing})`) })]);
  });

  it("acknowledges, without retry, an event that names no object, and logs it as a failure", async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "ce-specversion": "1.0", "ce-type": "google.cloud.storage.object.v1.finalized", "ce-source": "//x", "ce-id": "bad-1" },
      body: JSON.stringify({ bucket: INCOMING }),
    });
    expect(response.status).toBe(204);
    expect(logs).toEqual([expect.objectContaining({ severity: "ERROR", event: LOG_EVENTS.failed, retried: false })]);
  });
});

describe("backoffMs", () => {
  it("doubles per attempt with ±50% jitter", () => {
    expect([1, 2, 3].map((a) => backoffMs(a, () => 0))).toEqual([50, 100, 200]);
    expect([1, 2, 3].map((a) => backoffMs(a, () => 0.999))).toEqual([149, 299, 599]);
  });
});

describe("the deployed entry point (index.ts)", () => {
  let entry: Server;
  let entryUrl: string;
  const lines: string[] = [];
  beforeAll(async () => {
    jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    // Loading the module registers the function, exactly as the runtime loads it.
    require("../../functions/jwks-merger/src/index");
    entry = getTestServer("mergeJwks");
    await new Promise<void>((resolve) => entry.listen(0, "127.0.0.1", resolve));
    entryUrl = `http://127.0.0.1:${(entry.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    (process.stdout.write as unknown as jest.SpyInstance).mockRestore();
    await closeServer(entry);
  });

  it("registers mergeJwks, logs JSON lines to stdout, and fails loudly without its bucket setting", async () => {
    const saved = process.env.PUBLISHED_BUCKET;
    delete process.env.PUBLISHED_BUCKET;
    try {
      expect(await finalized(INCOMING, OBJECT, entryUrl)).toBe(204);
      expect(await finalized(INCOMING, "keys/us-east1.json", entryUrl)).toBe(500);
    } finally {
      if (saved !== undefined) process.env.PUBLISHED_BUCKET = saved;
    }
    const json = lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as LogEntry);
    expect(json.map((l) => [l.severity, l.event])).toEqual([
      ["INFO", LOG_EVENTS.ignored],
      ["ERROR", LOG_EVENTS.failed],
    ]);
    expect(json[1].message).toContain("PUBLISHED_BUCKET is not set");
  });
});
