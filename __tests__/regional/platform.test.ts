import { parseConfig } from "../../lib/config/load";
import { Bastion } from "../../lib/regional/bastion";
import { GkeCluster, NODE_ROLES } from "../../lib/regional/gke";
import { HEALTH_CHECK_RANGES, IAP_RANGE, RegionalNetwork } from "../../lib/regional/network";
import { ProjectApis } from "../../lib/regional/project-apis";
import { ProjectSettings } from "../../lib/regional/project-settings";
import { PROJECT_ONLY_ROLES } from "../../lib/shared/iam";
import { bodiesOf, synthConstruct, testContext } from "../helpers/construct";
import { baseConfig, withConfig } from "../helpers/synth";

const config = parseConfig(withConfig((c) => (c.regional = { gke: { masterAuthorizedNetworks: [{ cidr: "203.0.113.0/24", name: "ci" }] } })));
const context = testContext();

function platform(bastion: boolean): any {
  return synthConstruct((scope) => {
    const network = new RegionalNetwork(scope, "network", { context, settings: config.regional.network, bastion });
    const gke = new GkeCluster(scope, "gke", {
      context,
      clusterName: "east",
      settings: config.regional.gke,
      masterCidr: config.regional.network.masterCidr,
      network: network.network.id,
      subnet: network.subnet.id,
      podsRangeName: network.podsRangeName,
      servicesRangeName: network.servicesRangeName,
      nodeTag: network.nodeTag,
    });
    gke.configureKubernetesProviders(scope);
    if (bastion) new Bastion(scope, "bastion", { context, subnet: network.subnet.id, tag: network.bastionTag, accessMembers: ["group:sre@example.com"] });
  });
}
const json = platform(true);
const cluster = bodiesOf(json, "google_container_cluster")[0];
const pool = bodiesOf(json, "google_container_node_pool")[0];

describe("regional network", () => {
  it("has a custom-mode VPC, a subnet with pod and service ranges, Private Google Access and flow logs", () => {
    expect(bodiesOf(json, "google_compute_network")[0]).toMatchObject({ name: "sigstore-us-east1", auto_create_subnetworks: false });
    const subnet = bodiesOf(json, "google_compute_subnetwork")[0];
    expect(subnet).toMatchObject({ ip_cidr_range: "10.0.0.0/20", private_ip_google_access: true, region: "us-east1" });
    expect(subnet.secondary_ip_range).toEqual([{ range_name: "pods", ip_cidr_range: "10.16.0.0/14" }, { range_name: "services", ip_cidr_range: "10.32.0.0/20" }]);
    expect(subnet.log_config.flow_sampling).toBe(0.5);
  });

  it("egresses through Cloud NAT on its static addresses only", () => {
    const nat = bodiesOf(json, "google_compute_router_nat")[0];
    expect(nat.nat_ip_allocate_option).toBe("MANUAL_ONLY");
    expect(nat.nat_ips).toHaveLength(2);
    expect(bodiesOf(json, "google_compute_address").map((a) => a.address_type)).toEqual(["EXTERNAL", "EXTERNAL"]);
  });

  it("opens nothing to the internet: every rule has narrow sources and targets tags", () => {
    const rules = bodiesOf(json, "google_compute_firewall");
    expect(rules.map((r) => r.name).sort()).toEqual(["sigstore-us-east1-allow-health-checks", "sigstore-us-east1-allow-iap-ssh", "sigstore-us-east1-allow-webhooks"]);
    for (const rule of rules) {
      expect(rule.source_ranges).not.toContain("0.0.0.0/0");
      expect(rule.target_tags).toHaveLength(1);
      expect(rule.direction).toBe("INGRESS");
    }
    const hc = rules.find((r) => r.name.endsWith("health-checks"));
    expect(hc.source_ranges).toEqual([...HEALTH_CHECK_RANGES]);
    expect(hc.allow[0].ports).toContain("5555");
    expect(rules.find((r) => r.name.endsWith("webhooks")).source_ranges).toEqual(["172.16.0.0/28"]);
    expect(rules.find((r) => r.name.endsWith("iap-ssh"))).toMatchObject({ source_ranges: [IAP_RANGE], allow: [{ protocol: "tcp", ports: ["22"] }] });
  });

  it("opens SSH only when there is a bastion", () => {
    const names = bodiesOf(platform(false), "google_compute_firewall").map((r) => r.name);
    expect(names.some((n) => n.includes("ssh"))).toBe(false);
  });
});

describe("GKE cluster", () => {
  it("is private, regional, on the configured zones, with workload identity, shielded nodes and deletion protection", () => {
    expect(cluster).toMatchObject({
      name: "east",
      location: "us-east1",
      node_locations: ["us-east1-b", "us-east1-c", "us-east1-d"],
      deletion_protection: true,
      enable_shielded_nodes: true,
      enable_legacy_abac: false,
      networking_mode: "VPC_NATIVE",
      datapath_provider: "ADVANCED_DATAPATH",
      private_cluster_config: { enable_private_nodes: true, master_ipv4_cidr_block: "172.16.0.0/28" },
      workload_identity_config: { workload_pool: "sigstore-test.svc.id.goog" },
      release_channel: { channel: "REGULAR" },
      master_auth: { client_certificate_config: { issue_client_certificate: false } },
      ip_allocation_policy: { cluster_secondary_range_name: "pods", services_secondary_range_name: "services" },
    });
    expect(cluster.monitoring_config.managed_prometheus.enabled).toBe(true);
  });

  it("lets only the configured networks reach the control plane", () => {
    expect(cluster.master_authorized_networks_config).toEqual({
      gcp_public_cidrs_access_enabled: false,
      cidr_blocks: [{ cidr_block: "203.0.113.0/24", display_name: "ci" }],
    });
    const closed = synthConstruct((scope) =>
      new GkeCluster(scope, "gke", { context, clusterName: "c", settings: parseConfig(baseConfig()).regional.gke, masterCidr: "172.16.0.0/28", network: "n", subnet: "s", podsRangeName: "p", servicesRangeName: "s", nodeTag: "t" }),
    );
    expect(bodiesOf(closed, "google_container_cluster")[0].master_authorized_networks_config).toEqual({ gcp_public_cidrs_access_enabled: false, cidr_blocks: [] });
  });

  it("runs every node, even the temporary default pool, as the dedicated account with GKE_METADATA and shielded instances", () => {
    const account = bodiesOf(json, "google_service_account").find((a) => a.account_id === "sigstore-gke-node-use1");
    expect(account).toBeDefined();
    for (const nodeConfig of [cluster.node_config, pool.node_config]) {
      expect(nodeConfig.service_account).toMatch(/^\$\{google_service_account\..*\.email\}$/);
      expect(nodeConfig.workload_metadata_config).toEqual({ mode: "GKE_METADATA" });
      expect(nodeConfig.shielded_instance_config).toEqual({ enable_secure_boot: true, enable_integrity_monitoring: true });
      expect(nodeConfig.tags).toEqual(["sigstore-gke-node-us-east1"]);
    }
    expect(pool).toMatchObject({
      autoscaling: { min_node_count: 1, max_node_count: 3 },
      management: { auto_repair: true, auto_upgrade: true },
      node_locations: ["us-east1-b", "us-east1-c", "us-east1-d"],
    });
    expect(pool.node_config.image_type).toBe("COS_CONTAINERD");
  });

  it("grants nodes only project-only roles", () => {
    const roles = bodiesOf(json, "google_project_iam_member").filter((g) => /node.account/.test(g.member)).map((g) => g.role);
    expect(roles.sort()).toEqual([...NODE_ROLES].sort());
  });

  it("configures the Kubernetes and Helm providers from the cluster, with a short-lived token", () => {
    const k8s = json.provider.kubernetes[0];
    expect(k8s.host).toMatch(/^https:\/\/\$\{google_container_cluster\..*\.endpoint\}$/);
    expect(k8s.cluster_ca_certificate).toMatch(/^\$\{base64decode\(google_container_cluster\..*\.master_auth\[0\]\.cluster_ca_certificate\)\}$/);
    expect(k8s.token).toMatch(/^\$\{data\.google_client_config\..*\.access_token\}$/);
    expect(json.provider.helm[0].kubernetes).toEqual({ host: k8s.host, cluster_ca_certificate: k8s.cluster_ca_certificate, token: k8s.token });
    expect(Object.keys(json.output).sort()).toEqual(expect.arrayContaining([expect.stringMatching(/endpoint/), expect.stringMatching(/ca_certificate|ca-certificate/)]));
  });
});

describe("bastion", () => {
  const instance = bodiesOf(json, "google_compute_instance")[0];

  it("has no external address, OS Login, shielded VM and a CMEK boot disk", () => {
    expect(instance.network_interface[0].access_config).toBeUndefined();
    expect(instance.metadata["enable-oslogin"]).toBe("TRUE");
    expect(instance.shielded_instance_config).toMatchObject({ enable_secure_boot: true, enable_integrity_monitoring: true });
    expect(instance.boot_disk.kms_key_self_link).toMatch(/google_kms_crypto_key\..*\.id/);
    expect(instance.zone).toBe("us-east1-b");
    const agentGrant = bodiesOf(json, "google_kms_crypto_key_iam_member")[0];
    expect(agentGrant).toMatchObject({ role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: "serviceAccount:service-123456789012@compute-system.iam.gserviceaccount.com" });
  });

  it("grants tunnel and login access on the instance, not the project", () => {
    expect(bodiesOf(json, "google_iap_tunnel_instance_iam_member")).toEqual([expect.objectContaining({ role: "roles/iap.tunnelResourceAccessor", member: "group:sre@example.com" })]);
    expect(bodiesOf(json, "google_compute_instance_iam_member")).toEqual([expect.objectContaining({ role: "roles/compute.osLogin", member: "group:sre@example.com" })]);
    expect(bodiesOf(json, "google_os_config_patch_deployment")).toHaveLength(1);
  });
});

describe("project-wide settings", () => {
  it("never disables an API on destroy", () => {
    const apis = bodiesOf(synthConstruct((s) => new ProjectApis(s, "apis", { project: "p", extraApis: ["eventarc.googleapis.com"] })), "google_project_service");
    expect(apis.map((a) => a.service)).toContain("eventarc.googleapis.com");
    expect(apis.map((a) => a.service)).toContain("container.googleapis.com");
    for (const api of apis) expect([api.disable_on_destroy, api.disable_dependent_services]).toEqual([false, false]);
  });

  it("configures audit logs, OS Login and the named role bindings, each switchable", () => {
    const settings = parseConfig(withConfig((c) => (c.project.roleBindings = [{ role: "roles/viewer", members: ["group:a@example.com", "group:b@example.com"] }]))).project;
    const json = synthConstruct((s) => new ProjectSettings(s, "project", { project: "p", settings: { ...settings, osLogin: { enabled: true, twoFactor: true } } }));
    expect(bodiesOf(json, "google_project_iam_audit_config")[0]).toMatchObject({ service: "allServices", audit_log_config: [{ log_type: "ADMIN_READ" }, { log_type: "DATA_READ" }, { log_type: "DATA_WRITE" }] });
    expect(bodiesOf(json, "google_compute_project_metadata_item").map((m) => m.key).sort()).toEqual(["enable-oslogin", "enable-oslogin-2fa"]);
    expect(bodiesOf(json, "google_project_iam_member").map((m) => [m.role, m.member])).toEqual([["roles/viewer", "group:a@example.com"], ["roles/viewer", "group:b@example.com"]]);
    const off = synthConstruct((s) => new ProjectSettings(s, "project", { project: "p", settings: { auditLogs: { enabled: false, logTypes: ["ADMIN_READ"] }, osLogin: { enabled: false, twoFactor: false }, roleBindings: [] } }));
    expect(off.resource).toBeUndefined();
  });

  it("lets only node and bastion agents hold project roles among platform resources", () => {
    for (const g of bodiesOf(json, "google_project_iam_member")) expect(g.role in PROJECT_ONLY_ROLES).toBe(true);
  });
});
