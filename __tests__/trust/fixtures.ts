// Test stand-ins for the trust material of a multi-region deployment: one
// Fulcio root with an intermediate per region, one TSA root with a signing
// certificate per region, a CT log key per region and one Rekor v1 key. The
// certificates are real X.509 made with @peculiar/x509 (the library
// @sigstore/mock builds its own certificates with); keys come from node:crypto.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { KeyObject, webcrypto } from "crypto";
import type { AuthorityMaterial, LogMaterial, TrustMaterial } from "../../lib/trust/types";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export const REGIONS = ["us-east1", "europe-west1", "asia-northeast1"] as const;
export type Region = (typeof REGIONS)[number];

export const START = "2026-01-01T00:00:00Z";
const NOT_BEFORE = new Date("2025-12-01T00:00:00Z");
const NOT_AFTER = new Date("2036-01-01T00:00:00Z");

const P256 = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
const P384 = { name: "ECDSA", namedCurve: "P-384", hash: "SHA-384" };

export interface KeyPair {
  readonly crypto: webcrypto.CryptoKeyPair;
  /** The same pair as node KeyObjects (what @sigstore/mock's services take). */
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

export async function ecKeyPair(alg: typeof P256 | typeof P384 = P256): Promise<KeyPair> {
  const pair = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  return { crypto: pair, publicKey: KeyObject.from(pair.publicKey), privateKey: KeyObject.from(pair.privateKey) };
}

export const publicPem = (key: KeyObject) => key.export({ format: "pem", type: "spki" }).toString();

export interface Root {
  readonly keys: KeyPair;
  readonly cert: x509.X509Certificate;
}

export async function selfSignedRoot(name: string): Promise<Root> {
  const keys = await ecKeyPair(P384);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    signingAlgorithm: P384,
    keys: keys.crypto,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.crypto.publicKey),
    ],
  });
  return { keys, cert };
}

let serial = 16;

/** A certificate for `keys` issued by `root`: a CA intermediate, or a TSA signing certificate. */
export async function issue(root: Root, subject: string, keys: KeyPair, kind: "ca" | "tsa"): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(2, "0"),
    subject,
    issuer: root.cert.subject,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    signingAlgorithm: P384,
    publicKey: keys.crypto.publicKey,
    signingKey: root.keys.crypto.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(kind === "ca", kind === "ca" ? 0 : undefined, true),
      kind === "ca"
        ? new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)
        : new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      ...(kind === "tsa" ? [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.timeStamping], true)] : []),
      await x509.SubjectKeyIdentifierExtension.create(keys.crypto.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(root.keys.crypto.publicKey),
    ],
  });
}

export interface RegionKeys {
  readonly region: Region;
  readonly fulcioKeys: KeyPair;
  readonly fulcioCert: x509.X509Certificate;
  readonly tsaKeys: KeyPair;
  readonly tsaCert: x509.X509Certificate;
  readonly ctKeys: KeyPair;
}

export interface Deployment {
  readonly domain: string;
  readonly fulcioRoot: Root;
  readonly tsaRoot: Root;
  readonly rekorKeys: KeyPair;
  readonly regions: readonly RegionKeys[];
}

/**
 * Keys and chains for a deployment over `regions`.
 * @param fulcioSubject subject of a region's Fulcio intermediate
 */
export async function deployment(
  regions: readonly Region[] = REGIONS,
  fulcioSubject: (region: Region) => string = (r) => `CN=fulcio ${r}, O=example.com`,
): Promise<Deployment> {
  const fulcioRoot = await selfSignedRoot("CN=example.com Fulcio root, O=example.com");
  const tsaRoot = await selfSignedRoot("CN=example.com TSA root, O=example.com");
  const out: RegionKeys[] = [];
  for (const region of regions) {
    const fulcioKeys = await ecKeyPair();
    const tsaKeys = await ecKeyPair();
    out.push({
      region,
      fulcioKeys,
      fulcioCert: await issue(fulcioRoot, fulcioSubject(region), fulcioKeys, "ca"),
      tsaKeys,
      tsaCert: await issue(tsaRoot, `CN=tsa ${region}, O=example.com`, tsaKeys, "tsa"),
      ctKeys: await ecKeyPair(),
    });
  }
  return { domain: "example.com", fulcioRoot, tsaRoot, rekorKeys: await ecKeyPair(), regions: out };
}

export const pem = (cert: x509.X509Certificate) => cert.toString("pem");

/** The trust material the global stack would output for `d` (Rekor v1 in the first region; a CT log per region). */
export function materialOf(d: Deployment, only: readonly Region[] = d.regions.map((r) => r.region)): TrustMaterial {
  const regions = d.regions.filter((r) => only.includes(r.region));
  const authority = (r: RegionKeys, service: "fulcio" | "tsa"): AuthorityMaterial => ({
    uri: `https://${service}.${d.domain}`,
    region: r.region,
    certChainPem:
      service === "fulcio" ? [pem(r.fulcioCert), pem(d.fulcioRoot.cert)] : [pem(r.tsaCert), pem(d.tsaRoot.cert)],
    validFor: { start: START },
  });
  const rekor: LogMaterial = {
    baseUrl: `https://rekor.${d.domain}`,
    region: d.regions[0].region,
    publicKeyPem: publicPem(d.rekorKeys.publicKey),
    validFor: { start: START },
  };
  return {
    certificateAuthorities: regions.map((r) => authority(r, "fulcio")),
    timestampAuthorities: regions.map((r) => authority(r, "tsa")),
    transparencyLogs: [rekor],
    ctLogs: regions.map((r) => ({
      baseUrl: `https://ctfe.${d.domain}/${r.region}`,
      region: r.region,
      publicKeyPem: publicPem(r.ctKeys.publicKey),
      validFor: { start: START },
    })),
  };
}
