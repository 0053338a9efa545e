import { importJWK, type JWK } from "jose";

/** Largest key-set document accepted from one source. */
export const MAX_SOURCE_BYTES = 64 * 1024;
/** Smallest RSA modulus accepted, in bits. */
export const MIN_RSA_BITS = 2048;

/** Members that only private or symmetric keys have; none may be published. */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"] as const;

const RSA_ALGS = new Set(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]);
const EC_ALG_CURVES: { readonly [alg: string]: string } = { ES256: "P-256", ES384: "P-384", ES512: "P-521" };

export interface MergeInput {
  /** Where the keys came from, e.g. `keys/us-east1.json`. */
  readonly source: string;
  readonly body: string | Uint8Array;
}

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
  /** The members that identify the key material, for comparing copies. */
  readonly material: string;
}

function modulusBits(n: string): number {
  const bytes = Buffer.from(n, "base64url");
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]));
}

const isB64u = (v: unknown): v is string => typeof v === "string" && v.length > 0 && /^[A-Za-z0-9_-]+$/.test(v);

/**
 * Checks one JWK and returns its public form, or the reason it is refused.
 * Only signature keys of the algorithms Dex uses or could use are accepted.
 */
function checkKey(raw: unknown): { key: JWK; material: string } | { reason: string } {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { reason: "not a JSON object" };
  const jwk = raw as Record<string, unknown>;
  const privateMembers = PRIVATE_MEMBERS.filter((m) => m in jwk);
  if (privateMembers.length > 0) return { reason: `contains private key material (${privateMembers.join(", ")})` };
  if (jwk.use !== undefined && jwk.use !== "sig") return { reason: `use "${String(jwk.use)}" is not "sig"` };
  const alg = jwk.alg;
  if (typeof alg !== "string") return { reason: "no alg" };
  if (jwk.kty === "RSA") {
    if (!RSA_ALGS.has(alg)) return { reason: `unsupported alg ${alg} for kty RSA` };
    if (!isB64u(jwk.n) || !isB64u(jwk.e)) return { reason: "RSA key without n and e" };
    const bits = modulusBits(jwk.n);
    if (bits < MIN_RSA_BITS) return { reason: `RSA modulus of ${bits} bits is under ${MIN_RSA_BITS}` };
    const key: JWK = { kty: "RSA", kid: jwk.kid as string, use: "sig", alg, n: jwk.n, e: jwk.e };
    return { key, material: JSON.stringify(["RSA", alg, jwk.n, jwk.e]) };
  }
  if (jwk.kty === "EC") {
    const crv = EC_ALG_CURVES[alg];
    if (!crv) return { reason: `unsupported alg ${alg} for kty EC` };
    if (jwk.crv !== crv) return { reason: `alg ${alg} needs curve ${crv}, not ${String(jwk.crv)}` };
    if (!isB64u(jwk.x) || !isB64u(jwk.y)) return { reason: "EC key without x and y" };
    const key: JWK = { kty: "EC", kid: jwk.kid as string, use: "sig", alg, crv, x: jwk.x, y: jwk.y };
    return { key, material: JSON.stringify(["EC", alg, crv, jwk.x, jwk.y]) };
  }
  return { reason: `unsupported kty ${String(jwk.kty)}` };
}

/** The keys of one source, or why the whole source is refused. */
function keysOf(input: MergeInput): unknown[] | string {
  const size = typeof input.body === "string" ? Buffer.byteLength(input.body) : input.body.byteLength;
  if (size > MAX_SOURCE_BYTES) return `body of ${size} bytes is over ${MAX_SOURCE_BYTES}`;
  const text = typeof input.body === "string" ? input.body : Buffer.from(input.body).toString("utf8");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return `malformed JSON: ${(e as Error).message}`;
  }
  const keys = (doc as { keys?: unknown })?.keys;
  if (!Array.isArray(keys)) return 'not a JWK set (no "keys" array)';
  return keys;
}

/**
 * Merges the key sets of every region into one. A bad key or source is
 * rejected and reported without holding back the other regions' keys. Two
 * copies of a `kid` with the same key material are published once; with
 * different material the `kid` is ambiguous, so neither is published.
 *
 * Async only because jose imports keys asynchronously: every key published
 * has been imported by jose.
 */
export async function mergeJwks(inputs: readonly MergeInput[]): Promise<MergeResult> {
  const rejected: Rejection[] = [];
  const candidates: Candidate[] = [];
  for (const input of [...inputs].sort((a, b) => a.source.localeCompare(b.source))) {
    const keys = keysOf(input);
    if (typeof keys === "string") {
      rejected.push({ source: input.source, reason: keys });
      continue;
    }
    for (const raw of keys) {
      const kid = (raw as { kid?: unknown })?.kid;
      if (typeof kid !== "string" || kid.length === 0) {
        rejected.push({ source: input.source, reason: "key without kid" });
        continue;
      }
      const checked = checkKey(raw);
      if ("reason" in checked) {
        rejected.push({ source: input.source, kid, reason: checked.reason });
        continue;
      }
      try {
        await importJWK(checked.key, checked.key.alg);
      } catch (e) {
        rejected.push({ source: input.source, kid, reason: `jose cannot import it: ${(e as Error).message}` });
        continue;
      }
      candidates.push({ source: input.source, kid, key: checked.key, material: checked.material });
    }
  }

  const byKid = new Map<string, Candidate[]>();
  for (const c of candidates) byKid.set(c.kid, [...(byKid.get(c.kid) ?? []), c]);
  const keys: JWK[] = [];
  for (const kid of [...byKid.keys()].sort()) {
    const copies = byKid.get(kid)!;
    if (new Set(copies.map((c) => c.material)).size > 1) {
      const sources = [...new Set(copies.map((c) => c.source))].join(", ");
      for (const c of copies) rejected.push({ source: c.source, kid, reason: `kid conflict: different key material in ${sources}` });
      continue;
    }
    keys.push(copies[0].key);
  }
  return { jwks: { keys }, rejected };
}

/** Stable bytes of a key set: the same keys always serialize identically. */
export function serializeJwks(jwks: { readonly keys: readonly JWK[] }): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify({ keys: jwks.keys })}\n`);
}
