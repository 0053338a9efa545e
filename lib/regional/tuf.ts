import { Construct } from "constructs";
import type { KmsCryptoKeyIamMember } from "@cdktf/provider-google/lib/kms-crypto-key-iam-member";
import { KmsCryptoKeyVersion } from "@cdktf/provider-google/lib/kms-crypto-key-version";
import { SecureBucket } from "../shared/bucket";
import { Grantee, WorkloadIdentityServiceAccount } from "../shared/iam";
import { CryptoKey, KeyProtectionLevel, KeyRing } from "../shared/kms";
import { preventDestroy } from "../shared/protection";
import type { RegionalContext } from "./context";

/**
 * Kubernetes identities of the TUF jobs. The tuf chart's own service account
 * ("tuf") only serves a repository from Secrets and calls no Google API, so
 * it gets no Google account. Signing and publishing run as separate jobs with
 * separate service accounts in their own namespace, so that the signer cannot
 * write the buckets and the publisher cannot sign.
 */
export const TUF_KUBERNETES = { namespace: "tuf-system", signer: "tuf-signer", publisher: "tuf-publisher" } as const;

export interface TufRepositoryProps {
  readonly context: RegionalContext;
  /** The cluster's workload pool (`<project>.svc.id.goog`), as a reference to the cluster. */
  readonly workloadPool: string;
  /** Protection level of the signing key. @default "HSM" */
  readonly protectionLevel?: KeyProtectionLevel;
  /** Who may read the signing key's public key (root builders, verifiers). @default [] */
  readonly viewers?: readonly Grantee[];
}

/** Noncurrent metadata stays for two years, as upstream keeps it, to recover or audit a bad publish. */
const NONCURRENT_VERSION_DAYS = 730;

/**
 * A TUF repository in one region: a public serving bucket for the signed
 * metadata and targets, a private preprod bucket to stage and test them, and
 * a KMS signing key (with one explicit key version the signer refers to). The
 * signer may sign and read the public key; the publisher may write both
 * buckets; nothing but the serving bucket's objects is public.
 */
export class TufRepository extends Construct {
  /** Public bucket clients fetch metadata and targets from. */
  readonly servingBucket: SecureBucket;
  /** Private bucket where a new version is staged and tested before promotion. */
  readonly preprodBucket: SecureBucket;
  /** Signs TUF metadata with the KMS key. */
  readonly signer: WorkloadIdentityServiceAccount;
  /** Uploads metadata and targets to the buckets. */
  readonly publisher: WorkloadIdentityServiceAccount;
  private readonly signingKey: CryptoKey;
  private readonly keyVersion: KmsCryptoKeyVersion;

  constructor(scope: Construct, id: string, props: TufRepositoryProps) {
    super(scope, id);
    const { context } = props;
    const protectionLevel = props.protectionLevel ?? "HSM";
    if (protectionLevel !== "HSM" && protectionLevel !== "SOFTWARE") {
      throw new Error(`TufRepository protectionLevel must be "HSM" or "SOFTWARE", got "${String(protectionLevel)}" (${this.node.path})`);
    }
    if (!props.workloadPool) throw new Error(`TufRepository needs the cluster's workloadPool (${this.node.path})`);
    const viewers = props.viewers ?? [];
    // Grant ids name the grants; the signer already holds one as "signer".
    const seen = new Set<string>(["signer"]);
    for (const viewer of viewers) {
      if (seen.has(viewer.grantId)) throw new Error(`TufRepository viewer grantId "${viewer.grantId}" is used twice ("signer" is taken by the signer) (${this.node.path})`);
      seen.add(viewer.grantId);
    }

    this.servingBucket = new SecureBucket(this, "serving", {
      project: context.project,
      name: context.names.bucket("tuf", context.region),
      location: context.region,
      // TUF clients fetch metadata anonymously.
      publicRead: true,
      protect: true,
      noncurrentVersionDays: NONCURRENT_VERSION_DAYS,
    });
    // Browser clients (sigstore-js, tuf-js) read metadata cross-origin; read-only methods suffice.
    this.servingBucket.bucket.putCors([{ origin: ["*"], method: ["GET", "HEAD"], maxAgeSeconds: 3600 }]);
    this.preprodBucket = new SecureBucket(this, "preprod", {
      project: context.project,
      name: context.names.bucket("tuf-preprod", context.region),
      location: context.region,
      protect: true,
      noncurrentVersionDays: NONCURRENT_VERSION_DAYS,
    });

    const ring = new KeyRing(this, "keys", { project: context.project, name: context.names.of("tuf", context.region), location: context.region });
    this.signingKey = ring.addKey("signing", {
      name: "signing",
      purpose: "ASYMMETRIC_SIGN",
      algorithm: "EC_SIGN_P256_SHA256",
      protectionLevel,
    });
    // The explicit version below is the key's only one, so the signer's
    // key reference (…/cryptoKeyVersions/1) is known to Terraform.
    this.signingKey.key.skipInitialVersionCreation = true;
    this.keyVersion = preventDestroy(new KmsCryptoKeyVersion(this, "signing-version", { cryptoKey: this.signingKey.id }));

    this.signer = new WorkloadIdentityServiceAccount(this, "signer", {
      project: context.project,
      accountId: context.names.serviceAccountId("tuf-sign", context.region),
      displayName: `TUF signer (${context.region})`,
      description: "Signs TUF metadata with the KMS key",
      kubernetes: { workloadPool: props.workloadPool, namespace: TUF_KUBERNETES.namespace, serviceAccount: TUF_KUBERNETES.signer },
    });
    this.signingKey.grantSignerVerifier(this.signer);
    this.signingKey.grantPublicKeyViewer(this.signer);

    this.publisher = new WorkloadIdentityServiceAccount(this, "publisher", {
      project: context.project,
      accountId: context.names.serviceAccountId("tuf-pub", context.region),
      displayName: `TUF publisher (${context.region})`,
      description: "Uploads TUF metadata and targets to the preprod and serving buckets",
      kubernetes: { workloadPool: props.workloadPool, namespace: TUF_KUBERNETES.namespace, serviceAccount: TUF_KUBERNETES.publisher },
    });
    this.servingBucket.grantObjectAdmin(this.publisher);
    this.preprodBucket.grantObjectAdmin(this.publisher);

    for (const viewer of viewers) this.grantPublicKeyViewer(viewer);
  }

  /** The signing key's id, `projects/…/cryptoKeys/signing`. */
  get signingKeyId(): string {
    return this.signingKey.id;
  }

  /** The key version the signer uses, `projects/…/cryptoKeys/signing/cryptoKeyVersions/1` (for `gcpkms://…`). */
  get signingKeyVersionId(): string {
    return this.keyVersion.name;
  }

  /** Lets someone read the signing key's public key. */
  grantPublicKeyViewer(grantee: Grantee): KmsCryptoKeyIamMember {
    return this.signingKey.grantPublicKeyViewer(grantee);
  }
}
