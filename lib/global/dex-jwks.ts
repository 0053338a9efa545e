import { Construct } from "constructs";
import { AssetType, TerraformAsset } from "cdktf";
import { ArtifactRegistryRepository } from "@cdktf/provider-google/lib/artifact-registry-repository";
import { ArtifactRegistryRepositoryIamMember } from "@cdktf/provider-google/lib/artifact-registry-repository-iam-member";
import { CloudRunV2ServiceIamMember } from "@cdktf/provider-google/lib/cloud-run-v2-service-iam-member";
import { Cloudfunctions2Function } from "@cdktf/provider-google/lib/cloudfunctions2-function";
import { ComputeBackendBucket } from "@cdktf/provider-google/lib/compute-backend-bucket";
import { DataGoogleStorageProjectServiceAccount } from "@cdktf/provider-google/lib/data-google-storage-project-service-account";
import { LoggingMetric } from "@cdktf/provider-google/lib/logging-metric";
import { MonitoringAlertPolicy } from "@cdktf/provider-google/lib/monitoring-alert-policy";
import { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";
import { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
import { StorageBucketIamMember } from "@cdktf/provider-google/lib/storage-bucket-iam-member";
import { StorageBucketObject } from "@cdktf/provider-google/lib/storage-bucket-object";
import type { CloudArmorConfig, DexJwksConfig } from "../config/schema";
import { SecureBucket } from "../shared/bucket";
import { LogMetricsReady } from "../shared/log-metrics-ready";
import { grantProjectRole, Grantee, principal } from "../shared/iam";
import type { ResourceNames } from "../shared/names";
import { CloudArmorPolicy } from "./cloud-armor-policy";

/** The deployable merger, packaged once at synth time. */
export interface FunctionSource {
  /** A deterministic zip of the bundled function (index.js + package.json). */
  readonly zipFile: string;
  /** sha256 (hex) of the zip; the deployed object's name carries it. */
  readonly sha256: string;
  /** Name the function registers with the Functions Framework. */
  readonly entryPoint: string;
  /** Cloud Functions runtime, e.g. nodejs20. */
  readonly runtime: string;
  /** Environment variable names the function reads its buckets from. */
  readonly env: { readonly publishedBucket: string; readonly publishedObject: string };
  /** `event` values of the function's structured logs. */
  readonly logEvents: { readonly succeeded: string; readonly failed: string };
}

/** A region whose Dex publishes its keys, through its own service account. */
export interface JwksPublisher {
  readonly region: string;
  /** Publisher service account email (a cross-stack reference). */
  readonly serviceAccountEmail: string;
}

export interface DexJwksAggregationProps {
  readonly project: string;
  readonly projectNumber: string;
  readonly names: ResourceNames;
  /** Region of the function (Cloud Functions are regional). */
  readonly functionRegion: string;
  readonly settings: DexJwksConfig;
  readonly source: FunctionSource;
  readonly publishers: readonly JwksPublisher[];
  /** Dex's Cloud Armor rules; the IP rules also guard the bucket at the edge. */
  readonly cloudArmor: CloudArmorConfig;
  readonly notificationChannels: readonly string[];
  /** Create the alert policies. @default true */
  readonly alerts?: boolean;
  /**
   * Enable the alert on no successful merge. Before the regions' Dex and
   * publishers are deployed nothing merges and it would page: the policy
   * is created disabled until this is true. @default true
   */
  readonly serviceAlerts?: boolean;
}

/** Object the load balancer serves at /auth/keys (a backend bucket maps the path to the object name). */
export const PUBLISHED_JWKS_OBJECT = "auth/keys";

/** Bucket Cloud Functions (2nd gen) copies a function's source into before Cloud Build reads it. */
export function gcfSourcesBucket(projectNumber: string, region: string): string {
  return `gcf-v2-sources-${projectNumber}-${region}`;
}

/** Object a region's publisher writes. */
export function incomingJwksObject(region: string): string {
  return `keys/${region}.json`;
}

/**
 * Serves one JSON Web Key Set for Dex in every region: each region's
 * publisher writes its Dex keys to `keys/<region>.json` in a private incoming
 * bucket; every write triggers the merger (gen2 Cloud Function, retried on
 * failure), which writes the merged set to the one public object the load
 * balancer serves at `/auth/keys` through a CDN-backed backend bucket.
 *
 * Each publisher may write only its own object, the function only reads the
 * incoming bucket and writes only the published object, and nothing else is
 * public. Alerts fire on merge failures and when no merge succeeded for
 * `staleAfterMinutes`.
 */
export class DexJwksAggregation extends Construct {
  readonly incoming: SecureBucket;
  readonly published: SecureBucket;
  readonly backendBucket: ComputeBackendBucket;
  readonly function: Cloudfunctions2Function;

  constructor(scope: Construct, id: string, props: DexJwksAggregationProps) {
    super(scope, id);
    const { names, project, settings } = props;
    // Regenerated within seconds by the publishers and the merger: not
    // precious, so a destroy may empty these buckets.
    this.incoming = new SecureBucket(this, "incoming", {
      project,
      name: names.bucket("dex-jwks-incoming"),
      location: settings.bucketLocation,
      protect: false,
    });
    this.published = new SecureBucket(this, "published", {
      project,
      name: names.bucket("dex-jwks"),
      location: settings.bucketLocation,
      publicRead: true,
      protect: false,
    });

    for (const publisher of props.publishers) {
      this.grantObjectWrite(this.incoming, `publisher-${publisher.region}`, principal(publisher.region, `serviceAccount:${publisher.serviceAccountEmail}`), incomingJwksObject(publisher.region));
    }

    const functionAccount = new ServiceAccount(this, "function-account", {
      project,
      accountId: names.serviceAccountId("jwks-merge"),
      displayName: "Dex JWKS merger",
      description: "Reads every region's Dex keys and writes the merged key set",
    });
    const merger = principal("merger", `serviceAccount:${functionAccount.email}`);
    this.incoming.grantObjectViewer(merger);
    this.grantObjectWrite(this.published, "merger", merger, PUBLISHED_JWKS_OBJECT);

    this.function = this.mergerFunction(props, functionAccount);

    const edgePolicy = new CloudArmorPolicy(this, "edge-armor", {
      name: names.of("dex", "jwks-edge-armor"),
      description: "Edge policy of the published Dex key set",
      config: props.cloudArmor,
      edge: true,
    });
    this.backendBucket = new ComputeBackendBucket(this, "backend-bucket", {
      name: names.of("dex", "jwks"),
      description: "Serves the merged Dex key set at /auth/keys",
      bucketName: this.published.name,
      enableCdn: true,
      // The merger sets a short Cache-Control; the CDN must not keep a key set longer.
      cdnPolicy: { cacheMode: "USE_ORIGIN_HEADERS", requestCoalescing: true },
      compressionMode: "AUTOMATIC",
      edgeSecurityPolicy: edgePolicy.selfLink,
    });

    if (props.alerts ?? true) this.alertPolicies(props);
  }

  private mergerFunction(props: DexJwksAggregationProps, functionAccount: ServiceAccount): Cloudfunctions2Function {
    const { names, project, settings, source } = props;
    const region = props.functionRegion;

    // The zip is deterministic; its name carries its hash, so an unchanged
    // function is not redeployed.
    const sources = new SecureBucket(this, "sources", {
      project,
      name: names.bucket("dex-jwks-sources"),
      location: region.toUpperCase(),
      versioning: false,
      protect: false,
    });
    const asset = new TerraformAsset(this, "package", { path: source.zipFile, type: AssetType.FILE, assetHash: source.sha256 });
    const object = new StorageBucketObject(this, "package-object", {
      bucket: sources.name,
      name: `jwks-merger-${source.sha256.slice(0, 16)}.zip`,
      source: asset.path,
    });

    // Builds run as their own account, pushing only to this repository.
    const repository = new ArtifactRegistryRepository(this, "images", {
      project,
      location: region,
      repositoryId: names.of("dex-jwks-images"),
      format: "DOCKER",
      description: "Images of the Dex JWKS merger built by Cloud Functions",
      // A KEEP rule alone deletes nothing: DELETE everything, and KEEP (which
      // wins over DELETE) protects the newest images.
      cleanupPolicies: [
        { id: "delete-old", action: "DELETE", condition: { tagState: "ANY", olderThan: "604800s" } },
        { id: "keep-recent", action: "KEEP", mostRecentVersions: { keepCount: 5 } },
      ],
      cleanupPolicyDryRun: false,
    });
    const buildAccount = new ServiceAccount(this, "build-account", {
      project,
      accountId: names.serviceAccountId("jwks-build"),
      displayName: "Dex JWKS merger build",
    });
    const builder = principal("build", `serviceAccount:${buildAccount.email}`);
    sources.grantObjectViewer(builder);
    // Cloud Functions copies the source into its own bucket and Cloud Build
    // fetches it from there as the build account (provider issue 20571:
    // "Access to bucket gcf-v2-sources-… denied"). That bucket is created by
    // the service, perhaps after this grant, so the grant names it in a
    // condition rather than on the bucket: read access to it and nothing else.
    const functionSources = gcfSourcesBucket(props.projectNumber, region);
    const readsFunctionSources = new ProjectIamMember(this, "build-reads-function-sources", {
      project,
      role: "roles/storage.objectViewer",
      member: builder.member,
      condition: {
        title: "only the function sources bucket",
        description: `Cloud Build reads the merger's source from ${functionSources}`,
        // The bucket and its objects; not a longer name that merely starts the same.
        expression: `resource.name == "projects/_/buckets/${functionSources}" || resource.name.startsWith("projects/_/buckets/${functionSources}/")`,
      },
    });
    const pushesImages = new ArtifactRegistryRepositoryIamMember(this, "build-pushes-images", {
      project,
      location: region,
      repository: repository.name,
      role: "roles/artifactregistry.writer",
      member: builder.member,
    });
    const writesLogs = grantProjectRole(this, "build-writes-logs", { project, role: "roles/logging.logWriter", grantee: builder });

    // Eventarc delivers Cloud Storage events through Pub/Sub: the storage
    // service agent publishes, the trigger's account invokes the function.
    // The agent is created lazily and IAM rejects a member that does not
    // exist yet; reading this data source creates it.
    const storageAgentAccount = new DataGoogleStorageProjectServiceAccount(this, "storage-agent", { project });
    const storageAgent = principal("storage-agent", storageAgentAccount.member);
    const agentPublishes = grantProjectRole(this, "storage-agent-publishes-events", { project, role: "roles/pubsub.publisher", grantee: storageAgent });
    const triggerAccount = new ServiceAccount(this, "trigger-account", {
      project,
      accountId: names.serviceAccountId("jwks-trigger"),
      displayName: "Dex JWKS merger trigger",
    });
    const trigger = principal("trigger", `serviceAccount:${triggerAccount.email}`);
    const triggerReceives = grantProjectRole(this, "trigger-receives-events", { project, role: "roles/eventarc.eventReceiver", grantee: trigger });

    const fn = new Cloudfunctions2Function(this, "function", {
      project,
      location: region,
      name: names.of("dex-jwks-merger"),
      description: "Merges every region's Dex keys into the key set served at /auth/keys",
      buildConfig: {
        runtime: source.runtime,
        entryPoint: source.entryPoint,
        source: { storageSource: { bucket: sources.name, object: object.name } },
        dockerRepository: repository.id,
        serviceAccount: buildAccount.id,
      },
      serviceConfig: {
        serviceAccountEmail: functionAccount.email,
        minInstanceCount: 0,
        maxInstanceCount: settings.maxInstances,
        availableMemory: "256M",
        timeoutSeconds: 60,
        // Events arrive from Eventarc; nothing on the internet may call it.
        ingressSettings: "ALLOW_INTERNAL_ONLY",
        allTrafficOnLatestRevision: true,
        environmentVariables: {
          [source.env.publishedBucket]: this.published.name,
          [source.env.publishedObject]: PUBLISHED_JWKS_OBJECT,
        },
      },
      eventTrigger: {
        // A Cloud Storage trigger lives where the bucket does (a multi-region is "us", "eu", ...).
        triggerRegion: settings.bucketLocation.toLowerCase(),
        eventType: "google.cloud.storage.object.v1.finalized",
        eventFilters: [{ attribute: "bucket", value: this.incoming.name }],
        // A failed merge is retried until it succeeds (events expire after 24 h).
        retryPolicy: "RETRY_POLICY_RETRY",
        serviceAccountEmail: triggerAccount.email,
      },
      // The build and the trigger fail, rather than wait, when a grant they
      // need is not there yet.
      dependsOn: [readsFunctionSources, pushesImages, writesLogs, agentPublishes, triggerReceives],
    });
    new CloudRunV2ServiceIamMember(this, "trigger-invokes-function", {
      project,
      location: region,
      name: fn.name,
      role: "roles/run.invoker",
      member: trigger.member,
    });
    return fn;
  }

  /** Create/overwrite one object, and nothing else, in a bucket (an IAM condition on the object name). */
  private grantObjectWrite(bucket: SecureBucket, id: string, grantee: Grantee, objectName: string): StorageBucketIamMember {
    return new StorageBucketIamMember(this, `${id}-writes-${objectName.replace(/[^a-z0-9]+/g, "-")}`, {
      bucket: bucket.name,
      role: "roles/storage.objectUser",
      member: grantee.member,
      condition: {
        title: `only ${objectName}`,
        description: `Restricts ${grantee.grantId} to the object ${objectName}`,
        expression: `resource.name == "projects/_/buckets/${bucket.name}/objects/${objectName}"`,
      },
    });
  }

  private alertPolicies(props: DexJwksAggregationProps): void {
    const { project, names, settings, source } = props;
    const resourceFilter = `resource.type="cloud_run_revision" AND resource.labels.service_name="${names.of("dex-jwks-merger")}"`;
    const failures = new LoggingMetric(this, "failures-metric", {
      project,
      name: names.of("dex-jwks-merge-failures"),
      description: "Failed merges of the Dex key set",
      filter: `${resourceFilter} AND jsonPayload.event="${source.logEvents.failed}"`,
      metricDescriptor: { metricKind: "DELTA", valueType: "INT64", unit: "1" },
    });
    const successes = new LoggingMetric(this, "successes-metric", {
      project,
      name: names.of("dex-jwks-merge-successes"),
      description: "Successful merges of the Dex key set",
      filter: `${resourceFilter} AND jsonPayload.event="${source.logEvents.succeeded}"`,
      metricDescriptor: { metricKind: "DELTA", valueType: "INT64", unit: "1" },
    });
    // Alert policies on metrics created in this apply wait until the
    // metrics can be used (provider issue 11102).
    const ready = new LogMetricsReady(this, "metrics-ready", { metrics: [failures, successes] });
    const channels = [...props.notificationChannels];
    new MonitoringAlertPolicy(this, "failures-alert", {
      project,
      displayName: "Dex JWKS merge failures",
      combiner: "OR",
      notificationChannels: channels,
      documentation: {
        mimeType: "text/markdown",
        content:
          "The Dex key-set merger failed. The previous merged key set is still served at /auth/keys, and the platform retries the event. " +
          "If it keeps failing, a new Dex key may not verify. Read the function's logs (`event=" +
          source.logEvents.failed +
          "`) for the rejected sources and reasons.",
      },
      conditions: [
        {
          displayName: "merge failures",
          conditionThreshold: {
            filter: `metric.type="logging.googleapis.com/user/${failures.name}" AND resource.type="cloud_run_revision"`,
            comparison: "COMPARISON_GT",
            thresholdValue: 0,
            duration: "0s",
            aggregations: [{ alignmentPeriod: "300s", perSeriesAligner: "ALIGN_COUNT" }],
          },
        },
      ],
      alertStrategy: { autoClose: "1800s" },
      dependsOn: [ready.dependable],
    });
    new MonitoringAlertPolicy(this, "stale-alert", {
      project,
      displayName: "Dex JWKS not merged recently",
      enabled: props.serviceAlerts ?? true,
      combiner: "OR",
      notificationChannels: channels,
      documentation: {
        mimeType: "text/markdown",
        content:
          `No merge of the Dex key set succeeded for ${settings.staleAfterMinutes} minutes, although every region's publisher refreshes its keys every few minutes. ` +
          "Check the publishers (Deployment jwks-publisher in each cluster) and the function's trigger.",
      },
      conditions: [
        {
          displayName: "no successful merge",
          conditionAbsent: {
            filter: `metric.type="logging.googleapis.com/user/${successes.name}" AND resource.type="cloud_run_revision"`,
            duration: `${settings.staleAfterMinutes * 60}s`,
            aggregations: [{ alignmentPeriod: "300s", perSeriesAligner: "ALIGN_COUNT" }],
          },
        },
      ],
      alertStrategy: { autoClose: "1800s" },
      dependsOn: [ready.dependable],
    });
  }
}
