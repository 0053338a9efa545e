import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import type { DexConnectorConfig } from "../../config/schema";
import { DEX_KUBERNETES, Dex } from "../dex";
import { CHARTS } from "./charts";
import { DEX_CONNECTOR_SECRETS_DIR, dexConnectors, SIGSTORE_CLIENT_ID } from "./identity";
import { ChartRelease, KubernetesObject, ManifestsRelease } from "./release";
import { DexValues, NEG_ANNOTATION, standaloneNegAnnotation, workloadIdentityAccount } from "./values";

/** Dex's HTTP port (Service and container); telemetry (5558, health and metrics) is never exposed. */
export const DEX_HTTP_PORT = 5556;

/** CSI driver of GKE's Secret Manager add-on. */
export const GKE_SECRET_MANAGER_CSI_DRIVER = "secrets-store-gke.csi.k8s.io";
const SECRET_PROVIDER_CLASS = "dex-connector-secrets";

export interface DexReleaseProps {
  readonly dex: Dex;
  /** `https://<dex host>/auth`. */
  readonly issuerUrl: string;
  readonly connectors: readonly DexConnectorConfig[];
  /** Standalone NEG name of the HTTP port. */
  readonly negName: string;
  /** Namespace Dex runs in (created by the stack, shared with the key publisher). */
  readonly namespace: string;
  /** @default 2 */
  readonly replicas?: number;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Dex from the dexidp chart, as the deployment's identity broker for Fulcio:
 * its issuer on the public host, keys and state in Kubernetes custom
 * resources, the public `sigstore` client, and the configured upstream
 * connectors. Client secrets stay in Secret Manager: GKE's Secret Manager
 * add-on mounts them (with Dex's workload identity) as files, and Dex's
 * entrypoint reads them into its config at start. Only the HTTP port gets a
 * standalone NEG.
 */
export class DexRelease extends Construct {
  readonly chart: ChartRelease<DexValues>;
  /** The SecretProviderClass that mounts the connector secrets, when there are connectors. */
  readonly secretProviderClass?: ManifestsRelease;

  constructor(scope: Construct, id: string, props: DexReleaseProps) {
    super(scope, id);
    const secretIds = props.dex.secretIds;
    const used = [...new Set(props.connectors.map((c) => c.clientSecret))].sort();
    for (const name of used) {
      if (!(name in secretIds)) throw new Error(`${this.node.path}: connector secret "${name}" has no Secret Manager secret; list it in regional.dex.connectorSecrets`);
    }
    const dependsOn = [...(props.dependsOn ?? [])];
    if (used.length > 0) {
      const spc: KubernetesObject = {
        apiVersion: "secrets-store.csi.x-k8s.io/v1",
        kind: "SecretProviderClass",
        metadata: { name: SECRET_PROVIDER_CLASS, namespace: props.namespace },
        spec: {
          provider: "gke",
          // A string of YAML (JSON is YAML) by the driver's contract: parameters are map[string]string.
          parameters: {
            secrets: JSON.stringify(used.map((name) => ({ resourceName: `${secretIds[name]}/versions/latest`, path: name }))),
          },
        },
      };
      this.secretProviderClass = new ManifestsRelease(this, "secret-provider-class", { name: "dex-secret-provider", namespace: props.namespace, objects: [spc], dependsOn: props.dependsOn });
      dependsOn.push(this.secretProviderClass.release);
    }
    const image = CHARTS.dex.images.dex;
    const [repository, digest] = image.ref.split("@");
    const values: DexValues = {
      image: { repository, digest, tag: image.tag },
      fullnameOverride: DEX_KUBERNETES.serviceAccount,
      replicaCount: props.replicas ?? 2,
      serviceAccount: workloadIdentityAccount(DEX_KUBERNETES.serviceAccount, props.dex.serviceAccount.email),
      config: {
        issuer: props.issuerUrl,
        storage: { type: "kubernetes", config: { inCluster: true } },
        web: { http: `0.0.0.0:${DEX_HTTP_PORT}` },
        telemetry: { http: "0.0.0.0:5558" },
        oauth2: { responseTypes: ["code"], skipApprovalScreen: true, alwaysShowLoginScreen: true },
        // Sigstore clients (cosign, sigstore-js) sign in as the public "sigstore" client. With no
        // redirect URIs listed, Dex accepts loopback redirects on any port, which they use.
        staticClients: [{ id: SIGSTORE_CLIENT_ID, name: "sigstore", public: true }],
        connectors: dexConnectors(props.connectors, props.issuerUrl),
      },
      service: { annotations: { [NEG_ANNOTATION]: standaloneNegAnnotation({ [DEX_HTTP_PORT]: props.negName }) } },
      // Dex's namespace enforces the "restricted" Pod Security Standard.
      podSecurityContext: { runAsNonRoot: true, runAsUser: 1001, runAsGroup: 1001, seccompProfile: { type: "RuntimeDefault" } },
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
      // The entrypoint renders the config into /tmp before Dex starts.
      volumes: [
        { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } },
        ...(used.length > 0
          ? [{ name: "connector-secrets", csi: { driver: GKE_SECRET_MANAGER_CSI_DRIVER, readOnly: true as const, volumeAttributes: { secretProviderClass: SECRET_PROVIDER_CLASS } } }]
          : []),
      ],
      volumeMounts: [
        { name: "tmp", mountPath: "/tmp", readOnly: false },
        ...(used.length > 0 ? [{ name: "connector-secrets", mountPath: DEX_CONNECTOR_SECRETS_DIR, readOnly: true }] : []),
      ],
      podDisruptionBudget: { enabled: true, minAvailable: 1 },
    };
    this.chart = new ChartRelease(this, "chart", {
      chart: "dex",
      name: "dex",
      namespace: props.namespace,
      createNamespace: false,
      values,
      dependsOn,
    });
  }
}
