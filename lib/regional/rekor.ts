import { Construct } from "constructs";
import { PubsubTopic } from "@cdktf/provider-google/lib/pubsub-topic";
import { PubsubTopicIamMember } from "@cdktf/provider-google/lib/pubsub-topic-iam-member";
import type { KmsCryptoKeyIamMember } from "@cdktf/provider-google/lib/kms-crypto-key-iam-member";
import type { StorageBucketIamMember } from "@cdktf/provider-google/lib/storage-bucket-iam-member";
import { SqlDatabase } from "@cdktf/provider-google/lib/sql-database";
import { SqlUser } from "@cdktf/provider-google/lib/sql-user";
import { SecureBucket } from "../shared/bucket";
import { grantProjectRole, Grantee, WorkloadIdentityServiceAccount } from "../shared/iam";
import { CryptoKey, KeyProtectionLevel, KeyRing } from "../shared/kms";
import { preventDestroy } from "../shared/protection";
import { BUCKET_NAME, KEY_RING_NAME, nameOrDefault, RegionalPlacementProps, regionalNames, RFC1035_NAME, SERVICE_ACCOUNT_ID } from "../shared/regional-props";
import type { TrillianDatabase } from "./trillian-database";

/** Where the Rekor chart runs its server (release "rekor" with the scaffold's `server.fullnameOverride: rekor-server`). */
export const REKOR_KUBERNETES = { namespace: "rekor-system", serviceAccount: "rekor-server" } as const;

/** Name of Rekor's search index database, as the upstream module and the chart's DSN expect it. */
export const REKOR_SEARCH_INDEX_DATABASE = "searchindexes";

export interface RekorProps extends RegionalPlacementProps {
  /** The cluster's workload pool (`<project>.svc.id.goog`), as a reference to the cluster. */
  readonly workloadPool: string;
  /** Protection level of the signing key. @default "HSM" */
  readonly protectionLevel?: KeyProtectionLevel;
  /**
   * Where the search index database goes: the Trillian database construct
   * (its primary instance, and the IAM user is added there), or the name of a
   * Cloud SQL for MySQL instance with IAM authentication enabled.
   */
  readonly database: TrillianDatabase | string;
  /** Publish every new entry to a Pub/Sub topic (`--rekor_server.new_entry_publisher`). @default true */
  readonly newEntryTopic?: boolean;
  /** Let Rekor write profiles to Cloud Profiler (a project-level role). @default false */
  readonly profiler?: boolean;
  /** Id of the server's Google service account. @default "<namePrefix>-rekor-<region code>" (e.g. sigstore-rekor-use1) */
  readonly serviceAccountId?: string;
  /** Name of the key ring of the log's signing key. @default "<namePrefix>-rekor-<region>" */
  readonly keyRingName?: string;
  /**
   * Name of the attestation bucket (globally unique).
   * @default "<project>-<namePrefix>-rekor-attestations-<region>", the project id shortened and a hash added beyond 63 characters
   */
  readonly attestationBucketName?: string;
  /** Name of the new-entry topic. @default "<namePrefix>-rekor-<region>-new-entry" */
  readonly newEntryTopicName?: string;
}

/**
 * Rekor's resources in one region: its service account (bound to the chart's
 * Kubernetes service account), a KMS signing key for its signed tree heads
 * and entry timestamps, a private bucket for attestations, the search index
 * database with an IAM database user (no password), and a Pub/Sub topic of new
 * entries. Every grant is on the key, bucket or topic itself, except the
 * Cloud SQL roles, which exist only at project level.
 */
export class Rekor extends Construct {
  /** The Google service account the Rekor server runs as. */
  readonly serviceAccount: WorkloadIdentityServiceAccount;
  /** Private, versioned, protected bucket of attestations. */
  readonly attestationBucket: SecureBucket;
  private readonly signingKey: CryptoKey;
  private readonly searchIndex: SqlDatabase;
  private readonly topic?: PubsubTopic;

  constructor(scope: Construct, id: string, props: RekorProps) {
    super(scope, id);
    const names = regionalNames(this, "Rekor", props);
    const { project, region } = props;
    if (!props.workloadPool) throw new Error(`Rekor needs the cluster's workloadPool (${this.node.path})`);
    const protectionLevel = props.protectionLevel ?? "HSM";
    if (protectionLevel !== "HSM" && protectionLevel !== "SOFTWARE") {
      throw new Error(`Rekor protectionLevel must be "HSM" or "SOFTWARE", got "${String(protectionLevel)}" (${this.node.path})`);
    }
    if (props.database === "") throw new Error(`Rekor needs the search index instance name (${this.node.path})`);

    this.serviceAccount = new WorkloadIdentityServiceAccount(this, "server", {
      project,
      accountId: nameOrDefault(this, "serviceAccountId", props.serviceAccountId, () => names.serviceAccountId("rekor", region), SERVICE_ACCOUNT_ID),
      displayName: `Rekor (${region})`,
      description: "Rekor server: signs log checkpoints, stores attestations, indexes entries",
      kubernetes: { workloadPool: props.workloadPool, ...REKOR_KUBERNETES },
    });

    const ringName = nameOrDefault(this, "keyRingName", props.keyRingName, () => names.of("rekor", region), KEY_RING_NAME);
    const ring = new KeyRing(this, "keys", { project, name: ringName, location: region });
    // ECDSA P-256, as the upstream module: clients verify Rekor's signatures with it.
    this.signingKey = ring.addKey("signing", { name: "log-signing", purpose: "ASYMMETRIC_SIGN", algorithm: "EC_SIGN_P256_SHA256", protectionLevel });
    this.signingKey.grantSignerVerifier(this.serviceAccount);
    // Rekor's KMS signer looks the key up before it signs.
    this.signingKey.grantViewer(this.serviceAccount);

    this.attestationBucket = new SecureBucket(this, "attestations", {
      project,
      name: nameOrDefault(this, "attestationBucketName", props.attestationBucketName, () => names.bucket("rekor-attestations", region), BUCKET_NAME),
      location: region,
    });
    this.attestationBucket.grantObjectAdmin(this.serviceAccount);

    const instanceName = typeof props.database === "string" ? props.database : props.database.instanceName;
    // utf8mb3 as the upstream module, which created the index with it.
    this.searchIndex = preventDestroy(
      new SqlDatabase(this, "search-index", {
        project,
        instance: instanceName,
        name: REKOR_SEARCH_INDEX_DATABASE,
        charset: "utf8mb3",
        collation: "utf8mb3_general_ci",
      }),
    );
    if (typeof props.database === "string") {
      new SqlUser(this, "search-index-user", {
        project,
        instance: instanceName,
        name: this.serviceAccount.email,
        type: "CLOUD_IAM_SERVICE_ACCOUNT",
      });
    } else {
      props.database.addIamUser("rekor", this.serviceAccount);
    }
    // Cloud SQL has no instance-level IAM: connecting (Auth Proxy) and logging in (IAM user) are project roles.
    grantProjectRole(this, "cloudsql-client", { project, role: "roles/cloudsql.client", grantee: this.serviceAccount });
    grantProjectRole(this, "cloudsql-instance-user", { project, role: "roles/cloudsql.instanceUser", grantee: this.serviceAccount });
    if (props.profiler ?? false) {
      grantProjectRole(this, "profiler-agent", { project, role: "roles/cloudprofiler.agent", grantee: this.serviceAccount });
    }

    if (props.newEntryTopicName !== undefined && props.newEntryTopic === false) {
      throw new Error(`Rekor newEntryTopicName needs newEntryTopic (it is false) (${this.node.path})`);
    }
    if (props.newEntryTopic ?? true) {
      this.topic = new PubsubTopic(this, "new-entry", {
        project,
        name: nameOrDefault(this, "newEntryTopicName", props.newEntryTopicName, () => names.of("rekor", region, "new-entry"), RFC1035_NAME),
        // Entries of this region's log stay in this region.
        messageStoragePolicy: { allowedPersistenceRegions: [region] },
      });
      // A member on the topic, not a topic policy: the policy would drop every other grant on it.
      new PubsubTopicIamMember(this, "new-entry-publisher", {
        project,
        topic: this.topic.name,
        role: "roles/pubsub.publisher",
        member: this.serviceAccount.member,
      });
    }
  }

  /** KMS key id, for `gcpkms://<id>` in the chart's `--rekor_server.signer`. */
  get signingKeyId(): string {
    return this.signingKey.id;
  }

  /** Public key (SPKI PEM) of the log's signing key, for the trusted root (read where the key is created). */
  get signingPublicKeyPem(): string {
    return this.signingKey.publicKeyPem();
  }

  /** Attestation bucket name, for `gs://<name>` in the chart's attestation storage. */
  get attestationBucketName(): string {
    return this.attestationBucket.name;
  }

  /** Name of the search index database (a reference, so users of it wait for it). */
  get searchIndexDatabaseName(): string {
    return this.searchIndex.name;
  }

  /** `gcppubsub://projects/<p>/topics/<name>`, the chart's `--rekor_server.new_entry_publisher`. */
  get newEntryPublisherUrl(): string {
    const topic = this.requireTopic("newEntryPublisherUrl");
    return `gcppubsub://projects/${topic.project}/topics/${topic.name}`;
  }

  /** Topic id (`projects/<p>/topics/<name>`) of new entries. */
  get newEntryTopicId(): string {
    return this.requireTopic("newEntryTopicId").id;
  }

  /** Lets a verifier or a trust root builder read the log's public key, on the key only. */
  grantPublicKeyViewer(grantee: Grantee): KmsCryptoKeyIamMember {
    return this.signingKey.grantPublicKeyViewer(grantee);
  }

  /** Lets a reader (an auditor, a mirror) read the stored attestations, on the bucket only. */
  grantAttestationReader(grantee: Grantee): StorageBucketIamMember {
    return this.attestationBucket.grantObjectViewer(grantee);
  }

  /** Lets a consumer attach subscriptions to the new-entry topic, on the topic itself. */
  grantNewEntrySubscriber(grantee: Grantee): PubsubTopicIamMember {
    const topic = this.requireTopic("grantNewEntrySubscriber");
    return new PubsubTopicIamMember(this, `new-entry-subscriber-${grantee.grantId}`, {
      project: topic.project,
      topic: topic.name,
      role: "roles/pubsub.subscriber",
      member: grantee.member,
    });
  }

  private requireTopic(what: string): PubsubTopic {
    if (!this.topic) throw new Error(`${this.node.path}: ${what} needs the new-entry topic (newEntryTopic is false)`);
    return this.topic;
  }
}
