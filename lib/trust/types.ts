/**
 * The contract between the stacks that produce trust material and the code
 * that turns it into the files clients read (trusted_root.json and
 * signing_config.json). The global stack emits a `TrustMaterial` and an
 * `InstanceUrls` as Terraform outputs; `assembleTrustedRoot` and
 * `assembleSigningConfig` (lib/trust) turn them into the documents.
 *
 * Every string may be a Terraform token in the global stack (public keys are
 * read at apply time), so nothing here is derived from another field at synth
 * time: derived values such as a log's id (SHA-256 of its DER public key) are
 * computed by the assembly, which runs on plain data.
 */

/** Names of the global stack's Terraform outputs that the trust command reads. */
export const TRUST_OUTPUTS = {
  /** A `TrustMaterial`. */
  material: "trust_material",
  /** An `InstanceUrls`. */
  urls: "instance_urls",
  /** The assembled signing_config (v0.2); it needs no derived values, so Terraform renders it whole. */
  signingConfig: "signing_config",
} as const;

/** A validity period; RFC 3339 timestamps (`2026-01-01T00:00:00Z`). */
export interface Validity {
  readonly start: string;
  /** @default open-ended */
  readonly end?: string;
}

/** One region's certificate authority (Fulcio) or timestamp authority. */
export interface AuthorityMaterial {
  /** Base URL clients use (`https://fulcio.example.com`). */
  readonly uri: string;
  /** The region that signs with it, for humans and for the operator field. */
  readonly region: string;
  /** PEM certificates, the issuing certificate first and the root last. */
  readonly certChainPem: readonly string[];
  readonly validFor: Validity;
  /** @default the organization (O) of the issuing certificate (`certChainPem[0]`) */
  readonly organization?: string;
  /** @default the common name (CN) of the issuing certificate (`certChainPem[0]`) */
  readonly commonName?: string;
}

/** One transparency log (Rekor v1, a tiles log shard, or a CT log). */
export interface LogMaterial {
  /** Base URL of the log (`https://rekor.example.com`, `https://ctfe.example.com/2026`). */
  readonly baseUrl: string;
  /** The region whose key signs the log's checkpoints or SCTs. */
  readonly region: string;
  /** SubjectPublicKeyInfo PEM of the log's signing key (as KMS returns it). */
  readonly publicKeyPem: string;
  readonly validFor: Validity;
  /**
   * The `PublicKeyDetails` name of the key (`PKIX_RSA_PSS_2048_SHA256`). Only
   * needed for RSA-PSS keys, whose SubjectPublicKeyInfo looks like PKCS#1 v1.5.
   * (Optional field added by the trust-root assembly.)
   * @default derived from the key: P-256, P-384, P-521, Ed25519, RSA PKCS#1 v1.5
   */
  readonly keyDetails?: string;
}

/** Everything a trusted root lists, collected from every region. */
export interface TrustMaterial {
  readonly certificateAuthorities: readonly AuthorityMaterial[];
  readonly timestampAuthorities: readonly AuthorityMaterial[];
  /** Rekor logs: the Rekor v1 log and any Rekor v2 (tiles) shards. */
  readonly transparencyLogs: readonly LogMaterial[];
  readonly ctLogs: readonly LogMaterial[];
}

/** The public URLs of one instance, for signing_config and for clients' environment. */
export interface InstanceUrls {
  readonly fulcio: string;
  /** Rekor v1 first, then any Rekor v2 write host. */
  readonly rekor: readonly string[];
  /**
   * Major API version of each `rekor` entry, in the same order. (Optional field
   * added by the trust-root assembly.)
   * @default 1 for the first entry, 2 for the others
   */
  readonly rekorApiVersions?: readonly number[];
  /** Base URLs of the timestamp authorities (`https://tsa.example.com`); signing_config gets the full `/api/v1/timestamp` URL. */
  readonly tsa: readonly string[];
  /** The OIDC issuer clients log in with (Dex's issuer URL). */
  readonly oidcIssuer: string;
  /** Where the TUF repository is served (`https://tuf.example.com`), when it is deployed. */
  readonly tufMirror?: string;
  /** Start of validity of the URLs, RFC 3339. */
  readonly validFrom: string;
  /**
   * Operator of the services, a scheme-less URI such as `example.com`. (Optional
   * field added by the trust-root assembly.) Required when the URLs are Terraform tokens.
   * @default the Fulcio host without its first label (`fulcio.example.com` -> `example.com`)
   */
  readonly operator?: string;
}
