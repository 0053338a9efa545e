import { generateKeyPairSync } from "crypto";
import { createLocalJWKSet, jwtVerify } from "jose";
import type { JWK } from "jose";
import { MAX_SOURCE_BYTES, mergeImportableJwks, mergeJwks, serializeJwks } from "../../functions/jwks-merger/src/merge";

// The documented limit on one region's key set, written here: 64 KiB.
const LIMIT = 65536;
import { keySet, makeKey, TestKey } from "./keys";

let east: TestKey;
let west: TestKey;
let asia: TestKey;
beforeAll(async () => {
  [east, west, asia] = await Promise.all([makeKey("east-1"), makeKey("west-1", "ES256"), makeKey("asia-1", "PS256")]);
});

describe("mergeImportableJwks (what the merger and the publisher run)", () => {
  it("merges every region's keys, and a token signed in any region verifies against the merged set", async () => {
    const { jwks, rejected } = await mergeImportableJwks([
      { source: "keys/us-east1.json", body: keySet(east.publicJwk) },
      { source: "keys/europe-west1.json", body: new TextEncoder().encode(keySet(west.publicJwk)) },
      { source: "keys/asia-northeast1.json", body: keySet(asia.publicJwk) },
    ]);
    expect(rejected).toEqual([]);
    expect(jwks.keys.map((k) => k.kid)).toEqual(["asia-1", "east-1", "west-1"]);
    const verifyAgainst = createLocalJWKSet(jwks);
    for (const key of [east, west, asia]) {
      const { payload, protectedHeader } = await jwtVerify(await key.sign(), verifyAgainst, { issuer: "https://oauth2.sigstore.example.com/auth", audience: "sigstore" });
      expect([protectedHeader.kid, payload.email]).toEqual([key.kid, "user@example.com"]);
    }
  });

  it("never publishes private key material, and reports the key that carried it", async () => {
    const { jwks, rejected } = await mergeImportableJwks([
      { source: "keys/a.json", body: keySet(east.privateJwk) },
      { source: "keys/b.json", body: keySet(west.publicJwk) },
    ]);
    expect(JSON.stringify(jwks)).not.toMatch(/"(d|p|q|dp|dq|qi|k|oth)":/);
    expect(jwks.keys.map((k) => k.kid)).toEqual(["west-1"]);
    expect(rejected).toEqual([{ source: "keys/a.json", kid: "east-1", reason: "contains private key material (d, p, q, dp, dq, qi)" }]);
    // Reported as a leak even when the key is broken in other ways too.
    const { kid: _kid, ...noKid } = west.privateJwk;
    const again = await mergeImportableJwks([{ source: "keys/c.json", body: JSON.stringify({ keys: [{ ...noKid, kty: "nope" }] }) }]);
    expect(again.rejected).toEqual([{ source: "keys/c.json", reason: "contains private key material (d)" }]);
  });

  it.each([
    ["a symmetric key", { kty: "oct", kid: "s", alg: "HS256", k: "c2VjcmV0" }, /private key material \(k\)/],
    ["an oth member", { kty: "RSA", kid: "o", alg: "RS256", n: "AQAB", e: "AQAB", oth: [] }, /private key material \(oth\)/],
  ])("rejects %s", async (_name, bad, reason) => {
    const { jwks, rejected } = await mergeImportableJwks([{ source: "keys/x.json", body: JSON.stringify({ keys: [bad, east.publicJwk] }) }]);
    expect(jwks.keys.map((k) => k.kid)).toEqual(["east-1"]);
    expect(rejected[0].reason).toMatch(reason);
  });

  it("rejects bad sources and bad keys one by one, keeping the other regions' keys", async () => {
    // jose refuses to generate keys under 2048 bits, so make a real weak one with node.
    const weak = { publicJwk: { ...generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "jwk" }), kid: "weak", alg: "RS256" } };
    const { n: _n, ...noModulus } = east.publicJwk;
    const { jwks, rejected } = await mergeImportableJwks([
      { source: "keys/malformed.json", body: "{ not json" },
      { source: "keys/huge.json", body: "x".repeat(LIMIT + 1) },
      { source: "keys/not-a-set.json", body: JSON.stringify({ kid: "x" }) },
      {
        source: "keys/mixed.json",
        body: JSON.stringify({
          keys: [
            { ...west.publicJwk, kid: undefined },
            { ...west.publicJwk, kid: "ed", kty: "OKP", crv: "Ed25519", alg: "EdDSA" },
            { ...west.publicJwk, kid: "hs", alg: "HS256" },
            { ...west.publicJwk, kid: "no-alg", alg: undefined },
            { ...west.publicJwk, kid: "enc", use: "enc" },
            { ...west.publicJwk, kid: "curve", alg: "ES384" },
            { ...weak.publicJwk },
            { ...noModulus, kid: "no-n" },
            { ...west.publicJwk, kid: "short-x", x: "AAAA" },
            // Right length, but not a point on P-256: only an import finds out.
            { ...west.publicJwk, kid: "off-curve", x: Buffer.alloc(32, 7).toString("base64url") },
            null,
            asia.publicJwk,
          ],
        }),
      },
      { source: "keys/us-east1.json", body: keySet(east.publicJwk) },
    ]);
    expect(jwks.keys.map((k) => k.kid)).toEqual(["asia-1", "east-1"]);
    expect(rejected.map((r) => [r.source, r.kid, r.reason])).toEqual([
      ["keys/huge.json", undefined, "body of 65537 bytes is over 65536"],
      ["keys/malformed.json", undefined, expect.stringMatching(/^malformed JSON: /)],
      ["keys/mixed.json", undefined, "key without kid"],
      ["keys/mixed.json", "ed", "unsupported kty OKP"],
      ["keys/mixed.json", "hs", "unsupported alg HS256 for kty EC"],
      ["keys/mixed.json", "no-alg", "no alg"],
      ["keys/mixed.json", "enc", 'use "enc" is not "sig"'],
      ["keys/mixed.json", "curve", "alg ES384 needs curve P-384, not P-256"],
      ["keys/mixed.json", "weak", "RSA modulus of 1024 bits is under 2048"],
      ["keys/mixed.json", "no-n", "RSA key without n and e"],
      ["keys/mixed.json", "short-x", "P-256 coordinates must be 32 bytes"],
      ["keys/mixed.json", undefined, "key is not a JSON object"],
      ["keys/mixed.json", "off-curve", expect.stringMatching(/^jose cannot import it: /)],
      ["keys/not-a-set.json", undefined, 'not a JWK set (no "keys" array)'],
    ]);
  });

  it("publishes a key once when two regions have the same kid and material", async () => {
    const { jwks, rejected } = await mergeImportableJwks([
      { source: "keys/a.json", body: keySet(east.publicJwk) },
      { source: "keys/b.json", body: keySet({ ...east.publicJwk, key_ops: ["verify"] }) },
    ]);
    expect(jwks.keys.map((k) => k.kid)).toEqual(["east-1"]);
    expect(rejected).toEqual([]);
  });

  it("publishes neither copy when a kid has different material in two regions", async () => {
    const impostor = await makeKey("east-1");
    const { jwks, rejected } = await mergeImportableJwks([
      { source: "keys/a.json", body: keySet(east.publicJwk, west.publicJwk) },
      { source: "keys/b.json", body: keySet(impostor.publicJwk) },
    ]);
    expect(jwks.keys.map((k) => k.kid)).toEqual(["west-1"]);
    expect(rejected).toEqual([
      { source: "keys/a.json", kid: "east-1", reason: "kid conflict: different key material in keys/a.json, keys/b.json" },
      { source: "keys/b.json", kid: "east-1", reason: "kid conflict: different key material in keys/a.json, keys/b.json" },
    ]);
  });

  it("is deterministic: same keys in any order and with any member order give the same bytes", async () => {
    const reorder = (jwk: object) => Object.fromEntries(Object.entries(jwk).reverse());
    const a = await mergeImportableJwks([
      { source: "keys/a.json", body: keySet(east.publicJwk, west.publicJwk) },
      { source: "keys/b.json", body: keySet(asia.publicJwk) },
    ]);
    const b = await mergeImportableJwks([
      { source: "keys/b.json", body: JSON.stringify({ keys: [reorder(asia.publicJwk)] }) },
      { source: "keys/a.json", body: JSON.stringify({ keys: [reorder(west.publicJwk), reorder(east.publicJwk)] }) },
    ]);
    expect(Buffer.from(serializeJwks(a.jwks)).equals(Buffer.from(serializeJwks(b.jwks)))).toBe(true);
    expect(Object.keys(a.jwks.keys[0])).toEqual(["kty", "kid", "use", "alg", "n", "e"]);
  });
});

describe("mergeJwks (synchronous, structural validation only)", () => {
  it("returns its result synchronously, with the same rules for structure, kids and order", () => {
    const result = mergeJwks([
      { source: "keys/b.json", body: keySet(west.publicJwk, east.privateJwk) },
      { source: "keys/a.json", body: keySet(asia.publicJwk, { ...west.publicJwk, use: "enc" }) },
    ]);
    expect(result).not.toBeInstanceOf(Promise);
    expect(result.jwks.keys.map((k) => k.kid)).toEqual(["asia-1", "west-1"]);
    expect(result.rejected.map((r) => [r.source, r.kid])).toEqual([
      ["keys/a.json", "west-1"],
      ["keys/b.json", "east-1"],
    ]);
  });

  it("leaves the import check to mergeImportableJwks: a point off its curve passes the structure, not the import", async () => {
    const offCurve = { source: "keys/a.json", body: keySet({ ...west.publicJwk, x: Buffer.alloc(32, 7).toString("base64url") }) };
    expect(mergeJwks([offCurve]).jwks.keys).toHaveLength(1);
    const checked = await mergeImportableJwks([offCurve]);
    expect(checked.jwks.keys).toEqual([]);
    expect(checked.rejected[0].reason).toMatch(/^jose cannot import it/);
  });

  it("lets a region's key that does not import not withhold another region's good copy of that kid", async () => {
    const broken = { ...west.publicJwk, x: Buffer.alloc(32, 7).toString("base64url") };
    const { jwks, rejected } = await mergeImportableJwks([
      { source: "keys/a.json", body: keySet(west.publicJwk) },
      { source: "keys/b.json", body: keySet(broken) },
    ]);
    expect(jwks.keys).toEqual([{ kty: "EC", kid: "west-1", use: "sig", alg: "ES256", crv: "P-256", x: west.publicJwk.x, y: west.publicJwk.y }]);
    expect(rejected.map((r) => r.source)).toEqual(["keys/b.json"]);
  });
});

describe("source size limit", () => {
  it("is 64 KiB: a set of exactly that size is read, one byte more is rejected", async () => {
    expect(MAX_SOURCE_BYTES).toBe(LIMIT);
    const body = keySet(east.publicJwk);
    const padded = body.replace(/}\s*$/, `${" ".repeat(LIMIT - body.length)}}`);
    expect(padded.length).toBe(LIMIT);
    expect((await mergeImportableJwks([{ source: "keys/a.json", body: padded }])).jwks.keys.map((k) => k.kid)).toEqual(["east-1"]);
  });
});

describe("serializeJwks", () => {
  it("is canonical on its own: sorted by kid, public members only, fixed member order", () => {
    const messy: JWK[] = [
      { y: west.publicJwk.y, x: west.publicJwk.x, crv: "P-256", alg: "ES256", kid: "b", kty: "EC", key_ops: ["verify"] } as JWK,
      { e: "AQAB", n: east.publicJwk.n, kty: "RSA", kid: "a", use: "sig", alg: "RS256", x5c: ["MII..."] } as JWK,
    ];
    const text = new TextDecoder().decode(serializeJwks({ keys: messy }));
    expect(text.endsWith("}\n")).toBe(true);
    const parsed = JSON.parse(text) as { keys: Record<string, unknown>[] };
    expect(parsed.keys.map((k) => Object.keys(k))).toEqual([
      ["kty", "kid", "use", "alg", "n", "e"],
      ["kty", "kid", "alg", "crv", "x", "y"],
    ]);
    expect(Buffer.from(serializeJwks({ keys: [...messy].reverse() })).equals(Buffer.from(serializeJwks({ keys: messy })))).toBe(true);
  });

  it("publishes use as sig whether or not the region's key said so", async () => {
    const { use: _use, ...withoutUse } = east.publicJwk;
    const { jwks } = await mergeImportableJwks([{ source: "keys/a.json", body: keySet(withoutUse) }]);
    expect(jwks.keys[0].use).toBe("sig");
  });
});

describe("import cache", () => {
  it("imports each exact key once, remembers failures too, and gives the same result as without a cache", async () => {
    const [a, b] = await Promise.all([makeKey("a"), makeKey("b", "ES256")]);
    // Right length, but not on the curve: only the import notices.
    const broken = { ...b.publicJwk, kid: "broken", y: Buffer.alloc(32, 1).toString("base64url") };
    const sources = [{ source: "keys/one.json", body: keySet(a.publicJwk, broken) }, { source: "keys/two.json", body: keySet(b.publicJwk) }];
    const cache = new Map<string, true | string>();
    const first = await mergeImportableJwks(sources, cache);
    expect(cache.size).toBe(3);
    expect([...cache.values()].filter((v) => v !== true)).toHaveLength(1);
    const second = await mergeImportableJwks(sources, cache);
    expect(second).toEqual(first);
    expect(await mergeImportableJwks(sources)).toEqual(first);
    expect(first.rejected.map((r) => r.kid)).toEqual(["broken"]);
    // The same kid with other material is a different entry, not a cache hit.
    const other = await makeKey("a");
    await mergeImportableJwks([{ source: "keys/three.json", body: keySet(other.publicJwk) }], cache);
    expect(cache.size).toBe(4);
  });
});
