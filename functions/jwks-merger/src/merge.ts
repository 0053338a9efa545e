import { importJWK, type JWK } from "jose";

/** Largest key-set document accepted from one source. */
export const MAX_SOURCE_BYTES = 64 * 1024;
/** Smallest RSA modulus accepted, in bits. */
export const MIN_RSA_BITS = 2048;
/**
 * Rejections listed in one log line (all are counted): a 64 KiB source of
 * tiny bad keys must not push the entry over Cloud Logging's 256 KB limit,
 * where the line, and the event marker alerts depend on, would be lost.
 */
export const MAX_LOGGED_REJECTIONS = 50;

/** Members that only private or symmetric keys have; none may be published. */
export const PRIVATE_KEY_MEMBERS: readonly string[] = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];

const RSA_ALGS: ReadonlySet<string> = new Set(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]);
/** EC algorithms, their curves and the byte length of a coordinate. */
const EC_ALGS: { readonly [alg: string]: { readonly crv: string; readonly bytes: number } } = {
  ES256: { crv: "P-256", bytes: 32 },
  ES384: { crv: "P-384", bytes: 48 },
  ES512: { crv: "P-521", bytes: 66 },
};

export interface MergeInput {
  /** Where the keys came from, e.g. `keys/us-east1.json`. */
  readonly source: string;
  readonly body: string | Uint8Array;
}

/** A key or a whole source that was not published, and why. */
export interface Rejection {
  readonly source: string;
  readonly kid?: string;
  readonly reason: string;
}

export interface MergeResult {
  readonly jwks: { readonly keys: JWK[] };
  readonly rejected: Rejection[];
}

interface Candidate {
  readonly source: string;
  readonly kid: string;
  /** The key with only its public members, in a fixed order. */
  readonly key: JWK;
  /** The members that identify the key, for comparing copies of a kid. */
  readonly material: string;
}

const isB64u = (v: unknown): v is string => typeof v === "string" && v.length > 0 && /^[A-Za-z0-9_-]+$/.test(v);

function modulusBits(n: string): number {
  const bytes = Buffer.from(n, "base64url");
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]));
}

/**
 * Checks one JWK (which has a kid) and returns its public form, or the reason
 * it is refused. Only signature keys of the algorithms Dex uses or could use
 * are accepted.
 */
function checkKey(jwk: Readonly<Record<string, unknown>>, kid: string): { readonly key: JWK; readonly material: string } | { readonly reason: string } {
  if (jwk.use !== undefined && jwk.use !== "sig") return { reason: `use "${String(jwk.use)}" is not "sig"` };
  const alg = jwk.alg;
  if (typeof alg !== "string") return { reason: "no alg" };
  if (jwk.kty === "RSA") {
    if (!RSA_ALGS.has(alg)) return { reason: `unsupported alg ${alg} for kty RSA` };
    if (!isB64u(jwk.n) || !isB64u(jwk.e)) return { reason: "RSA key without n and e" };
    const bits = modulusBits(jwk.n);
    if (bits < MIN_RSA_BITS) return { reason: `RSA modulus of ${bits} bits is under ${MIN_RSA_BITS}` };
    // Fixed member order: the serialization depends on it.
    const key: JWK = { kty: "RSA", kid, use: "sig", alg, n: jwk.n, e: jwk.e };
    return { key, material: JSON.stringify(["RSA", alg, jwk.n, jwk.e]) };
  }
  if (jwk.kty === "EC") {
    const curve = EC_ALGS[alg];
    if (!curve) return { reason: `unsupported alg ${alg} for kty EC` };
    if (jwk.crv !== curve.crv) return { reason: `alg ${alg} needs curve ${curve.crv}, not ${String(jwk.crv)}` };
    if (!isB64u(jwk.x) || !isB64u(jwk.y)) return { reason: "EC key without x and y" };
    if (Buffer.from(jwk.x, "base64url").length !== curve.bytes || Buffer.from(jwk.y, "base64url").length !== curve.bytes) {
      return { reason: `${curve.crv} coordinates must be ${curve.bytes} bytes` };
    }
    const key: JWK = { kty: "EC", kid, use: "sig", alg, crv: curve.crv, x: jwk.x, y: jwk.y };
    return { key, material: JSON.stringify(["EC", alg, curve.crv, jwk.x, jwk.y]) };
  }
  return { reason: `unsupported kty ${String(jwk.kty)}` };
}

/** The key entries of one source, or why the whole source is refused. */
function entriesOf(input: MergeInput): readonly unknown[] | string {
  const size = typeof input.body === "string" ? Buffer.byteLength(input.body) : input.body.byteLength;
  if (size > MAX_SOURCE_BYTES) return `body of ${size} bytes is over ${MAX_SOURCE_BYTES}`;
  const text = typeof input.body === "string" ? input.body : Buffer.from(input.body).toString("utf8");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return `malformed JSON: ${(e as Error).message}`;
  }
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) return 'not a JWK set (no "keys" array)';
  return keys;
}

/** Structural validation of every source and key. */
function collect(inputs: readonly MergeInput[]): { candidates: Candidate[]; rejected: Rejection[] } {
  const rejected: Rejection[] = [];
  const candidates: Candidate[] = [];
  for (const input of inputs) {
    const entries = entriesOf(input);
    if (typeof entries === "string") {
      rejected.push({ source: input.source, reason: entries });
      continue;
    }
    for (const entry of entries) {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
        rejected.push({ source: input.source, reason: "key is not a JSON object" });
        continue;
      }
      const jwk = entry as Readonly<Record<string, unknown>>;
      const kid = typeof jwk.kid === "string" && jwk.kid.length > 0 ? jwk.kid : undefined;
      // First, so that a leaked private key is reported as such whatever else is wrong.
      const secrets = PRIVATE_KEY_MEMBERS.filter((m) => Object.prototype.hasOwnProperty.call(jwk, m));
      if (secrets.length > 0) {
        rejected.push({ source: input.source, kid, reason: `contains private key material (${secrets.join(", ")})` });
        continue;
      }
      if (kid === undefined) {
        rejected.push({ source: input.source, reason: "key without kid" });
        continue;
      }
      const checked = checkKey(jwk, kid);
      if ("reason" in checked) rejected.push({ source: input.source, kid, reason: checked.reason });
      else candidates.push({ source: input.source, kid, key: checked.key, material: checked.material });
    }
  }
  return { candidates, rejected };
}

/** Deduplicates kids, drops conflicting ones, and orders everything. */
function resolve(candidates: readonly Candidate[], rejected: Rejection[]): MergeResult {
  const byKid = new Map<string, Candidate[]>();
  for (const c of candidates) byKid.set(c.kid, [...(byKid.get(c.kid) ?? []), c]);
  const keys: JWK[] = [];
  for (const kid of [...byKid.keys()].sort(compare)) {
    const copies = byKid.get(kid)!;
    if (new Set(copies.map((c) => c.material)).size > 1) {
      // An ambiguous kid: a verifier could pick either key, so publish neither.
      const sources = [...new Set(copies.map((c) => c.source))].sort(compare).join(", ");
      for (const c of copies) rejected.push({ source: c.source, kid, reason: `kid conflict: different key material in ${sources}` });
      continue;
    }
    keys.push(copies[0].key);
  }
  // Stable sort: per source, in the order the problems were found.
  rejected.sort((a, b) => compare(a.source, b.source));
  return { jwks: { keys }, rejected };
}

/** Code-unit order, independent of locale (localeCompare is not). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Merges the key sets of every region into one, synchronously, with
 * structural validation only (see `mergeImportableJwks` for the full check).
 * A bad key or source is rejected and reported without holding back the other
 * regions' keys. Two copies of a `kid` with the same key material are
 * published once; with different material the `kid` is ambiguous, so neither
 * is published. Keys come out sorted by kid with only their public members.
 */
export function mergeJwks(inputs: readonly MergeInput[]): MergeResult {
  const { candidates, rejected } = collect(inputs);
  return resolve(candidates, rejected);
}

/**
 * Outcome of `jose.importJWK` per exact key (its public members and alg):
 * `true`, or the error message. Importing is almost all of a merge's time,
 * and every event brings mostly the same keys again, so a long-lived process
 * keeps one cache; the same bytes always import the same way.
 */
export type ImportCache = Map<string, true | string>;

/** Entries kept at most; the cache is emptied beyond that (keys rotate daily, so it stays small). */
export const MAX_IMPORT_CACHE_ENTRIES = 10_000;

/**
 * `mergeJwks` plus the asynchronous step: every structurally valid key must
 * also import with `jose.importJWK` (which catches, for example, EC points
 * off their curve). A key that does not import is rejected before kids are
 * compared, so a broken copy never withholds a good one. The merger and the
 * publisher use this.
 * @param cache outcomes of earlier imports to reuse; a fresh one by default
 */
export async function mergeImportableJwks(inputs: readonly MergeInput[], cache: ImportCache = new Map()): Promise<MergeResult> {
  const { candidates, rejected } = collect(inputs);
  const importable: Candidate[] = [];
  if (cache.size > MAX_IMPORT_CACHE_ENTRIES) cache.clear();
  for (const c of candidates) {
    const id = JSON.stringify(c.key);
    let outcome = cache.get(id);
    if (outcome === undefined) {
      try {
        await importJWK(c.key, c.key.alg);
        outcome = true;
      } catch (e) {
        outcome = (e as Error).message;
      }
      cache.set(id, outcome);
    }
    if (outcome === true) importable.push(c);
    else rejected.push({ source: c.source, kid: c.kid, reason: `jose cannot import it: ${outcome}` });
  }
  return resolve(importable, rejected);
}

/** Public members in their published order (RSA: kty, kid, use, alg, n, e; EC: kty, kid, use, alg, crv, x, y). */
const MEMBER_ORDER: readonly (keyof JWK)[] = ["kty", "kid", "use", "alg", "crv", "n", "e", "x", "y"];

/**
 * Canonical bytes of a key set: keys sorted by kid, only public members, in
 * a fixed order, no whitespace. Concurrent merges of the same inputs write
 * identical bytes, and equal bytes mean nothing needs to be written.
 */
export function serializeJwks(jwks: { readonly keys: readonly JWK[] }): Uint8Array {
  const keys = [...jwks.keys]
    .sort((a, b) => compare(a.kid ?? "", b.kid ?? ""))
    .map((key) => Object.fromEntries(MEMBER_ORDER.filter((m) => key[m] !== undefined).map((m) => [m, key[m]])));
  return new TextEncoder().encode(`${JSON.stringify({ keys })}\n`);
}
