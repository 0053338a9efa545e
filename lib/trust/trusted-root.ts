import { KeyDetails, keyDetailsOf, logIdOf, parseCertificatePem, parsePublicKeyPem, spkiDer, subjectAttribute } from "./keys";
import type { AuthorityMaterial, LogMaterial, TrustMaterial, Validity } from "./types";
import { validateTrustMaterial } from "./validate";

// The `dev.sigstore.trustedroot` document (sigstore/protobuf-specs,
// protos/sigstore_trustroot.proto) in its canonical proto3 JSON form: bytes
// base64, enums by name, times as RFC 3339 with milliseconds, fields in proto
// order, so `TrustedRoot.toJSON(TrustedRoot.fromJSON(doc))` gives `doc` back.

export const TRUSTED_ROOT_MEDIA_TYPE = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";

export interface TimeRangeJson {
  readonly start: string;
  readonly end?: string;
}

export interface TransparencyLogInstanceJson {
  readonly baseUrl: string;
  readonly hashAlgorithm: "SHA2_256";
  readonly publicKey: {
    readonly rawBytes: string;
    readonly keyDetails: KeyDetails;
    readonly validFor: TimeRangeJson;
  };
  readonly logId: { readonly keyId: string };
}

export interface CertificateAuthorityJson {
  readonly subject: { readonly organization?: string; readonly commonName?: string };
  readonly uri: string;
  readonly certChain: { readonly certificates: readonly { readonly rawBytes: string }[] };
  readonly validFor: TimeRangeJson;
}

export interface TrustedRootJson {
  readonly mediaType: typeof TRUSTED_ROOT_MEDIA_TYPE;
  readonly tlogs: readonly TransparencyLogInstanceJson[];
  readonly certificateAuthorities: readonly CertificateAuthorityJson[];
  readonly ctlogs: readonly TransparencyLogInstanceJson[];
  readonly timestampAuthorities: readonly CertificateAuthorityJson[];
}

function timeRange(v: Validity): TimeRangeJson {
  const start = new Date(v.start).toISOString();
  return v.end === undefined ? { start } : { start, end: new Date(v.end).toISOString() };
}

function logInstance(log: LogMaterial): TransparencyLogInstanceJson {
  const key = parsePublicKeyPem(log.publicKeyPem);
  return {
    baseUrl: log.baseUrl.replace(/\/+$/, ""),
    hashAlgorithm: "SHA2_256",
    publicKey: {
      rawBytes: spkiDer(key).toString("base64"),
      keyDetails: (log.keyDetails as KeyDetails | undefined) ?? keyDetailsOf(key),
      validFor: timeRange(log.validFor),
    },
    logId: { keyId: logIdOf(key).toString("base64") },
  };
}

function certificateAuthority(a: AuthorityMaterial): CertificateAuthorityJson {
  const chain = a.certChainPem.map(parseCertificatePem);
  const organization = a.organization ?? subjectAttribute(chain[0], "O");
  const commonName = a.commonName ?? subjectAttribute(chain[0], "CN");
  return {
    subject: {
      ...(organization === undefined ? {} : { organization }),
      ...(commonName === undefined ? {} : { commonName }),
    },
    uri: a.uri.replace(/\/+$/, ""),
    certChain: { certificates: chain.map((c) => ({ rawBytes: c.raw.toString("base64") })) },
    validFor: timeRange(a.validFor),
  };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// Sorted by URL, then start, then key or certificate: the same material in any
// order gives the same bytes.
function sortLogs(logs: TransparencyLogInstanceJson[]): TransparencyLogInstanceJson[] {
  return logs.sort(
    (a, b) =>
      compare(a.baseUrl, b.baseUrl) ||
      compare(a.publicKey.validFor.start, b.publicKey.validFor.start) ||
      compare(a.logId.keyId, b.logId.keyId),
  );
}

function sortAuthorities(authorities: readonly AuthorityMaterial[]): CertificateAuthorityJson[] {
  return authorities
    .map((a) => ({ a, json: certificateAuthority(a) }))
    .sort(
      (x, y) =>
        compare(x.json.uri, y.json.uri) ||
        compare(x.a.region, y.a.region) ||
        compare(x.json.validFor.start, y.json.validFor.start) ||
        compare(x.json.certChain.certificates[0].rawBytes, y.json.certChain.certificates[0].rawBytes),
    )
    .map((x) => x.json);
}

/**
 * Assembles the instance's `trusted_root.json` from every region's trust
 * material: each Fulcio CA, TSA, CT log and Rekor log exactly once, with its
 * URL, key or certificate chain, and validity. Runs on plain data (a log id is
 * a hash of the key, which Terraform cannot compute); the `trust` command runs
 * it on the global stack's `trust_material` output.
 * @throws TrustMaterialError naming every invalid field
 */
export function assembleTrustedRoot(material: TrustMaterial, source?: string): TrustedRootJson {
  const valid = validateTrustMaterial(material, source);
  return {
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: sortLogs(valid.transparencyLogs.map(logInstance)),
    certificateAuthorities: sortAuthorities(valid.certificateAuthorities),
    ctlogs: sortLogs(valid.ctLogs.map(logInstance)),
    timestampAuthorities: sortAuthorities(valid.timestampAuthorities),
  };
}
