import { Construct } from "constructs";
import type { KmsCryptoKeyIamMember } from "@cdktf/provider-google/lib/kms-crypto-key-iam-member";
import { KmsCryptoKeyVersion } from "@cdktf/provider-google/lib/kms-crypto-key-version";
import { StorageBucketIamMember } from "@cdktf/provider-google/lib/storage-bucket-iam-member";
import { MULTI_REGION_KMS_LOCATIONS } from "../config/schema";
import { SecureBucket } from "../shared/bucket";
import { Grantee, WorkloadIdentityServiceAccount } from "../shared/iam";
import { CryptoKey, KeyProtectionLevel, KeyRing } from "../shared/kms";
import type { ResourceNames } from "../shared/names";
import { preventDestroy } from "../shared/protection";
import { cdnFillMember } from "./bucket-frontend";
import { isProjectNumber } from "../shared/project-validation";

/**
 * Kubernetes identities of the TUF jobs (in the primary region's cluster):
 * the signer refreshes snapshot and timestamp with the online KMS key, the
 * publisher uploads; separate accounts, so that the signer cannot write the
 * buckets and the publisher cannot sign.
 */
export const TUF_KUBERNETES = { namespace: "tuf-system", signer: "tuf-signer", publisher: "tuf-publisher" } as const;

export interface TufRepositoryProps {
  readonly project: string;
  /** Numeric project number, for the Cloud CDN service agent that reads the bucket. */
  readonly projectNumber: string;
  readonly names: ResourceNames;
  /** Cloud Storage multi-region of the buckets ("US", "EU" or "ASIA"); the online key lives in the matching KMS multi-region. @default "US" */
  readonly location?: string;
  /** Protection level of the online key. @default "HSM" */
  readonly protectionLevel?: KeyProtectionLevel;
  /**
   * The cluster where the signer and publisher run as Kubernetes jobs
   * (workload identity). Omit when they run elsewhere (a CI job that
   * impersonates the accounts). @default none
   */
  readonly kubernetes?: { readonly workloadPool: string };
  /** Who may read the online key's public key (the root ceremony, to list it in root.json). @default [] */
  readonly viewers?: readonly Grantee[];
}

/** Noncurrent metadata stays for two years, as upstream keeps it, to recover or audit a bad publish. */
const NONCURRENT_VERSION_DAYS = 730;

/**
 * The instance's one TUF repository, in the global stack: a serving bucket
 * in a multi-region that only the load balancer (through Cloud CDN's service
 * agent) reads, a private preprod bucket to stage a new version, a KMS key
 * for the online roles (snapshot and timestamp), and the signer and publisher
 * identities. Root and targets keys are offline and never here
 * (docs/tuf-ceremony.md).
 */
export class TufRepository extends Construct {
  /** Bucket the load balancer serves at the TUF host. Not public: only Cloud CDN's service agent reads it. */
  readonly servingBucket: SecureBucket;
  /** Private bucket where a new version is staged and tested before promotion. */
  readonly preprodBucket: SecureBucket;
  /** Signs snapshot and timestamp metadata with the online key. */
  readonly signer: WorkloadIdentityServiceAccount;
  /** Uploads metadata and targets to the buckets. */
  readonly publisher: WorkloadIdentityServiceAccount;
  /** The load balancer's read access to the serving bucket. */
  readonly cdnReader: StorageBucketIamMember;
  private readonly onlineKey: CryptoKey;
  private readonly keyVersion: KmsCryptoKeyVersion;

  constructor(scope: Construct, id: string, props: TufRepositoryProps) {
    super(scope, id);
    const { names, project } = props;
    const location = props.location ?? "US";
    const kmsLocation = MULTI_REGION_KMS_LOCATIONS[location];
    if (!kmsLocation) throw new Error(`TufRepository location must be one of ${Object.keys(MULTI_REGION_KMS_LOCATIONS).join(", ")} (a multi-region), got "${location}" (${this.node.path})`);
    const protectionLevel = props.protectionLevel ?? "HSM";
    if (protectionLevel !== "HSM" && protectionLevel !== "SOFTWARE") {
      throw new Error(`TufRepository protectionLevel must be "HSM" or "SOFTWARE", got "${String(protectionLevel)}" (${this.node.path})`);
    }
    if (!isProjectNumber(props.projectNumber)) throw new Error(`TufRepository projectNumber must be the numeric project number, got "${props.projectNumber}" (${this.node.path})`);
    const viewers = props.viewers ?? [];
    const seen = new Set<string>(["signer"]);
    for (const viewer of viewers) {
      if (seen.has(viewer.grantId)) throw new Error(`TufRepository viewer grantId "${viewer.grantId}" is used twice ("signer" is taken by the signer) (${this.node.path})`);
      seen.add(viewer.grantId);
    }

    this.servingBucket = new SecureBucket(this, "serving", {
      project,
      name: names.bucket("tuf"),
      location,
      protect: true,
      noncurrentVersionDays: NONCURRENT_VERSION_DAYS,
    });
    // Browser clients (sigstore-js, tuf-js) read metadata cross-origin; read-only methods suffice.
    this.servingBucket.bucket.putCors([{ origin: ["*"], method: ["GET", "HEAD"], maxAgeSeconds: 3600 }]);
    // Private bucket access: the load balancer fetches as Cloud CDN's service
    // agent, so the bucket needs no allUsers grant and stays behind Cloud Armor.
    this.cdnReader = new StorageBucketIamMember(this, "cdn-fill-reader", {
      bucket: this.servingBucket.name,
      role: "roles/storage.objectViewer",
      member: cdnFillMember(props.projectNumber),
    });
    this.preprodBucket = new SecureBucket(this, "preprod", {
      project,
      name: names.bucket("tuf-preprod"),
      location,
      protect: true,
      noncurrentVersionDays: NONCURRENT_VERSION_DAYS,
    });

    const ring = new KeyRing(this, "keys", { project, name: names.of("tuf"), location: kmsLocation });
    this.onlineKey = ring.addKey("online", {
      name: "online",
      purpose: "ASYMMETRIC_SIGN",
      algorithm: "EC_SIGN_P256_SHA256",
      protectionLevel,
    });
    // The explicit version is the key's only one, so the key id root.json
    // lists (…/cryptoKeyVersions/1) is known before the ceremony.
    this.onlineKey.key.skipInitialVersionCreation = true;
    this.keyVersion = preventDestroy(new KmsCryptoKeyVersion(this, "online-version", { cryptoKey: this.onlineKey.id }));

    const k8s = props.kubernetes;
    this.signer = new WorkloadIdentityServiceAccount(this, "signer", {
      project,
      accountId: names.serviceAccountId("tuf-sign"),
      displayName: "TUF online signer",
      description: "Signs TUF snapshot and timestamp metadata with the online KMS key",
      kubernetes: k8s && { workloadPool: k8s.workloadPool, namespace: TUF_KUBERNETES.namespace, serviceAccount: TUF_KUBERNETES.signer },
    });
    this.onlineKey.grantSignerVerifier(this.signer);
    this.onlineKey.grantPublicKeyViewer(this.signer);

    this.publisher = new WorkloadIdentityServiceAccount(this, "publisher", {
      project,
      accountId: names.serviceAccountId("tuf-pub"),
      displayName: "TUF publisher",
      description: "Uploads TUF metadata and targets to the preprod and serving buckets",
      kubernetes: k8s && { workloadPool: k8s.workloadPool, namespace: TUF_KUBERNETES.namespace, serviceAccount: TUF_KUBERNETES.publisher },
    });
    this.servingBucket.grantObjectAdmin(this.publisher);
    this.preprodBucket.grantObjectAdmin(this.publisher);

    for (const viewer of viewers) this.grantPublicKeyViewer(viewer);
  }

  /** Name of the serving bucket (the load balancer's backend bucket). */
  get servingBucketName(): string {
    return this.servingBucket.name;
  }

  /** The online key's id, `projects/…/cryptoKeys/online`. */
  get onlineKeyId(): string {
    return this.onlineKey.id;
  }

  /** The key version the signer uses, `projects/…/cryptoKeys/online/cryptoKeyVersions/1` (for `gcpkms://…`). */
  get onlineKeyVersionId(): string {
    return this.keyVersion.name;
  }

  /** Lets someone read the online key's public key. */
  grantPublicKeyViewer(grantee: Grantee): KmsCryptoKeyIamMember {
    return this.onlineKey.grantPublicKeyViewer(grantee);
  }
}
