import { createHash, createPublicKey, KeyObject, X509Certificate } from "crypto";

// Key and certificate helpers on plain PEM data (the trust material as the
// stacks output it after apply). node:crypto parses; nothing here hand-decodes ASN.1.

/** `PublicKeyDetails` names of sigstore/protobuf-specs that this deployment's keys can have. */
export const KEY_DETAILS = [
  "PKIX_ECDSA_P256_SHA_256",
  "PKIX_ECDSA_P384_SHA_384",
  "PKIX_ECDSA_P521_SHA_512",
  "PKIX_ED25519",
  "PKIX_RSA_PKCS1V15_2048_SHA256",
  "PKIX_RSA_PKCS1V15_3072_SHA256",
  "PKIX_RSA_PKCS1V15_4096_SHA256",
  "PKIX_RSA_PSS_2048_SHA256",
  "PKIX_RSA_PSS_3072_SHA256",
  "PKIX_RSA_PSS_4096_SHA256",
] as const;
export type KeyDetails = (typeof KEY_DETAILS)[number];

const CURVES: Record<string, KeyDetails> = {
  prime256v1: "PKIX_ECDSA_P256_SHA_256",
  secp384r1: "PKIX_ECDSA_P384_SHA_384",
  secp521r1: "PKIX_ECDSA_P521_SHA_512",
};

/** Parses a SubjectPublicKeyInfo PEM; throws with a reason if it is not one. */
export function parsePublicKeyPem(pem: string): KeyObject {
  if (!/-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/.test(pem)) {
    throw new Error("is not a PEM public key (expected a -----BEGIN PUBLIC KEY----- block, as KMS returns it)");
  }
  try {
    return createPublicKey({ key: pem, format: "pem", type: "spki" });
  } catch (e) {
    throw new Error(`is not a readable SubjectPublicKeyInfo PEM: ${(e as Error).message}`);
  }
}

/** The DER SubjectPublicKeyInfo of a key. */
export function spkiDer(key: KeyObject): Buffer {
  return key.export({ format: "der", type: "spki" });
}

/** A log's id: SHA-256 of its DER SubjectPublicKeyInfo (RFC 6962 section 3.2). */
export function logIdOf(key: KeyObject): Buffer {
  return createHash("sha256").update(spkiDer(key)).digest();
}

/** The `PublicKeyDetails` of a key, from its algorithm, curve or modulus size. */
export function keyDetailsOf(key: KeyObject): KeyDetails {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case "ec": {
      const found = CURVES[details.namedCurve ?? ""];
      if (!found) throw new Error(`uses the curve ${details.namedCurve}; use P-256, P-384 or P-521`);
      return found;
    }
    case "ed25519":
      return "PKIX_ED25519";
    case "rsa":
    case "rsa-pss": {
      const bits = details.modulusLength;
      if (bits !== 2048 && bits !== 3072 && bits !== 4096) {
        throw new Error(`is a ${bits}-bit RSA key; use 2048, 3072 or 4096 bits`);
      }
      const scheme = key.asymmetricKeyType === "rsa" ? "PKCS1V15" : "PSS";
      return `PKIX_RSA_${scheme}_${bits}_SHA256` as KeyDetails;
    }
    default:
      throw new Error(`is a ${key.asymmetricKeyType} key; use ECDSA (P-256/P-384/P-521), Ed25519 or RSA`);
  }
}

/** Whether an explicit key-details name fits the key (an RSA-PSS name for an RSA key, say). */
export function keyDetailsFit(key: KeyObject, named: KeyDetails): boolean {
  const derived = keyDetailsOf(key);
  if (derived === named) return true;
  // KMS exports RSA-PSS keys as rsaEncryption SPKI: the scheme cannot be read from the key.
  return derived.replace("PKCS1V15", "PSS") === named;
}

/** Every PEM certificate block of a string. */
export function pemBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** Parses one PEM certificate; throws with a reason if it is not exactly one. */
export function parseCertificatePem(pem: string): X509Certificate {
  const blocks = pemBlocks(pem);
  if (blocks.length !== 1) {
    throw new Error(
      blocks.length === 0
        ? "is not a PEM certificate (expected a -----BEGIN CERTIFICATE----- block)"
        : `holds ${blocks.length} certificates; give one certificate per list entry`,
    );
  }
  try {
    return new X509Certificate(blocks[0]);
  } catch (e) {
    throw new Error(`is not a readable X.509 certificate: ${(e as Error).message}`);
  }
}

/** One attribute (`O`, `CN`) of a certificate's subject, if present. */
export function subjectAttribute(cert: X509Certificate, name: string): string | undefined {
  for (const line of cert.subject.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0 && line.slice(0, at) === name) return line.slice(at + 1);
  }
  return undefined;
}
