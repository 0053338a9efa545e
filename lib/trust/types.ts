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
  /** @default the deployment's name */
  readonly organization?: string;
  /** @default `<service> <region>` */
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
  readonly tsa: readonly string[];
  /** The OIDC issuer clients log in with (Dex's issuer URL). */
  readonly oidcIssuer: string;
  /** Where the TUF repository is served (`https://tuf.example.com`), when it is deployed. */
  readonly tufMirror?: string;
  /** Start of validity of the URLs, RFC 3339. */
  readonly validFrom: string;
}
