import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { SecretManagerSecret } from "@cdktf/provider-google/lib/secret-manager-secret";
import { SpannerDatabase } from "@cdktf/provider-google/lib/spanner-database";
import { SpannerDatabaseIamMember } from "@cdktf/provider-google/lib/spanner-database-iam-member";
import { SpannerInstance } from "@cdktf/provider-google/lib/spanner-instance";
import { StorageBucketIamMember } from "@cdktf/provider-google/lib/storage-bucket-iam-member";
import { SecureBucket } from "../shared/bucket";
import { grantProjectRole, Grantee, WorkloadIdentityServiceAccount } from "../shared/iam";
import { CryptoKey, KeyProtectionLevel, KeyRing } from "../shared/kms";
import { regionCode } from "../shared/names";
import { preventDestroy } from "../shared/protection";
import { BUCKET_NAME, KEY_RING_NAME, nameOrDefault, RegionalPlacementProps, regionalNames, RFC1035_NAME, SECRET_ID, SERVICE_ACCOUNT_ID } from "../shared/regional-props";
import { NegPublication } from "./neg-publication";
import { addSigningKeySecret } from "./signing-key-secret";
import { isValidProcessingUnits, shardNameProblem } from "./tiles-log-validation";

/** The two Tessera-based logs: Rekor v2 (rekor-tiles) and TesseraCT (ctlog-tiles). */
export type TilesLogKind = "rekor" | "ctlog";

/**
 * A read served from the tile bucket. `match` is a full path (`/checkpoint`)
 * or a URL map path template (`/tile/{path=**}`); `rewrite` is the object path
 * the bucket sees when it differs from the request path (`/tile/{path}`).
 */
export interface TilesReadRoute {
  readonly match: string;
  readonly rewrite?: string;
}

/** What does not vary by deployment about one kind of tiles log. */
export interface TilesLogSpec {
  readonly kind: TilesLogKind;
  readonly title: string;
  /** Helm chart (`charts/<chart>` in sigstore/helm-charts); also the prefix of the per-shard release. */
  readonly chart: string;
  /** The chart's default `namespace.name`. */
  readonly namespace: string;
  /** HTTP health endpoint on the serving port. */
  readonly healthCheckPath: string;
  /** Requests answered from the tile bucket (through the CDN); every other path goes to the log's pods. */
  readonly reads: readonly TilesReadRoute[];
  /** gRPC service paths, served by an HTTP/2 backend over a second NEG; none for logs without gRPC. */
  readonly grpcServicePaths: readonly string[];
  /** Signing key material: a Tink keyset wrapped by a KMS key, or key pair secrets in Secret Manager. */
  readonly signer: "tink-kms" | "secret-manager";
}

export const TILES_LOGS: { readonly [K in TilesLogKind]: TilesLogSpec } = {
  rekor: {
    kind: "rekor",
    title: "Rekor v2",
    chart: "rekor-tiles",
    namespace: "rekor-tiles-system",
    healthCheckPath: "/healthz",
    // Rekor v2 publishes its tiles API under /api/v2; the bucket holds them at the root (tlog-tiles layout).
    reads: [
      { match: "/api/v2/checkpoint", rewrite: "/checkpoint" },
      { match: "/api/v2/tile/{path=**}", rewrite: "/tile/{path}" },
    ],
    grpcServicePaths: ["/dev.sigstore.rekor.v2.Rekor"],
    // rekor-tiles signs checkpoints with a Tink keyset it decrypts with a KMS key (--signer-tink-kek-uri).
    signer: "tink-kms",
  },
  ctlog: {
    kind: "ctlog",
    title: "TesseraCT",
    chart: "ctlog-tiles",
    namespace: "ctlog-tiles-system",
    healthCheckPath: "/healthz",
    // Static CT API monitoring paths; submissions (/ct/v1/add-chain, ...) go to the pods.
    reads: [{ match: "/checkpoint" }, { match: "/tile/{path=**}" }, { match: "/issuer/{path=**}" }],
    grpcServicePaths: [],
    // TesseraCT reads its key pair from Secret Manager (--signer_{private,public}_key_secret_name).
    signer: "secret-manager",
  },
};

/** Spanner edition; STANDARD offers regional instances, the higher ones add managed autoscaling and more. */
export type SpannerEdition = "STANDARD" | "ENTERPRISE" | "ENTERPRISE_PLUS";

export interface TilesSpannerSettings {
  /** Compute capacity: 100 to 900 in steps of 100, then whole nodes (multiples of 1000). @default 100 */
  readonly processingUnits?: number;
  /** @default "STANDARD" */
  readonly edition?: SpannerEdition;
  /** A daily full backup of each database, kept 7 days (the instance's default backup schedule). @default true */
  readonly automaticBackups?: boolean;
}

export interface TilesLogProps extends RegionalPlacementProps {
  /** Zones of the region whose NEGs serve the log (the front end makes one backend per zone). */
  readonly zones: readonly string[];
  readonly kind: TilesLogKind;
  /**
   * Short name of the shard (1 to 10 lowercase letters, digits or hyphens),
   * e.g. "2026". It is part of every name, so shards never collide; a new
   * shard is a new log with new storage and a new key.
   */
  readonly shardName: string;
  /** The cluster's workload pool (`<project>.svc.id.goog`), as a reference to the cluster. */
  readonly workloadPool: string;
  /** Protection level of the key-encryption key (Rekor v2). @default "HSM" */
  readonly protectionLevel?: KeyProtectionLevel;
  /** The Spanner instance's capacity, edition and backups. @default 100 processing units, STANDARD, daily backups */
  readonly spanner?: TilesSpannerSettings;
  /**
   * Whether anyone may read the tile bucket. A transparency log exists to be
   * read by anyone, and clients and monitors fetch tiles directly. When false,
   * readers (including the Cloud CDN fill account of a front end) must be
   * granted with `grantTileReader`. @default true
   */
  readonly publicTiles?: boolean;
  /** Let the log write its OpenTelemetry and Spanner client metrics to Cloud Monitoring. @default true */
  readonly metrics?: boolean;
  /**
   * The Kubernetes service account the log runs as. @default namespace = the
   * chart's, service account = `<chart>-<shard>` (the chart names it after a
   * release called `<chart>-<shard>`, one release per shard)
   */
  readonly kubernetes?: { readonly namespace?: string; readonly serviceAccount?: string };
  /** Id of the log's Google service account. @default "<namePrefix>-<kind>-<shard>-<region code>" (e.g. sigstore-rekor-2026-use1) */
  readonly serviceAccountId?: string;
  /** Id of the Spanner instance (6 to 30 characters). @default "<namePrefix>-<kind>-<shard>-<region code>" */
  readonly spannerInstanceName?: string;
  /**
   * Name of the tile bucket (globally unique).
   * @default "<project>-<namePrefix>-<chart>-<shard>-<region>", the project id shortened and a hash added beyond 63 characters
   */
  readonly tileBucketName?: string;
  /** Key ring of the key-encryption key (Rekor v2 only). @default "<namePrefix>-<chart>-<shard>-<region>" */
  readonly keyRingName?: string;
  /** Secret ids of the key pair (TesseraCT only). @default "<namePrefix>-<chart>-<shard>-<region>-private-key" and "…-public-key" */
  readonly keySecretIds?: { readonly privateKey: string; readonly publicKey: string };
  /** Standalone NEG names. @default "<namePrefix>-<chart>-<shard>-<region code>-http" (and "…-grpc" for a log with gRPC) */
  readonly negNames?: { readonly http: string; readonly grpc?: string };
}

/**
 * What a global front end needs to serve one tiles log. The token attributes
 * are cross-stack references when read from another stack: they resolve once
 * this regional stack is applied (and after `publishAfter` dependencies).
 */
export interface TilesLogExport {
  readonly spec: TilesLogSpec;
  readonly shard: string;
  readonly region: string;
  /** Zones as configured; the front end makes one backend per zone. */
  readonly zones: readonly string[];
  /** Zones the deployed regional stack serves (token list), to check against `zones`. */
  readonly servedZones: string[];
  /** The tile bucket, for a backend bucket (token). */
  readonly bucketName: string;
  /** Standalone NEG of the HTTP port (token). */
  readonly httpNegName: string;
  /** Standalone NEG of the gRPC port (token), for logs with gRPC. */
  readonly grpcNegName?: string;
}

const SHORT_ID = /^[a-z]([-a-z0-9]{4,28}[a-z0-9])$/;
const SPANNER_INSTANCE = { pattern: SHORT_ID, rule: "6 to 30 lowercase letters, digits or hyphens, starting with a letter" } as const;
const SEQUENCER_DATABASE = "sequencer";
// rekor-tiles derives its antispam database from the sequencer's: "<sequencer>-antispam".
const ANTISPAM_DATABASE = `${SEQUENCER_DATABASE}-antispam`;
const METRIC_WRITER = "roles/monitoring.metricWriter";

/**
 * One shard of a Tessera-based transparency log (Rekor v2 or TesseraCT) in
 * one region: the Spanner instance with its sequencer and antispam databases,
 * the tile bucket, the log's service account (bound to the chart's Kubernetes
 * service account), its signing key material, and the deterministic names a
 * global front end needs (`exported`).
 *
 * Tessera creates its own tables at start-up, so the databases carry no DDL
 * here (Terraform would otherwise fight the log over the schema). The log's
 * account is a database user (read, write, schema) on the two databases only,
 * and an object user (read, create, overwrite, delete: Tessera replaces the
 * checkpoint and garbage-collects partial tiles) on the bucket only.
 *
 * No load balancer is built in the region: the global stack serves the log
 * with `TilesFrontend`, from the bucket and the NEGs published here.
 */
export class TilesLog extends Construct {
  readonly spec: TilesLogSpec;
  readonly shardName: string;
  /** The Google service account the log's pods run as. */
  readonly serviceAccount: WorkloadIdentityServiceAccount;
  /** Checkpoints, tiles, entry bundles (and issuers, for CT). */
  readonly tileBucket: SecureBucket;
  readonly spannerInstance: SpannerInstance;
  readonly sequencerDatabase: SpannerDatabase;
  readonly antispamDatabase: SpannerDatabase;
  /** Standalone NEG names for the chart's `neg.http.name` / `neg.grpc.name`. */
  readonly negNames: { readonly http: string; readonly grpc?: string };
  /** Where the chart runs the log, for workload identity. */
  readonly kubernetes: { readonly namespace: string; readonly serviceAccount: string };
  private readonly keyEncryptionKey?: CryptoKey;
  private readonly privateKey?: SecretManagerSecret;
  private readonly publicKey?: SecretManagerSecret;
  private readonly published: NegPublication;
  private readonly project: string;
  private readonly region: string;
  private readonly zones: readonly string[];

  constructor(scope: Construct, id: string, props: TilesLogProps) {
    super(scope, id);
    const { kind, project, region } = props;
    const names = regionalNames(this, "TilesLog", props);
    this.project = project;
    this.region = region;
    this.zones = props.zones;
    if (props.zones.length === 0) throw new Error(`TilesLog needs the zones of its NEGs (${this.node.path})`);
    if (!(kind in TILES_LOGS)) throw new Error(`TilesLog kind must be "rekor" or "ctlog", got "${String(kind)}" (${this.node.path})`);
    const badShardName = shardNameProblem(props.shardName);
    if (badShardName) throw new Error(`TilesLog shardName "${props.shardName}" ${badShardName} (${this.node.path})`);
    if (!props.workloadPool) throw new Error(`TilesLog needs the cluster's workloadPool (${this.node.path})`);
    const protectionLevel = props.protectionLevel ?? "HSM";
    if (protectionLevel !== "HSM" && protectionLevel !== "SOFTWARE") {
      throw new Error(`TilesLog protectionLevel must be "HSM" or "SOFTWARE", got "${String(protectionLevel)}" (${this.node.path})`);
    }
    const processingUnits = props.spanner?.processingUnits ?? 100;
    if (!isValidProcessingUnits(processingUnits)) {
      throw new Error(`TilesLog spanner.processingUnits must be 100 to 900 in steps of 100, or a multiple of 1000; got ${processingUnits} (${this.node.path})`);
    }

    this.spec = TILES_LOGS[kind];
    this.shardName = props.shardName;
    const spec = this.spec;
    const shard = props.shardName;
    if (spec.signer === "tink-kms" && props.keySecretIds) throw new Error(`TilesLog keySecretIds: ${spec.title} keeps its key as a Tink keyset wrapped by KMS (${this.node.path})`);
    if (spec.signer === "secret-manager" && props.keyRingName !== undefined) throw new Error(`TilesLog keyRingName: ${spec.title} keeps its keys in Secret Manager (${this.node.path})`);
    if (props.negNames && !props.negNames.grpc !== (spec.grpcServicePaths.length === 0)) {
      throw new Error(`TilesLog negNames.grpc is ${spec.grpcServicePaths.length > 0 ? "required" : "not allowed"}: ${spec.title} ${spec.grpcServicePaths.length > 0 ? "serves" : "has no"} gRPC (${this.node.path})`);
    }
    // Project-wide names (buckets, key rings, secrets) carry the full region; ids limited
    // to 30 characters (Spanner instances, service accounts) the region code.
    const base = (): string => names.of(spec.chart, shard, region);
    const shortId = [names.prefix, kind, shard, regionCode(region)].join("-");
    if ((props.spannerInstanceName === undefined || props.serviceAccountId === undefined) && !SHORT_ID.test(shortId)) {
      throw new Error(`Spanner instance and service account id "${shortId}" must be 6 to 30 lowercase letters, digits or hyphens; shorten namePrefix or the shard name, or set spannerInstanceName and serviceAccountId (${this.node.path})`);
    }

    this.kubernetes = {
      namespace: props.kubernetes?.namespace ?? spec.namespace,
      serviceAccount: props.kubernetes?.serviceAccount ?? `${spec.chart}-${shard}`,
    };
    this.serviceAccount = new WorkloadIdentityServiceAccount(this, "server", {
      project,
      accountId: nameOrDefault(this, "serviceAccountId", props.serviceAccountId, () => names.serviceAccountId(`${kind}-${shard}`, region), SERVICE_ACCOUNT_ID),
      displayName: `${spec.title} ${shard} (${region})`,
      description: `${spec.title} log shard ${shard}: sequences in Spanner, writes tiles, signs checkpoints`,
      kubernetes: { workloadPool: props.workloadPool, ...this.kubernetes },
    });

    // --- Spanner: the sequencer (entries not yet integrated, coordination rows) and the antispam index.
    const instanceName = nameOrDefault(this, "spannerInstanceName", props.spannerInstanceName, () => shortId, SPANNER_INSTANCE);
    this.spannerInstance = preventDestroy(
      new SpannerInstance(this, "spanner", {
        project,
        name: instanceName,
        displayName: instanceName,
        config: `regional-${region}`,
        edition: props.spanner?.edition ?? "STANDARD",
        processingUnits,
        defaultBackupScheduleType: (props.spanner?.automaticBackups ?? true) ? "AUTOMATIC" : "NONE",
        // Deleting the instance must never take its backups with it.
        forceDestroy: false,
      }),
    );
    this.sequencerDatabase = this.database("sequencer", SEQUENCER_DATABASE);
    this.antispamDatabase = this.database("antispam", ANTISPAM_DATABASE);
    for (const [grantId, database] of [["sequencer", this.sequencerDatabase], ["antispam", this.antispamDatabase]] as const) {
      new SpannerDatabaseIamMember(this, `${grantId}-database-user`, {
        project,
        instance: this.spannerInstance.name,
        database: database.name,
        role: "roles/spanner.databaseUser",
        member: this.serviceAccount.member,
      });
    }

    // --- Tiles: written once (the checkpoint is overwritten), read by anyone unless publicTiles is false.
    this.tileBucket = new SecureBucket(this, "tiles", {
      project,
      name: nameOrDefault(this, "tileBucketName", props.tileBucketName, () => names.bucket(spec.chart, shard, region), BUCKET_NAME),
      location: region,
      // Read constantly by clients, monitors and witnesses.
      storageClass: "STANDARD",
      publicRead: props.publicTiles ?? true,
    });
    // Browsers (log viewers, witnesses in web apps) fetch tiles across origins.
    this.tileBucket.bucket.putCors([{ origin: ["*"], method: ["GET", "HEAD"], maxAgeSeconds: 3600 }]);
    this.tileBucket.grantObjectUser(this.serviceAccount);

    // --- Signing key material: Terraform creates containers and grants, never key values.
    if (spec.signer === "tink-kms") {
      const ring = new KeyRing(this, "keys", { project, name: nameOrDefault(this, "keyRingName", props.keyRingName, base, KEY_RING_NAME), location: region });
      // Wraps the Tink keyset (the checkpoint signing key) the chart mounts from a ConfigMap;
      // the log only ever decrypts it. Old versions stay enabled on rotation, so the keyset stays readable.
      this.keyEncryptionKey = ring.addKey("checkpoint-kek", {
        name: "checkpoint-signer-kek",
        purpose: "ENCRYPT_DECRYPT",
        algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION",
        protectionLevel,
      });
      this.keyEncryptionKey.grantDecrypter(this.serviceAccount);
    } else {
      this.privateKey = this.keySecret("private-key", nameOrDefault(this, "keySecretIds.privateKey", props.keySecretIds?.privateKey, () => `${base()}-private-key`, SECRET_ID));
      this.publicKey = this.keySecret("public-key", nameOrDefault(this, "keySecretIds.publicKey", props.keySecretIds?.publicKey, () => `${base()}-public-key`, SECRET_ID));
    }

    if (props.metrics ?? true) {
      // Metric descriptors and time series belong to the project: the role has no narrower resource.
      // It holds what the upstream custom roles grant for writing (metricDescriptors.create,
      // timeSeries.create, also used by the Spanner client's built-in metrics); reading series is not needed.
      grantProjectRole(this, "metric-writer", { project, role: METRIC_WRITER, grantee: this.serviceAccount });
    }

    // NEGs are zonal; the region code keeps the names short and tells regions apart in the console.
    this.negNames = {
      http: nameOrDefault(this, "negNames.http", props.negNames?.http, () => names.of(spec.chart, shard, regionCode(region), "http"), RFC1035_NAME),
      grpc: spec.grpcServicePaths.length > 0 ? nameOrDefault(this, "negNames.grpc", props.negNames?.grpc, () => names.of(spec.chart, shard, regionCode(region), "grpc"), RFC1035_NAME) : undefined,
    };
    this.published = new NegPublication(this, "frontend", {
      negNames: this.negNames,
      zones: props.zones,
      // A reference: the global stack sees the name only once the bucket exists.
      extra: { bucket: this.tileBucket.name },
    });
  }

  private database(id: string, name: string): SpannerDatabase {
    return preventDestroy(
      new SpannerDatabase(this, id, {
        project: this.project,
        instance: this.spannerInstance.name,
        name,
        databaseDialect: "GOOGLE_STANDARD_SQL",
        // Terraform refuses to delete it, and so does Spanner (which also keeps the instance).
        deletionProtection: true,
        enableDropProtection: true,
      }),
    );
  }

  private keySecret(id: string, secretId: string): SecretManagerSecret {
    return addSigningKeySecret(this, id, { project: this.project, region: this.region, secretId, reader: this.serviceAccount });
  }

  /** Spanner instance id (for monitoring and the database paths). */
  get spannerInstanceName(): string {
    return this.spannerInstance.name;
  }

  /** `projects/<p>/instances/<i>/databases/sequencer`: the chart's `server.gcp.spanner`. */
  get sequencerDatabasePath(): string {
    return this.databasePath(this.sequencerDatabase);
  }

  /** `projects/<p>/instances/<i>/databases/sequencer-antispam` (TesseraCT's `--spanner_antispam_db_path`; Rekor v2 derives it). */
  get antispamDatabasePath(): string {
    return this.databasePath(this.antispamDatabase);
  }

  private databasePath(database: SpannerDatabase): string {
    return `projects/${this.project}/instances/${this.spannerInstance.name}/databases/${database.name}`;
  }

  /** The tile bucket's name: the chart's `server.gcp.bucket`. */
  get tileBucketName(): string {
    return this.tileBucket.name;
  }

  /** `gcp-kms://<key id>`: the chart's `server.signer.tink.kekURI` (Rekor v2). */
  get keyEncryptionKeyUri(): string {
    if (!this.keyEncryptionKey) throw new Error(`${this.node.path}: ${this.spec.title} has no key-encryption key; it keeps its keys in Secret Manager`);
    return `gcp-kms://${this.keyEncryptionKey.id}`;
  }

  /** Secret (`projects/<p>/secrets/<id>`) for the PEM private key (TesseraCT); add versions out of band. */
  get privateKeySecretId(): string {
    return this.requireSecret(this.privateKey, "privateKeySecretId").id;
  }

  /** Secret (`projects/<p>/secrets/<id>`) for the PEM public key (TesseraCT); add versions out of band. */
  get publicKeySecretId(): string {
    return this.requireSecret(this.publicKey, "publicKeySecretId").id;
  }

  private requireSecret(secret: SecretManagerSecret | undefined, what: string): SecretManagerSecret {
    if (!secret) throw new Error(`${this.node.path}: ${what}: ${this.spec.title} keeps its key as a Tink keyset wrapped by KMS, not in Secret Manager`);
    return secret;
  }

  /**
   * Lets someone read the tiles through IAM (a mirror, a monitor, or the
   * Cloud CDN fill account when the bucket is not public), on the bucket.
   */
  grantTileReader(grantee: Grantee): StorageBucketIamMember {
    return this.tileBucket.grantObjectViewer(grantee);
  }

  /**
   * Makes the published names wait for the resources that create the NEGs
   * (the log's Kubernetes Service), so the global stack never routes to a NEG
   * that cannot exist yet.
   */
  publishAfter(...dependencies: ITerraformDependable[]): void {
    this.published.publishAfter(...dependencies);
  }

  /**
   * Publishes no served zone: the shard's release is not installed yet (e.g.
   * its keyset is not configured), so its NEGs do not exist; the global
   * stack's zone precondition then stops its plan.
   */
  withholdZones(): void {
    this.published.withholdZones();
  }

  /** What `TilesFrontend` consumes, as cross-stack references. */
  get exported(): TilesLogExport {
    return {
      spec: this.spec,
      shard: this.shardName,
      region: this.region,
      zones: this.zones,
      servedZones: this.published.servedZones,
      bucketName: this.published.attribute("bucket"),
      httpNegName: this.published.attribute("http"),
      grpcNegName: this.negNames.grpc ? this.published.attribute("grpc") : undefined,
    };
  }
}
