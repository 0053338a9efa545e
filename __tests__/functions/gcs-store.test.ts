import { Storage } from "@google-cloud/storage";
import { GcsObjectStore } from "../../functions/shared/gcs-store";
import { PreconditionFailedError } from "../../functions/shared/object-store";
import { FakeGcs } from "./fake-gcs";

let gcs: FakeGcs;
let store: GcsObjectStore;
beforeEach(async () => {
  gcs = new FakeGcs();
  const endpoint = await gcs.start();
  // A custom endpoint without credentials: no auth and no network beyond loopback.
  store = new GcsObjectStore(new Storage({ apiEndpoint: endpoint, projectId: "test", retryOptions: { autoRetry: false } }));
});
afterEach(() => gcs.stop());

describe("the Cloud Storage adapter", () => {
  it("reads an object's bytes at the generation whose number it returns", async () => {
    const generation = gcs.put("incoming", "keys/us-east1.json", '{"keys":[]}');
    const object = await store.read("incoming", "keys/us-east1.json");
    expect(object).toEqual({ body: new Uint8Array(Buffer.from('{"keys":[]}')), generation });
    const media = gcs.requests.find((r) => r.query.alt === "media")!;
    expect(media.path).toBe("/storage/v1/b/incoming/o/keys/us-east1.json");
    expect(media.query.generation).toBe(String(generation));
  });

  it("returns null for a missing object", async () => {
    expect(await store.read("published", "auth/keys")).toBeNull();
  });

  it("lists objects under a prefix", async () => {
    gcs.put("incoming", "keys/b.json", "{}");
    gcs.put("incoming", "keys/a.json", "{}");
    gcs.put("incoming", "other.json", "{}");
    expect(await store.list("incoming", "keys/")).toEqual(["keys/a.json", "keys/b.json"]);
    expect(gcs.requests.at(-1)!.query.prefix).toBe("keys/");
  });

  it("uploads in one request with the generation precondition, content type and cache control", async () => {
    const generation = await store.write("published", "auth/keys", Buffer.from('{"keys":[1]}'), {
      ifGenerationMatch: 0,
      contentType: "application/json",
      cacheControl: "public, max-age=15",
    });
    const upload = gcs.requests.find((r) => r.method === "POST")!;
    expect(upload.path).toBe("/upload/storage/v1/b/published/o");
    expect(upload.query).toMatchObject({ uploadType: "multipart", name: "auth/keys", ifGenerationMatch: "0" });
    expect(upload.metadata).toMatchObject({ contentType: "application/json", cacheControl: "public, max-age=15" });
    expect(generation).toBe(gcs.objects.get("published/auth/keys")!.generation);
    expect(gcs.objects.get("published/auth/keys")!.body.toString()).toBe('{"keys":[1]}');
  });

  it("turns HTTP 412 into PreconditionFailedError", async () => {
    const generation = gcs.put("published", "auth/keys", "old");
    await expect(
      store.write("published", "auth/keys", Buffer.from("new"), { ifGenerationMatch: generation - 1, contentType: "application/json" }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(gcs.objects.get("published/auth/keys")!.body.toString()).toBe("old");
  });

  it("overwrites without a precondition when none is given", async () => {
    gcs.put("incoming", "keys/us-east1.json", "old");
    await store.write("incoming", "keys/us-east1.json", Buffer.from("new"), { contentType: "application/json" });
    expect(gcs.requests.find((r) => r.method === "POST")!.query.ifGenerationMatch).toBeUndefined();
    expect(gcs.objects.get("incoming/keys/us-east1.json")!.body.toString()).toBe("new");
  });
});
