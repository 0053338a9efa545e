import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { ContainerCluster } from "@cdktf/provider-google/lib/container-cluster";
import { ContainerNodePool } from "@cdktf/provider-google/lib/container-node-pool";
import { DataGoogleClientConfig } from "@cdktf/provider-google/lib/data-google-client-config";
import { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import type { GkeSettings } from "../config/schema";
import { grantIdOf, grantProjectRole, Grantee, principal } from "../shared/iam";
import type { RegionalContext } from "./context";
import { throwIfProblems } from "../shared/problems";
import { AdditionalLocations, regionProblem, zoneProblems } from "./location-validation";
import { masterCidrProblem, nodeCountProblem } from "./gke-validation";

/** What nodes need and nothing more: write logs and metrics, read metric descriptors. */
export const NODE_ROLES = [
  "roles/logging.logWriter",
  "roles/monitoring.metricWriter",
  "roles/monitoring.viewer",
  "roles/stackdriver.resourceMetadata.writer",
  "roles/autoscaling.metricsWriter",
] as const;

export interface GkeClusterProps {
  readonly context: RegionalContext;
  /** GKE cluster name (from the region's configuration). */
  readonly clusterName: string;
  readonly settings: GkeSettings;
  /** /28 of the control plane's private endpoint (`NetworkSettings.masterCidr`). */
  readonly masterCidr: string;
  /** VPC id or self link (`RegionalNetwork.networkId`). */
  readonly network: string;
  /** Subnet id or self link (`RegionalNetwork.subnetId`). */
  readonly subnet: string;
  /** Secondary range names of the subnet (`RegionalNetwork.podsRangeName`, `servicesRangeName`). */
  readonly podsRangeName: string;
  readonly servicesRangeName: string;
  /** Network tag the node firewall rules target (`RegionalNetwork.nodeTag`). */
  readonly nodeTag: string;
  /**
   * Regions newer than the library's list of Google Cloud locations, with
   * their zone letters; the context's region and zones are checked against
   * the list and these. @default {}
   */
  readonly additionalLocations?: AdditionalLocations;
}

/**
 * A private regional GKE cluster: nodes without public addresses, control
 * plane reachable only from the configured networks, workload identity,
 * shielded nodes on a release channel, Dataplane V2 with network policy,
 * managed Prometheus, and one autoscaled node pool over the configured zones
 * running as a dedicated least-privilege service account.
 *
 * Terraform's Kubernetes and Helm providers reach the control plane through
 * its DNS-based endpoint, authorized by IAM (`container.clusters.connect`)
 * and Kubernetes RBAC rather than by source address, so a plan can run from
 * anywhere that reaches Google APIs (CI included) with no network allow-list.
 * The IP endpoints stay as configured: with no `masterAuthorizedNetworks`
 * there is no public IP endpoint at all, only the private one (kubectl from
 * the VPC, e.g. the bastion).
 */
export class GkeCluster extends Construct {
  readonly cluster: ContainerCluster;
  readonly nodePool: ContainerNodePool;
  private readonly nodeAccount: ServiceAccount;
  private readonly publicEndpoint: boolean;

  constructor(scope: Construct, id: string, props: GkeClusterProps) {
    super(scope, id);
    const { context, settings } = props;
    const { project, region, names } = context;
    const additional = props.additionalLocations ?? {};
    const unknownRegion = regionProblem(region, additional);
    throwIfProblems(this, "context", [
      ...(unknownRegion ? [{ path: ["region"], message: unknownRegion }] : []),
      ...zoneProblems(region, context.zones, additional).map((p) => ({ path: ["zones", ...p.path], message: p.message })),
    ]);
    const masterCidr = masterCidrProblem(props.masterCidr);
    if (masterCidr) throw new Error(`${this.node.path}: masterCidr: ${masterCidr}`);
    const nodes = nodeCountProblem(settings.minNodesPerZone, settings.maxNodesPerZone);
    if (nodes) throw new Error(`${this.node.path}: settings.minNodesPerZone: ${nodes}`);
    // No authorized network: nobody outside the VPC may reach the IP endpoints.
    this.publicEndpoint = settings.masterAuthorizedNetworks.length > 0;

    this.nodeAccount = new ServiceAccount(this, "node-account", {
      project,
      accountId: names.serviceAccountId("gke-node", region),
      displayName: `GKE nodes (${region})`,
      description: "Runs GKE nodes; workloads use their own accounts through workload identity",
    });
    for (const role of NODE_ROLES) {
      grantProjectRole(this, `node-${role.split(".").pop()!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, { project, role, grantee: this.nodeServiceAccount });
    }

    const nodeHardening = {
      serviceAccount: this.nodeAccount.email,
      oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"], // IAM decides, not scopes
      shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
      workloadMetadataConfig: { mode: "GKE_METADATA" },
      metadata: { "disable-legacy-endpoints": "true" },
      tags: [props.nodeTag],
    };

    this.cluster = new ContainerCluster(this, "cluster", {
      project,
      name: props.clusterName,
      location: region,
      nodeLocations: [...context.zones],
      description: `Sigstore workloads of ${region}`,
      deletionProtection: true,
      // The default pool is replaced by the managed pool below; even while it
      // exists it runs as the dedicated account, never the Compute default.
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      nodeConfig: nodeHardening,
      network: props.network,
      subnetwork: props.subnet,
      networkingMode: "VPC_NATIVE",
      ipAllocationPolicy: { clusterSecondaryRangeName: props.podsRangeName, servicesSecondaryRangeName: props.servicesRangeName },
      privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: !this.publicEndpoint, masterIpv4CidrBlock: props.masterCidr },
      masterAuthorizedNetworksConfig: {
        gcpPublicCidrsAccessEnabled: false,
        cidrBlocks: settings.masterAuthorizedNetworks.map((n) => ({ cidrBlock: n.cidr, displayName: n.name })),
      },
      // IAM-authorized endpoint for the providers (see the class comment).
      controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: true } },
      masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
      enableLegacyAbac: false,
      enableShieldedNodes: true,
      workloadIdentityConfig: { workloadPool: `${project}.svc.id.goog` },
      releaseChannel: { channel: settings.releaseChannel },
      datapathProvider: "ADVANCED_DATAPATH",
      loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "WORKLOADS"] },
      monitoringConfig: { enableComponents: ["SYSTEM_COMPONENTS"], managedPrometheus: { enabled: true } },
      // Configuration auditing only: GKE shut down the standard workload
      // vulnerability tier on 2025-07-31 and deprecated the advanced one, and a
      // deprecated tier cannot be enabled (image scanning is Artifact Analysis's job).
      securityPostureConfig: { mode: "BASIC", vulnerabilityMode: "VULNERABILITY_DISABLED" },
      maintenancePolicy: { dailyMaintenanceWindow: { startTime: "06:00" } },
      addonsConfig: { httpLoadBalancing: { disabled: false }, horizontalPodAutoscaling: { disabled: false } },
      // The Secret Manager CSI driver: Dex's connector secrets (and log keys) reach pods
      // as files, with the pod's workload identity, never through Helm values or state.
      secretManagerConfig: { enabled: true },
      // Both describe only the default pool, deleted right after creation;
      // a change to them would otherwise replace the whole cluster.
      lifecycle: { ignoreChanges: ["node_config", "initial_node_count"] },
    });

    this.nodePool = new ContainerNodePool(this, "node-pool", {
      project,
      name: "workloads",
      location: region,
      cluster: this.cluster.name,
      nodeLocations: [...context.zones],
      autoscaling: { minNodeCount: settings.minNodesPerZone, maxNodeCount: settings.maxNodesPerZone },
      management: { autoRepair: true, autoUpgrade: true },
      upgradeSettings: { maxSurge: 1, maxUnavailable: 0, strategy: "SURGE" },
      nodeConfig: {
        ...nodeHardening,
        machineType: settings.machineType,
        diskSizeGb: settings.diskSizeGb,
        diskType: "pd-balanced",
        imageType: "COS_CONTAINERD",
      },
    });

    new TerraformOutput(this, "dns-endpoint", {
      description: `DNS-based control plane endpoint of ${props.clusterName}, authorized by IAM; the Kubernetes and Helm providers use it (kubectl: gcloud container clusters get-credentials --dns-endpoint)`,
      value: this.dnsEndpoint,
    });
    new TerraformOutput(this, "endpoint", {
      description: `Control plane endpoint of ${props.clusterName} (${this.publicEndpoint ? "public, for the authorized networks" : "private, reachable from the VPC only"}), for kubectl; Terraform uses the DNS endpoint`,
      value: this.endpoint,
    });
    new TerraformOutput(this, "ca-certificate", {
      description: `Cluster CA certificate (base64) of ${props.clusterName}; public, it lets clients verify the control plane`,
      value: this.caCertificate,
    });
  }

  get name(): string {
    return this.cluster.name;
  }

  /**
   * Address of the control plane for clients: the public endpoint when
   * authorized networks are configured, otherwise the private one (the
   * `endpoint` attribute may still report the public address then).
   */
  get endpoint(): string {
    return this.publicEndpoint ? this.cluster.endpoint : this.cluster.privateClusterConfig.privateEndpoint;
  }

  /**
   * Host name of the DNS-based control plane endpoint, reachable from
   * wherever Google APIs are, with IAM deciding who may connect.
   */
  get dnsEndpoint(): string {
    return this.cluster.controlPlaneEndpointsConfig.dnsEndpointConfig.endpoint;
  }

  /** Base64 PEM of the cluster CA. */
  get caCertificate(): string {
    return this.cluster.masterAuth.clusterCaCertificate;
  }

  /** `<project>.svc.id.goog`, read from the cluster so bindings wait for it to exist. */
  get workloadPool(): string {
    return this.cluster.workloadIdentityConfig.workloadPool;
  }

  get nodeServiceAccount(): Grantee {
    return principal(grantIdOf(this.nodeAccount), `serviceAccount:${this.nodeAccount.email}`);
  }

  /**
   * Kubernetes and Helm providers pointed at this cluster's DNS-based
   * endpoint, authenticated with the deploying identity's short-lived access
   * token (no kubeconfig, no client certificate). The endpoint's certificate
   * is a publicly trusted one, not the cluster CA's, so no CA is pinned.
   */
  configureKubernetesProviders(scope: Construct): { kubernetes: KubernetesProvider; helm: HelmProvider } {
    const client = new DataGoogleClientConfig(scope, "client-config");
    const connection = {
      host: `https://${this.dnsEndpoint}`,
      token: client.accessToken,
    };
    const kubernetes = new KubernetesProvider(scope, "kubernetes", connection);
    const helm = new HelmProvider(scope, "helm", { kubernetes: connection });
    return { kubernetes, helm };
  }
}
