import type { AddressInfo } from "net";
import type { Server } from "http";
import * as functions from "@google-cloud/functions-framework";
import { getTestServer } from "@google-cloud/functions-framework/testing";
import { createLocalJWKSet, jwtVerify } from "jose";
import { LOG_EVENTS, MERGED_CACHE_SECONDS } from "../../functions/jwks-merger/src/handler";
import { createMergeJwksHandler } from "../../functions/jwks-merger/src/index";
import type { LogEntry } from "../../functions/shared/log";
import { MemoryObjectStore } from "../../functions/shared/object-store";
import { keySet, makeKey, TestKey } from "./keys";

const INCOMING = "incoming-bucket";
const PUBLISHED = "published-bucket";
const OBJECT = "auth/keys";

let store: MemoryObjectStore;
let logs: LogEntry[];
let server: Server;
let url: string;
let east: TestKey;
let west: TestKey;

beforeAll(async () => {
  [east, west] = await Promise.all([makeKey("east-1"), makeKey("west-1", "ES256")]);
  // Registered under its own name, with storage injected; the framework is real.
  functions.cloudEvent(
    "mergeJwksUnderTest",
    createMergeJwksHandler({
      // The handler keeps the store it builds; delegate so each test gets a fresh one.
      store: () => ({
        read: (bucket, name) => store.read(bucket, name),
        list: (bucket, prefix) => store.list(bucket, prefix),
        write: (bucket, name, body, options) => store.write(bucket, name, body, options),
      }),
      settings: () => ({ publishedBucket: PUBLISHED, publishedObject: OBJECT }),
      log: (entry) => logs.push(entry),
      sleep: async () => undefined,
    }),
  );
  server = getTestServer("mergeJwksUnderTest");
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  store = new MemoryObjectStore();
  logs = [];
});

let eventId = 0;
/** Posts an object.finalized CloudEvent in binary content mode, as Eventarc does. */
async function finalized(bucket: string, name: string): Promise<number> {
  const response = await fetch(url, {
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
  return response.status;
}

function published(): { keys: { kid: string }[] } {
  return JSON.parse(new TextDecoder().decode((store as any).objects.get(`${PUBLISHED}/${OBJECT}`).body));
}

describe("the merger function under the Functions Framework", () => {
  it("publishes every region's keys with JSON content type and a short cache lifetime; tokens from each region verify", async () => {
    store.put(INCOMING, "keys/us-east1.json", keySet(east.publicJwk));
    store.put(INCOMING, "keys/europe-west1.json", keySet(west.publicJwk));
    expect(await finalized(INCOMING, "keys/europe-west1.json")).toBe(204);
    const jwks = published();
    expect(jwks.keys.map((k) => k.kid)).toEqual(["east-1", "west-1"]);
    for (const key of [east, west]) await jwtVerify(await key.sign(), createLocalJWKSet(jwks as any));
    const meta = store.metadata(PUBLISHED, OBJECT)!;
    expect(meta.contentType).toBe("application/json");
    expect(meta.cacheControl).toBe(`public, max-age=${MERGED_CACHE_SECONDS}`);
    expect(MERGED_CACHE_SECONDS).toBeLessThanOrEqual(30);
    expect(store.writes[0].options.ifGenerationMatch).toBe(0);
    expect(logs.filter((l) => l.event === LOG_EVENTS.succeeded)).toHaveLength(1);
  });

  it("ignores objects outside keys/, so its own write never triggers it", async () => {
    store.put(INCOMING, "keys/us-east1.json", keySet(east.publicJwk));
    for (const name of ["auth/keys", "keysabc.json", "other/keys/x.json", "keys/readme.txt"]) {
      expect(await finalized(INCOMING, name)).toBe(204);
    }
    expect(store.writes).toEqual([]);
    expect(logs.map((l) => l.event)).toEqual(Array(4).fill(LOG_EVENTS.ignored));
  });

  it("fails the invocation and leaves the published set untouched when no input is usable", async () => {
    store.put(INCOMING, "keys/us-east1.json", keySet(east.publicJwk));
    expect(await finalized(INCOMING, "keys/us-east1.json")).toBe(204);
    const before = store.metadata(PUBLISHED, OBJECT)!.generation;
    store.put(INCOMING, "keys/us-east1.json", "{ broken");
    store.put(INCOMING, "keys/europe-west1.json", keySet(east.privateJwk));
    expect(await finalized(INCOMING, "keys/europe-west1.json")).toBe(500);
    expect(store.metadata(PUBLISHED, OBJECT)!.generation).toBe(before);
    expect(published().keys.map((k) => k.kid)).toEqual(["east-1"]);
    const failure = logs.find((l) => l.event === LOG_EVENTS.failed)!;
    expect(failure.severity).toBe("ERROR");
    expect((failure.rejected as any[]).map((r) => r.source)).toEqual(["keys/europe-west1.json", "keys/us-east1.json"]);
  });

  it("never publishes an empty key set", async () => {
    store.put(INCOMING, "keys/us-east1.json", JSON.stringify({ keys: [] }));
    expect(await finalized(INCOMING, "keys/us-east1.json")).toBe(500);
    expect(store.writes).toEqual([]);
  });

  it("does not rewrite an unchanged key set", async () => {
    store.put(INCOMING, "keys/us-east1.json", keySet(east.publicJwk));
    await finalized(INCOMING, "keys/us-east1.json");
    await finalized(INCOMING, "keys/us-east1.json");
    expect(store.writes).toHaveLength(1);
    expect(logs.filter((l) => l.event === LOG_EVENTS.succeeded).map((l) => l.written)).toEqual([true, false]);
  });

  it("loses no key when two regions update at once: the write that loses the race re-reads and merges again", async () => {
    store.put(INCOMING, "keys/us-east1.json", keySet(east.publicJwk));
    // The first merge reads, then, before it writes, Europe uploads and its
    // own merge completes. The first write then fails its precondition.
    let interleaved = false;
    store.beforeWrite = async (bucket) => {
      if (bucket !== PUBLISHED || interleaved) return;
      interleaved = true;
      store.put(INCOMING, "keys/europe-west1.json", keySet(west.publicJwk));
      expect(await finalized(INCOMING, "keys/europe-west1.json")).toBe(204);
    };
    expect(await finalized(INCOMING, "keys/us-east1.json")).toBe(204);
    expect(published().keys.map((k) => k.kid)).toEqual(["east-1", "west-1"]);
    expect(logs.map((l) => l.event)).toContain(LOG_EVENTS.retried);
  });
});
