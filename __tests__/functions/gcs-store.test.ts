import { createServer, IncomingHttpHeaders, Server } from "http";
import type { AddressInfo } from "net";
import { Storage } from "@google-cloud/storage";
import { GcsJsonApiStore, gcsJsonApiStoreFromEnv, metadataServerToken } from "../../functions/shared/gcs-json-api-store";
import { GcsObjectStore } from "../../functions/shared/gcs-store";
import { ObjectStore, PreconditionFailedError } from "../../functions/shared/object-store";
import { FakeGcs } from "./fake-gcs";

// Both adapters against the same loopback fake of the Cloud Storage JSON API:
// no credentials and no network beyond 127.0.0.1.
const adapters: [string, (endpoint: string) => ObjectStore][] = [
  ["the official client (merger)", (endpoint) => new GcsObjectStore(new Storage({ apiEndpoint: endpoint, projectId: "test", retryOptions: { autoRetry: false } }))],
  ["the JSON API client (publisher)", (endpoint) => gcsJsonApiStoreFromEnv({ STORAGE_EMULATOR_HOST: endpoint.replace("http://", "") })],
];

describe.each(adapters)("Cloud Storage through %s", (_name, makeStore) => {
  let gcs: FakeGcs;
  let store: ObjectStore;
  beforeEach(async () => {
    gcs = new FakeGcs();
    store = makeStore(await gcs.start());
  });
  afterEach(() => gcs.stop());

  it("reads an object's bytes with the generation they belong to", async () => {
    const generation = gcs.put("incoming", "keys/us-east1.json", '{"keys":[]}');
    const object = await store.read("incoming", "keys/us-east1.json");
    expect(Buffer.from(object!.body).toString()).toBe('{"keys":[]}');
    expect(object!.generation).toBe(generation);
    const media = gcs.requests.find((r) => r.query.alt === "media")!;
    expect(media.path).toBe("/storage/v1/b/incoming/o/keys/us-east1.json");
  });

  it("returns null for a missing object", async () => {
    expect(await store.read("published", "auth/keys")).toBeNull();
  });

  it("lists the objects under a prefix, sorted, across pages", async () => {
    gcs.pageSize = 2;
    for (const name of ["keys/c.json", "keys/b.json", "other.json", "keys/a.json"]) gcs.put("incoming", name, "{}");
    expect(await store.list("incoming", "keys/")).toEqual(["keys/a.json", "keys/b.json", "keys/c.json"]);
    const lists = gcs.requests.filter((r) => r.path === "/storage/v1/b/incoming/o");
    expect(lists.map((r) => [r.query.prefix, r.query.pageToken])).toEqual([
      ["keys/", undefined],
      ["keys/", "2"],
    ]);
  });

  it("uploads in one multipart request with the generation precondition, content type and cache control", async () => {
    const generation = await store.write("published", "auth/keys", Buffer.from('{"keys":[1]}'), {
      ifGenerationMatch: 0,
      contentType: "application/json",
      cacheControl: "public, max-age=5",
    });
    const uploads = gcs.requests.filter((r) => r.method === "POST");
    expect(uploads).toHaveLength(1);
    expect(uploads[0].path).toBe("/upload/storage/v1/b/published/o");
    expect(uploads[0].query).toMatchObject({ uploadType: "multipart", name: "auth/keys", ifGenerationMatch: "0" });
    expect(uploads[0].metadata).toMatchObject({ contentType: "application/json", cacheControl: "public, max-age=5" });
    expect(generation).toBe(gcs.objects.get("published/auth/keys")!.generation);
    expect(gcs.objects.get("published/auth/keys")!.body.toString()).toBe('{"keys":[1]}');
  });

  it("turns HTTP 412 into PreconditionFailedError and leaves the object alone", async () => {
    const generation = gcs.put("published", "auth/keys", "old");
    await expect(store.write("published", "auth/keys", Buffer.from("new"), { ifGenerationMatch: generation - 1, contentType: "application/json" })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await expect(store.write("published", "auth/keys", Buffer.from("new"), { ifGenerationMatch: 0, contentType: "application/json" })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(gcs.objects.get("published/auth/keys")!.body.toString()).toBe("old");
    expect(gcs.requests.filter((r) => r.method === "POST").map((r) => r.query.ifGenerationMatch)).toEqual([String(generation - 1), "0"]);
  });

  it("overwrites without a precondition when none is given", async () => {
    gcs.put("incoming", "keys/us-east1.json", "old");
    await store.write("incoming", "keys/us-east1.json", Buffer.from("new"), { contentType: "application/json" });
    expect(gcs.requests.find((r) => r.method === "POST")!.query.ifGenerationMatch).toBeUndefined();
    expect(gcs.objects.get("incoming/keys/us-east1.json")!.body.toString()).toBe("new");
  });

  it("surfaces other errors as errors, not as a precondition failure or a missing object", async () => {
    gcs.failures.push(503);
    await expect(store.write("published", "auth/keys", Buffer.from("x"), { ifGenerationMatch: 0, contentType: "application/json" })).rejects.not.toBeInstanceOf(PreconditionFailedError);
    gcs.failures.push(403);
    await expect(store.read("published", "auth/keys")).rejects.toThrow();
  });
});

describe("the official client adapter", () => {
  it("reports the object's metadata, so the merger can rewrite outdated metadata", async () => {
    const gcs = new FakeGcs();
    const store = new GcsObjectStore(new Storage({ apiEndpoint: await gcs.start(), projectId: "test", retryOptions: { autoRetry: false } }));
    try {
      await store.write("published", "auth/keys", Buffer.from("{}"), { ifGenerationMatch: 0, contentType: "application/json", cacheControl: "public, max-age=5" });
      const object = await store.read("published", "auth/keys");
      expect(object!.metadata).toEqual({ contentType: "application/json", cacheControl: "public, max-age=5" });
      // The bytes are downloaded at exactly the generation the metadata named.
      expect(gcs.requests.find((r) => r.query.alt === "media")!.query.generation).toBe(String(object!.generation));
    } finally {
      await gcs.stop();
    }
  });
});

describe("the JSON API client's credentials", () => {
  let metadata: Server;
  let host: string;
  const seen: IncomingHttpHeaders[] = [];
  let issued = 0;
  beforeAll(async () => {
    metadata = createServer((req, res) => {
      seen.push(req.headers);
      if (req.url !== "/computeMetadata/v1/instance/service-accounts/default/token" || req.headers["metadata-flavor"] !== "Google") {
        res.writeHead(403).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: `token-${++issued}`, expires_in: 3599, token_type: "Bearer" }));
    });
    await new Promise<void>((resolve) => metadata.listen(0, "127.0.0.1", resolve));
    host = `127.0.0.1:${(metadata.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => (metadata.close(() => resolve()), metadata.closeAllConnections())));

  it("sends the workload's token from the metadata server, and reuses it until shortly before it expires", async () => {
    const gcs = new FakeGcs();
    const clock = { t: 0 };
    const store = new GcsJsonApiStore({ endpoint: await gcs.start(), token: metadataServerToken({ host, now: () => clock.t }) });
    try {
      await store.list("incoming", "keys/");
      await store.write("incoming", "keys/us-east1.json", Buffer.from("{}"), { contentType: "application/json" });
      clock.t += (3599 - 60) * 1000; // the token's lifetime minus a minute
      await store.read("incoming", "keys/us-east1.json");
      expect(gcs.requests.map((r) => r.headers.authorization)).toEqual(["Bearer token-1", "Bearer token-1", "Bearer token-2"]);
      expect(seen.every((h) => h["metadata-flavor"] === "Google")).toBe(true);
    } finally {
      await gcs.stop();
    }
  });

  it("talks to storage.googleapis.com with that token when no emulator is configured", async () => {
    const calls: { url: string; authorization: string | null }[] = [];
    const fakeFetch: typeof fetch = async (input, init) => {
      const url = String(input);
      calls.push({ url, authorization: new Headers(init?.headers).get("authorization") });
      if (url.includes("/computeMetadata/")) return Response.json({ access_token: "wi-token", expires_in: 3600 });
      return new Response("{}", { status: 200, headers: { "x-goog-generation": "7" } });
    };
    const store = gcsJsonApiStoreFromEnv({ GCE_METADATA_HOST: "metadata.test" }, fakeFetch);
    expect((await store.read("incoming", "keys/us-east1.json"))!.generation).toBe(7);
    expect(calls).toEqual([
      { url: "http://metadata.test/computeMetadata/v1/instance/service-accounts/default/token", authorization: null },
      { url: "https://storage.googleapis.com/storage/v1/b/incoming/o/keys%2Fus-east1.json?alt=media", authorization: "Bearer wi-token" },
    ]);
  });
});
