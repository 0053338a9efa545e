import { Construct } from "constructs";
import { AssetType, Fn, ITerraformDependable, TerraformAsset } from "cdktf";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { PUBLISHER_ENV, PUBLISHER_HEALTH_PATHS, PUBLISHER_HEALTH_PORT } from "../../functions/jwks-publisher/src/contract";
import { WorkloadIdentityServiceAccount } from "../shared/iam";
import type { RegionalContext } from "./context";
import { ManifestsRelease } from "./workloads/release";

/** Kubernetes names of the publisher (it runs in Dex's namespace, next to Dex). */
export const JWKS_PUBLISHER_KUBERNETES = { serviceAccount: "jwks-publisher", app: "jwks-publisher" } as const;

export interface DexJwksPublisherProps {
  readonly context: RegionalContext;
  /** The cluster's workload pool, as a reference to the cluster. */
  readonly workloadPool: string;
  /** Name of the incoming bucket of the global stack (deterministic, so no cross-stack reference back). */
  readonly incomingBucket: string;
  /** This region's object in it, `keys/<region>.json`. */
  readonly objectName: string;
  /** Node.js image pinned by digest. */
  readonly image: string;
  readonly pollIntervalSeconds: number;
  /** The bundled publisher (index.js) and its hash. */
  readonly bundle: { readonly file: string; readonly sha256: string };
  /** Namespace where Dex runs. @default "dex-system" */
  readonly namespace?: string;
  /** Dex's key set URL inside the cluster. @default "http://dex.<namespace>.svc.cluster.local:5556/auth/keys" */
  readonly dexKeysUrl?: string;
  /** What the publisher is deployed after: Dex's release, so it starts next to a Dex that exists. @default none */
  readonly after?: ITerraformDependable[];
}

/**
 * Publishes this region's Dex keys for the global key set: a small Deployment
 * next to Dex polls Dex's /keys every few seconds and uploads the set to
 * `keys/<region>.json` when it changes, as a Google service account that may
 * write only that object (the condition is granted by the global stack, which
 * owns the bucket). The bundle comes from a ConfigMap, so the image is a
 * plain Node.js one pinned by digest.
 */
export class DexJwksPublisher extends Construct {
  readonly serviceAccount: WorkloadIdentityServiceAccount;
  readonly deployment: DeploymentV1;
  /** The disruption budget (a release of a local chart: the provider has no unhealthyPodEvictionPolicy). */
  readonly disruptionBudget: ManifestsRelease;

  constructor(scope: Construct, id: string, props: DexJwksPublisherProps) {
    super(scope, id);
    const { context } = props;
    const namespace = props.namespace ?? "dex-system";
    const labels = { "app.kubernetes.io/name": JWKS_PUBLISHER_KUBERNETES.app, "app.kubernetes.io/part-of": "sigstore" };

    this.serviceAccount = new WorkloadIdentityServiceAccount(this, "google-account", {
      project: context.project,
      accountId: context.names.serviceAccountId("jwks-pub", context.region),
      displayName: `Dex JWKS publisher (${context.region})`,
      description: `Uploads ${props.objectName} to ${props.incomingBucket}`,
      kubernetes: { workloadPool: props.workloadPool, namespace, serviceAccount: JWKS_PUBLISHER_KUBERNETES.serviceAccount },
    });

    const kubernetesAccount = new ServiceAccountV1(this, "kubernetes-account", {
      metadata: {
        name: JWKS_PUBLISHER_KUBERNETES.serviceAccount,
        namespace,
        labels,
        annotations: { "iam.gke.io/gcp-service-account": this.serviceAccount.email },
      },
      automountServiceAccountToken: false,
    });

    // The bundle stays a file reference in the JSON, so plans show a hash
    // change rather than the code; Terraform reads it when it applies the ConfigMap.
    const asset = new TerraformAsset(this, "bundle", { path: props.bundle.file, type: AssetType.FILE, assetHash: props.bundle.sha256 });
    const code = new ConfigMapV1(this, "code", {
      metadata: { name: JWKS_PUBLISHER_KUBERNETES.app, namespace, labels },
      data: { "index.js": Fn.file(asset.path) },
    });

    const pollMs = props.pollIntervalSeconds * 1000;
    this.deployment = new DeploymentV1(this, "deployment", {
      dependsOn: props.after,
      metadata: { name: JWKS_PUBLISHER_KUBERNETES.app, namespace, labels },
      spec: {
        // Two replicas in different zones: a drained node must not widen the
        // rotation gap. Both upload the same bytes; merges are idempotent.
        replicas: "2",
        selector: { matchLabels: labels },
        template: {
          metadata: { labels, annotations: { "sigstore.dev/bundle-sha256": props.bundle.sha256 } },
          spec: {
            serviceAccountName: kubernetesAccount.metadata.name,
            automountServiceAccountToken: true, // workload identity reads the projected token
            securityContext: { runAsNonRoot: true, runAsUser: "65532", runAsGroup: "65532", seccompProfile: { type: "RuntimeDefault" } },
            topologySpreadConstraint: [
              { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: [{ matchLabels: labels }] },
            ],
            container: [
              {
                name: "publisher",
                image: props.image,
                args: ["/app/index.js"],
                env: [
                  { name: PUBLISHER_ENV.dexKeysUrl, value: props.dexKeysUrl ?? `http://dex.${namespace}.svc.cluster.local:5556/auth/keys` },
                  { name: PUBLISHER_ENV.bucket, value: props.incomingBucket },
                  { name: PUBLISHER_ENV.objectName, value: props.objectName },
                  { name: PUBLISHER_ENV.pollIntervalMs, value: String(pollMs) },
                  { name: PUBLISHER_ENV.healthPort, value: String(PUBLISHER_HEALTH_PORT) },
                ],
                port: [{ name: "health", containerPort: PUBLISHER_HEALTH_PORT }],
                resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  privileged: false,
                  capabilities: { drop: ["ALL"] },
                },
                // Live and ready while the poll loop runs. Readiness does not wait for a
                // successful upload: the incoming bucket belongs to the global stack, which
                // a brand-new deployment applies after this one, so the rollout wait would
                // time out. Stale uploads are the merger's staleness alert's business.
                livenessProbe: { httpGet: { path: PUBLISHER_HEALTH_PATHS.live, port: "health" }, periodSeconds: 10, failureThreshold: 6 },
                readinessProbe: { httpGet: { path: PUBLISHER_HEALTH_PATHS.live, port: "health" }, periodSeconds: 5 },
                volumeMount: [{ name: "code", mountPath: "/app", readOnly: true }],
              },
            ],
            volume: [{ name: "code", configMap: { name: code.metadata.name } }],
          },
        },
      },
    });

    // AlwaysAllow: an unready publisher (e.g. Dex down) must never block a node drain or upgrade.
    this.disruptionBudget = new ManifestsRelease(this, "disruption-budget", {
      name: `${JWKS_PUBLISHER_KUBERNETES.app}-pdb`,
      namespace,
      dependsOn: [this.deployment],
      objects: [
        {
          apiVersion: "policy/v1",
          kind: "PodDisruptionBudget",
          metadata: { name: JWKS_PUBLISHER_KUBERNETES.app, namespace, labels },
          spec: { minAvailable: 1, selector: { matchLabels: labels }, unhealthyPodEvictionPolicy: "AlwaysAllow" },
        },
      ],
    });
  }
}
