import { TerraformOutput } from "cdktf";
import { GkeCluster, GkeClusterProps } from "../../lib/regional/gke";
import { WorkloadIdentityServiceAccount } from "../../lib/shared/iam";
import { bodiesOf, synthConstruct, testContext } from "../helpers/construct";
import { addressOf, gkeDefaults, networkDefaults, refTo, standaloneGkeProps, synthPlatform } from "./platform-helpers";
import { REVIEWED_PROJECT_ROLES, GKE_NODE_ROLES } from "../helpers/roles";

const authorized = [{ cidr: "203.0.113.0/24", name: "ci" }];
/** Control plane reachable from an authorized network. */
const publicJson = synthPlatform({ gke: { masterAuthorizedNetworks: authorized } });
/** No authorized network: private endpoint only (the default). */
const privateJson = synthPlatform();
const clusterOf = (json: any) => bodiesOf(json, "google_container_cluster")[0];
const poolOf = (json: any) => bodiesOf(json, "google_container_node_pool")[0];
const nodeAccount = (json: any) => refTo(json, "google_service_account", "email", (a) => a.account_id === "sigstore-gke-node-use1");

function synthCluster(overrides: Partial<GkeClusterProps> = {}, build?: (gke: GkeCluster, scope: any) => void): any {
  return synthConstruct((scope) => {
    const gke = new GkeCluster(scope, "gke", standaloneGkeProps(overrides));
    build?.(gke, scope);
  });
}

describe("GKE cluster", () => {
  it("is one private, regional, VPC-native cluster on the network's subnet and ranges", () => {
    for (const json of [publicJson, privateJson]) {
      expect(bodiesOf(json, "google_container_cluster")).toHaveLength(1);
      expect(clusterOf(json)).toMatchObject({
        name: "east",
        project: "sigstore-test",
        location: "us-east1",
        node_locations: ["us-east1-b", "us-east1-c", "us-east1-d"],
        network: refTo(json, "google_compute_network", "id"),
        subnetwork: refTo(json, "google_compute_subnetwork", "id"),
        networking_mode: "VPC_NATIVE",
        ip_allocation_policy: { cluster_secondary_range_name: "pods", services_secondary_range_name: "services" },
        private_cluster_config: { enable_private_nodes: true, master_ipv4_cidr_block: networkDefaults.masterCidr },
        remove_default_node_pool: true,
      });
    }
  });

  it("has workload identity, shielded nodes, Dataplane V2 and deletion protection, and no legacy authentication", () => {
    for (const json of [publicJson, privateJson]) {
      const cluster = clusterOf(json);
      expect(cluster).toMatchObject({
        workload_identity_config: { workload_pool: "sigstore-test.svc.id.goog" },
        enable_shielded_nodes: true,
        datapath_provider: "ADVANCED_DATAPATH",
        deletion_protection: true,
        enable_legacy_abac: false,
        master_auth: { client_certificate_config: { issue_client_certificate: false } },
      });
      expect(Object.keys(cluster.master_auth)).toEqual(["client_certificate_config"]); // no basic auth
    }
  });

  it("follows the configured release channel and has a maintenance window, managed Prometheus, system and workload logs and security posture", () => {
    const cluster = clusterOf(synthPlatform({ gke: { releaseChannel: "STABLE" } }));
    expect(cluster.release_channel).toEqual({ channel: "STABLE" });
    expect(cluster.maintenance_policy.daily_maintenance_window.start_time).toMatch(/^\d\d:\d\d$/);
    expect(cluster.monitoring_config.managed_prometheus).toEqual({ enabled: true });
    expect(cluster.logging_config.enable_components).toEqual(["SYSTEM_COMPONENTS", "WORKLOADS"]);
    // GKE shut the standard vulnerability tier down (2025-07-31) and deprecated the advanced one.
    expect(cluster.security_posture_config).toEqual({ mode: "BASIC", vulnerability_mode: "VULNERABILITY_DISABLED" });
    expect(cluster.addons_config.http_load_balancing).toEqual({ disabled: false }); // the NEG controller
  });

  it("lets only the configured networks reach the control plane's public endpoint", () => {
    const cluster = clusterOf(publicJson);
    expect(cluster.master_authorized_networks_config).toEqual({
      gcp_public_cidrs_access_enabled: false,
      cidr_blocks: [{ cidr_block: "203.0.113.0/24", display_name: "ci" }],
    });
    expect(cluster.private_cluster_config.enable_private_endpoint).toBe(false);
  });

  it("has no public endpoint at all without authorized networks", () => {
    const cluster = clusterOf(privateJson);
    expect(cluster.master_authorized_networks_config).toEqual({ gcp_public_cidrs_access_enabled: false, cidr_blocks: [] });
    expect(cluster.private_cluster_config.enable_private_endpoint).toBe(true);
  });
});

describe("nodes", () => {
  it("run as a dedicated account that no workload can impersonate", () => {
    for (const json of [publicJson, privateJson]) {
      expect(bodiesOf(json, "google_service_account").filter((a) => a.account_id === "sigstore-gke-node-use1")).toHaveLength(1);
      expect(bodiesOf(json, "google_service_account_iam_member")).toEqual([]);
    }
  });

  it("get only the project-only roles nodes need, each granted to the node account", () => {
    const grants = bodiesOf(publicJson, "google_project_iam_member");
    expect(grants.map((g) => g.role).sort()).toEqual(GKE_NODE_ROLES);
    for (const g of grants) {
      expect(REVIEWED_PROJECT_ROLES).toContain(g.role);
      expect([g.role, g.member, g.project]).toEqual([g.role, `serviceAccount:${nodeAccount(publicJson)}`, "sigstore-test"]);
    }
  });

  it("run in one autoscaled pool over the configured zones, as the dedicated account, never the Compute default", () => {
    const json = synthPlatform({ gke: { minNodesPerZone: 2, maxNodesPerZone: 5, machineType: "n2-standard-8", diskSizeGb: 200 } });
    expect(bodiesOf(json, "google_container_node_pool")).toHaveLength(1);
    const pool = poolOf(json);
    expect(pool).toMatchObject({
      cluster: refTo(json, "google_container_cluster", "name"),
      location: "us-east1",
      node_locations: ["us-east1-b", "us-east1-c", "us-east1-d"],
      autoscaling: { min_node_count: 2, max_node_count: 5 },
      management: { auto_repair: true, auto_upgrade: true },
      upgrade_settings: { strategy: "SURGE", max_surge: 1, max_unavailable: 0 },
    });
    expect(pool.node_config).toMatchObject({ machine_type: "n2-standard-8", disk_size_gb: 200, image_type: "COS_CONTAINERD" });
    expect(pool.node_config.service_account).toBe(nodeAccount(json));
    expect(pool.node_config.service_account).not.toMatch(/compute@developer\.gserviceaccount\.com|^default$/);
  });

  it("are hardened in the pool and in the temporary default pool alike: GKE metadata server, shielded instance, node tag, cloud-platform scope", () => {
    for (const json of [publicJson, privateJson]) {
      for (const nodeConfig of [clusterOf(json).node_config, poolOf(json).node_config]) {
        expect(nodeConfig).toMatchObject({
          service_account: nodeAccount(json),
          workload_metadata_config: { mode: "GKE_METADATA" },
          shielded_instance_config: { enable_secure_boot: true, enable_integrity_monitoring: true },
          tags: ["sigstore-gke-node-us-east1"],
          oauth_scopes: ["https://www.googleapis.com/auth/cloud-platform"],
          metadata: { "disable-legacy-endpoints": "true" },
        });
      }
    }
    // The default pool's settings never force a new cluster once it is gone.
    expect(clusterOf(publicJson).lifecycle.ignore_changes).toEqual(["node_config", "initial_node_count"]);
  });
});

describe("getters, outputs and providers", () => {
  it("exposes the cluster's name, endpoint, CA certificate, workload pool and node account as references", () => {
    let gke!: GkeCluster;
    const json = synthCluster({ settings: { ...gkeDefaults, masterAuthorizedNetworks: authorized } }, (cluster, scope) => {
      gke = cluster;
      new TerraformOutput(scope, "name", { value: cluster.name });
      new TerraformOutput(scope, "ca", { value: cluster.caCertificate });
      // A workload's binding waits for the cluster through the pool reference.
      new WorkloadIdentityServiceAccount(scope, "workload", {
        project: "sigstore-test",
        accountId: "sigstore-workload",
        displayName: "workload",
        kubernetes: { workloadPool: cluster.workloadPool, namespace: "ns", serviceAccount: "ksa" },
      });
    });
    expect(json.output.name.value).toBe(refTo(json, "google_container_cluster", "name"));
    const cluster = addressOf(json, "google_container_cluster");
    expect(json.output.ca.value).toBe(`\${${cluster}.master_auth[0].cluster_ca_certificate}`);
    expect(bodiesOf(json, "google_service_account_iam_member")[0].member).toBe(`serviceAccount:\${${cluster}.workload_identity_config[0].workload_pool}[ns/ksa]`);
    // Grant ids come from the construct path below the stack, so two clusters' node accounts never collide.
    expect(gke.nodeServiceAccount.grantId).toBe("gke-node-account");
    const resolved = synthCluster({}, (cluster, scope) => new TerraformOutput(scope, "member", { value: cluster.nodeServiceAccount.member }));
    expect(resolved.output.member.value).toBe(`serviceAccount:${nodeAccount(resolved)}`);
  });

  it("outputs the DNS endpoint, the IP endpoint and the CA certificate, described and not sensitive", () => {
    const outputs = Object.values(publicJson.output) as any[];
    expect(outputs).toHaveLength(3);
    const dns = outputs.find((o) => /dns_endpoint_config/.test(o.value));
    expect(dns.value).toBe(`\${${addressOf(publicJson, "google_container_cluster")}.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint}`);
    expect(dns.description).toMatch(/DNS-based control plane endpoint of east, authorized by IAM/);
    const endpoint = outputs.find((o) => /\.endpoint\}$/.test(o.value) && !/dns_endpoint_config/.test(o.value));
    const ca = outputs.find((o) => /cluster_ca_certificate/.test(o.value));
    expect(endpoint.value).toBe(refTo(publicJson, "google_container_cluster", "endpoint"));
    expect(endpoint.description).toMatch(/endpoint of east .*kubectl; Terraform uses the DNS endpoint/);
    expect(ca.description).toMatch(/CA certificate .*public/);
    for (const o of outputs) expect(o.sensitive).toBeUndefined();
    // Private cluster: the private endpoint.
    const privateEndpoint = (Object.values(privateJson.output) as any[]).find((o) => /private_endpoint/.test(o.value));
    expect(privateEndpoint.value).toMatch(/^\$\{google_container_cluster\.[^.]+\.private_cluster_config\[0\]\.private_endpoint\}$/);
    expect(privateEndpoint.description).toMatch(/private, reachable from the VPC only/);
  });

  it("points the Kubernetes and Helm providers at the IAM-authorized DNS endpoint with the caller's short-lived token, whatever the IP endpoints", () => {
    for (const json of [publicJson, privateJson]) {
      const cluster = addressOf(json, "google_container_cluster");
      expect(clusterOf(json).control_plane_endpoints_config).toEqual({ dns_endpoint_config: { allow_external_traffic: true } });
      const k8s = json.provider.kubernetes;
      expect(k8s).toHaveLength(1);
      // The DNS endpoint presents a publicly trusted certificate: no cluster CA is pinned.
      expect(k8s[0]).toEqual({
        host: `https://\${${cluster}.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint}`,
        token: expect.stringMatching(/^\$\{data\.google_client_config\.[^.]+\.access_token\}$/),
      });
      expect(json.provider.helm).toEqual([{ kubernetes: k8s[0] }]);
      expect(Object.keys(json.data.google_client_config)).toHaveLength(1);
      // No static credentials of any kind.
      expect(JSON.stringify(json.provider)).not.toMatch(/client_key|client_certificate|password|username|config_path/);
    }
  });

  it("returns the providers it creates", () => {
    synthCluster({}, (gke, scope) => {
      const { kubernetes, helm } = gke.configureKubernetesProviders(scope);
      expect([kubernetes.terraformResourceType, helm.terraformResourceType]).toEqual(["kubernetes", "helm"]);
    });
  });
});

describe("names and bad props", () => {
  it("names the node account per region", () => {
    const json = synthConstruct((scope) => {
      for (const [id, region] of [["east", "us-east1"], ["west", "europe-west1"]]) {
        new GkeCluster(scope, id, standaloneGkeProps({ context: testContext({ region, zones: [`${region}-b`] }), clusterName: id, nodeTag: `tag-${region}` }));
      }
    });
    expect(bodiesOf(json, "google_service_account").map((a) => a.account_id).sort()).toEqual(["sigstore-gke-node-euw1", "sigstore-gke-node-use1"]);
  });

  it("refuses a region without zones, a control plane range that is not a /28, and min above max nodes", () => {
    expect(() => synthCluster({ context: testContext({ zones: [] }) })).toThrow(/at least one zone/);
    expect(() => synthCluster({ masterCidr: "172.16.0.0/24" })).toThrow(/must be a \/28/);
    expect(() => synthCluster({ settings: { ...gkeDefaults, minNodesPerZone: 4, maxNodesPerZone: 2 } })).toThrow(/minNodesPerZone \(4\) is above maxNodesPerZone \(2\)/);
  });
});
