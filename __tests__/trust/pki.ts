import { generateKeyPairSync, webcrypto } from "crypto";
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

// Real certificates for configuration tests, made with @peculiar/x509 (a
// dependency of @sigstore/mock) over Node's WebCrypto.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type Curve = "P-256" | "P-384";
const algorithm = (curve: Curve) => ({ name: "ECDSA", namedCurve: curve, hash: curve === "P-384" ? "SHA-384" : "SHA-256" });
const notBefore = new Date("2026-01-01T00:00:00Z");
const notAfter = new Date("2036-01-01T00:00:00Z");

export interface Issued {
  readonly pem: string;
  readonly cert: x509.X509Certificate;
  readonly keys: webcrypto.CryptoKeyPair;
}

async function keysFor(curve: Curve): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(algorithm(curve), true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
}

let serial = 1;
const nextSerial = () => (serial++).toString(16).padStart(2, "0");

/** A self-signed root CA (or, with `ca: false`, a self-signed leaf). */
export async function selfSigned(name: string, opts: { ca?: boolean; curve?: Curve } = {}): Promise<Issued> {
  const curve = opts.curve ?? "P-384";
  const keys = await keysFor(curve);
  const ca = opts.ca ?? true;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: `CN=${name}`,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: algorithm(curve),
    extensions: ca
      ? [new x509.BasicConstraintsExtension(true, 1, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)]
      : [new x509.BasicConstraintsExtension(false, undefined, true)],
  });
  return { pem: cert.toString("pem"), cert, keys };
}

/** A certificate issued by `issuer`: an intermediate CA, a code-signing CA, or a timestamping leaf. */
export async function issue(issuer: Issued, name: string, kind: "ca" | "tsa" | "leaf", curve: Curve = "P-384"): Promise<Issued> {
  const keys = await keysFor(curve);
  const extensions: x509.Extension[] =
    kind === "ca"
      ? [
          new x509.BasicConstraintsExtension(true, 0, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
          new x509.ExtendedKeyUsageExtension(["1.3.6.1.5.5.7.3.3"]),
        ]
      : kind === "tsa"
        ? [new x509.BasicConstraintsExtension(false, undefined, true), new x509.ExtendedKeyUsageExtension(["1.3.6.1.5.5.7.3.8"], true)]
        : [new x509.BasicConstraintsExtension(false, undefined, true)];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: `CN=${name}`,
    issuer: issuer.cert.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: algorithm(issuer.cert.publicKey.algorithm.name === "ECDSA" ? ((issuer.cert.publicKey.algorithm as webcrypto.EcKeyAlgorithm).namedCurve as Curve) : "P-384"),
    extensions,
  });
  return { pem: cert.toString("pem"), cert, keys };
}

/** A fresh EC P-256 public key (SPKI PEM), as a log's key. */
export function logPublicKey(): string {
  return generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString();
}
