import { MemoryObjectStore, PreconditionFailedError } from "../../functions/shared/object-store";

const json = { contentType: "application/json" } as const;
const bytes = (s: string) => new TextEncoder().encode(s);

describe("the in-memory object store", () => {
  it("gives every write a new, increasing generation and enforces ifGenerationMatch like Cloud Storage", async () => {
    const store = new MemoryObjectStore();
    await expect(store.write("b", "o", bytes("1"), { ...json, ifGenerationMatch: 5 })).rejects.toBeInstanceOf(PreconditionFailedError);
    const g1 = await store.write("b", "o", bytes("1"), { ...json, ifGenerationMatch: 0 });
    await expect(store.write("b", "o", bytes("2"), { ...json, ifGenerationMatch: 0 })).rejects.toThrow("gs://b/o changed since it was read");
    const g2 = await store.write("b", "o", bytes("2"), { ...json, ifGenerationMatch: g1, cacheControl: "no-store" });
    const g3 = await store.write("b", "o", bytes("3"), json); // unconditional
    expect(g1 < g2 && g2 < g3).toBe(true);
    expect(await store.read("b", "o")).toEqual({ body: bytes("3"), generation: g3, metadata: { contentType: "application/json", cacheControl: undefined } });
    expect(store.writes.map((w) => w.generation)).toEqual([g1, g2, g3]);
    expect(await store.read("b", "missing")).toBeNull();
  });

  it("lists names under a prefix, sorted, in one bucket only", async () => {
    const store = new MemoryObjectStore();
    for (const name of ["keys/b.json", "keys/a.json", "other"]) store.put("b", name, "{}");
    store.put("b2", "keys/c.json", "{}");
    expect(await store.list("b", "keys/")).toEqual(["keys/a.json", "keys/b.json"]);
  });

  it("hands out copies, so a caller cannot change what is stored", async () => {
    const store = new MemoryObjectStore();
    const body = bytes("abc");
    store.put("b", "o", body);
    body[0] = 0;
    (await store.read("b", "o"))!.body[1] = 0;
    expect(new TextDecoder().decode(store.peek("b", "o")!.body)).toBe("abc");
  });

  it("checks the precondition when a slow write takes effect, so concurrent writers race as on Cloud Storage", async () => {
    const store = new MemoryObjectStore({ latencyMs: (op, _b, name) => (op === "write" && name === "slow" ? 30 : 0) });
    store.put("b", "slow", "v0");
    const generation = (await store.read("b", "slow"))!.generation;
    const slow = store.write("b", "slow", bytes("from A"), { ...json, ifGenerationMatch: generation });
    store.put("b", "slow", "from B"); // lands while A's request is in flight
    await expect(slow).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(new TextDecoder().decode(store.peek("b", "slow")!.body)).toBe("from B");
  });

  it("injects failures through beforeOperation", async () => {
    const store = new MemoryObjectStore();
    store.beforeOperation = (op) => {
      if (op === "list") throw new Error("injected");
    };
    await expect(store.list("b", "")).rejects.toThrow("injected");
    await expect(store.write("b", "o", bytes("x"), json)).resolves.toBeGreaterThan(0);
  });
});
