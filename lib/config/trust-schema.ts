import { createPublicKey, X509Certificate } from "crypto";
import { z } from "zod";
import { REGION_NAME, REGION_NAME_HINT } from "../regional/location-validation";

// The public half of the trust root that operators hold offline: root
// certificates, certificate chains signed in a ceremony, and the public keys
// of log keys that never enter Terraform (CT log and tiles log keys). All of
// it is public data; a private key anywhere in it is an error.

const regionKey = z.string().regex(REGION_NAME, { error: REGION_NAME_HINT });
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** OID of the timestamping extended key usage (RFC 3161 requires it, critical, on a TSA's certificate). */
export const TIMESTAMPING_EKU = "1.3.6.1.5.5.7.3.8";

const rfc3339 = z.string().refine((s) => RFC3339_UTC.test(s) && !Number.isNaN(Date.parse(s)), {
  error: 'must be an RFC 3339 UTC timestamp such as "2026-01-01T00:00:00Z"',
});

function privateKeyIssue(pem: string, ctx: z.RefinementCtx): boolean {
  if (/PRIVATE KEY-----/.test(pem)) {
    ctx.addIssue({ code: "custom", message: "holds a PRIVATE KEY: only public certificates and public keys belong in the configuration; remove it and rotate that key" });
    return true;
  }
  return false;
}

/** One PEM certificate. */
export const certificatePem = z.string().superRefine((pem, ctx) => {
  if (privateKeyIssue(pem, ctx)) return;
  const count = (pem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
  if (count !== 1) {
    ctx.addIssue({ code: "custom", message: `must be exactly one PEM certificate ("-----BEGIN CERTIFICATE-----"), found ${count}; list a chain's certificates as separate items` });
    return;
  }
  try {
    new X509Certificate(pem);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: `is not a parsable X.509 certificate: ${(e as Error).message}` });
  }
});

/** A SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----"). */
export const publicKeyPem = z.string().superRefine((pem, ctx) => {
  if (privateKeyIssue(pem, ctx)) return;
  if (!/^-----BEGIN PUBLIC KEY-----/.test(pem.trim())) {
    ctx.addIssue({ code: "custom", message: 'must be a PEM public key ("-----BEGIN PUBLIC KEY-----", e.g. from `openssl pkey -pubout`)' });
    return;
  }
  try {
    createPublicKey(pem);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: `is not a parsable public key: ${(e as Error).message}` });
  }
});

const authorityRootSchema = z.strictObject({
  /**
   * The root certificate (PEM), self-signed and a CA. Public data: the root's
   * private key stays offline. Required before any chain is configured.
   */
  rootCertificate: certificatePem.optional(),
});

const regionTrustSchema = z.strictObject({
  /** Start of validity of this region's CA, TSA and logs in the trusted root. @default trust.validFrom */
  validFrom: rfc3339.optional(),
  /**
   * Fulcio `kms` mode: the region's intermediate certificate (for its KMS
   * key) and any certificates between it and the root, issuing certificate
   * first, root excluded.
   */
  fulcioChain: z.array(certificatePem).min(1).optional(),
  /** The region's TSA signing certificate, then any intermediates, root excluded. */
  tsaChain: z.array(certificatePem).min(1).optional(),
});

export const trustSchema = z.strictObject({
  /**
   * Start of validity of every CA, TSA and log in the trusted root, unless a
   * region sets its own. A start before a key existed admits nothing it did
   * not sign; set it to the key's creation to be exact. @default "1970-01-01T00:00:00Z"
   */
  validFrom: rfc3339.default("1970-01-01T00:00:00Z"),
  /** Fulcio's offline root (`kms` mode; in `privateca` mode CA Service holds the root). */
  fulcio: authorityRootSchema.prefault({}),
  /** The Timestamp Authority's root: one for the deployment, each region's chain leads to it. */
  tsa: authorityRootSchema.prefault({}),
  /** Per region: chains signed in the ceremony, and the region's own validity start. */
  regions: z.record(regionKey, regionTrustSchema).default({}),
});

export type TrustConfig = z.output<typeof trustSchema>;

/** The certificate, or undefined when it did not parse (its own field already reports that). */
function parsed(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

/** Whether `child` is issued and signed by `issuer`. */
function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  return child.checkIssued(issuer) && child.verify(issuer.publicKey);
}

interface TrustContext {
  readonly trust: TrustConfig;
  readonly regions: readonly string[];
  readonly fulcioCa: "kms" | "privateca";
}

/**
 * Cross-field rules of `trust`: roots are self-signed CAs, every chain leads
 * to its root, a Fulcio intermediate is a P-384 CA (the KMS key's curve), a TSA
 * certificate is for timestamping only, and regions are configured ones.
 * Runs only once every certificate parsed.
 */
export function validateTrust(input: TrustContext, ctx: z.RefinementCtx): void {
  const { trust } = input;
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path: ["trust", ...path], message });
  const roots: { [K in "fulcio" | "tsa"]?: X509Certificate } = {};
  for (const kind of ["fulcio", "tsa"] as const) {
    const pem = trust[kind].rootCertificate;
    if (pem === undefined) continue;
    const root = parsed(pem);
    if (!root) continue;
    if (!root.ca) issue([kind, "rootCertificate"], `is not a CA certificate (basicConstraints CA:TRUE is missing): use the ${kind === "fulcio" ? "Fulcio" : "TSA"} root, not a leaf`);
    else if (!issuedBy(root, root)) issue([kind, "rootCertificate"], "is not self-signed: give the root itself; intermediates go in trust.regions.<region>");
    else roots[kind] = root;
  }
  if (input.fulcioCa === "privateca" && trust.fulcio.rootCertificate !== undefined) {
    issue(["fulcio", "rootCertificate"], 'applies only to regional.fulcio.ca "kms": with "privateca" the root is created in CA Service; remove it');
  }
  for (const [region, values] of Object.entries(trust.regions)) {
    if (!input.regions.includes(region)) {
      issue(["regions", region], `"${region}" is not one of the configured regions (${input.regions.join(", ")})`);
      continue;
    }
    const chains = [
      ["fulcio", "fulcioChain", values.fulcioChain],
      ["tsa", "tsaChain", values.tsaChain],
    ] as const;
    for (const [kind, field, chain] of chains) {
      if (chain === undefined) continue;
      if (kind === "fulcio" && input.fulcioCa === "privateca") {
        issue(["regions", region, field], 'applies only to regional.fulcio.ca "kms": with "privateca" the chain comes from CA Service; remove it');
        continue;
      }
      if (trust[kind].rootCertificate === undefined) {
        issue(["regions", region, field], `needs trust.${kind}.rootCertificate, the root this chain leads to`);
        continue;
      }
      const root = roots[kind];
      if (!root) continue;
      const maybe = chain.map(parsed);
      if (maybe.some((c) => c === undefined)) continue;
      const certs = maybe as X509Certificate[];
      certs.forEach((cert, i) => {
        const issuer = i + 1 < certs.length ? certs[i + 1] : root;
        if (!issuedBy(cert, issuer)) {
          issue(["regions", region, field, i], `is not signed by ${i + 1 < certs.length ? `${field}[${i + 1}]` : `trust.${kind}.rootCertificate`}: list the chain issuing certificate first, up to (not including) the root`);
        }
        if (i > 0 && !cert.ca) issue(["regions", region, field, i], "is not a CA certificate, so it cannot issue the one before it");
      });
      const first = certs[0];
      if (kind === "fulcio") {
        if (!first.ca) issue(["regions", region, field, 0], "must be the region's intermediate CA certificate (CA:TRUE): Fulcio issues leaves with it");
        if (first.publicKey.asymmetricKeyDetails?.namedCurve !== "secp384r1") {
          issue(["regions", region, field, 0], "must certify an EC P-384 key: the region's KMS intermediate key is EC_SIGN_P384_SHA384");
        }
      } else {
        if (first.ca) issue(["regions", region, field, 0], "must be the region's timestamping certificate, not a CA");
        if (!(first.keyUsage ?? []).includes(TIMESTAMPING_EKU)) {
          issue(["regions", region, field, 0], `must carry the timestamping extended key usage (${TIMESTAMPING_EKU}), as RFC 3161 requires`);
        }
      }
    }
  }
}
