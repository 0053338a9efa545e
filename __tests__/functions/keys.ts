import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

/** A real key pair, its public JWK as Dex publishes it, and a signer. */
export interface TestKey {
  readonly kid: string;
  readonly alg: string;
  readonly publicJwk: JWK;
  readonly privateJwk: JWK;
  sign(claims?: Record<string, unknown>): Promise<string>;
}

export async function makeKey(kid: string, alg: "RS256" | "ES256" | "PS256" | "ES384" = "RS256"): Promise<TestKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: "sig" };
  return {
    kid,
    alg,
    publicJwk,
    privateJwk,
    sign: (claims = {}) =>
      new SignJWT({ email: "user@example.com", ...claims })
        .setProtectedHeader({ alg, kid })
        .setIssuer("https://oauth2.sigstore.example.com/auth")
        .setAudience("sigstore")
        .setIssuedAt()
        .setExpirationTime("10m")
        .sign(privateKey),
  };
}

export function keySet(...keys: JWK[]): string {
  return JSON.stringify({ keys });
}
