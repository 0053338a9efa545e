import { TerraformOutput } from "cdktf";
import { HEALTH_CHECK_RANGES, IAP_RANGE, RegionalNetwork, SERVING_PORTS, WEBHOOK_PORTS } from "../../lib/regional/network";
import { bodiesOf, synthConstruct, testContext } from "../helpers/construct";
import { networkDefaults, refTo, synthPlatform } from "./platform-helpers";

const withBastion = synthPlatform({ bastion: { accessMembers: [] } });
const withoutBastion = synthPlatform({ bastion: false });
const rules = (json: any) => bodiesOf(json, "google_compute_firewall");
const ruleNamed = (json: any, suffix: string) => rules(json).find((r) => r.name.endsWith(suffix));

describe("VPC and subnet", () => {
  const vpc = bodiesOf(withBastion, "google_compute_network");
  const subnet = bodiesOf(withBastion, "google_compute_subnetwork");

  it("is one custom-mode VPC with regional routing, named after the region", () => {
    expect(vpc).toEqual([expect.objectContaining({ name: "sigstore-us-east1", auto_create_subnetworks: false, routing_mode: "REGIONAL", project: "sigstore-test" })]);
  });

  it("has one subnet in the VPC with the configured ranges, pod and service ranges, Private Google Access and sampled flow logs", () => {
    expect(subnet).toHaveLength(1);
    expect(subnet[0]).toMatchObject({
      name: "sigstore-us-east1-nodes",
      region: "us-east1",
      network: refTo(withBastion, "google_compute_network", "id"),
      ip_cidr_range: networkDefaults.subnetCidr,
      private_ip_google_access: true,
      secondary_ip_range: [
        { range_name: "pods", ip_cidr_range: networkDefaults.podsCidr },
        { range_name: "services", ip_cidr_range: networkDefaults.servicesCidr },
      ],
    });
    const logs = subnet[0].log_config;
    expect(logs.flow_sampling).toBeGreaterThan(0);
    expect(logs.flow_sampling).toBeLessThan(1);
    expect(logs.metadata).toBe("INCLUDE_ALL_METADATA");
  });

  it("takes its ranges from the settings", () => {
    const json = synthPlatform({ network: { subnetCidr: "10.100.0.0/20", podsCidr: "10.104.0.0/14", servicesCidr: "10.108.0.0/20" } });
    const subnet = bodiesOf(json, "google_compute_subnetwork")[0];
    expect([subnet.ip_cidr_range, ...subnet.secondary_ip_range.map((r: any) => r.ip_cidr_range)]).toEqual(["10.100.0.0/20", "10.104.0.0/14", "10.108.0.0/20"]);
  });
});

describe("Cloud NAT", () => {
  const nat = bodiesOf(withBastion, "google_compute_router_nat");
  const addresses = bodiesOf(withBastion, "google_compute_address");

  it("egresses only through its static addresses, allocated manually", () => {
    expect(nat).toHaveLength(1);
    expect(nat[0].nat_ip_allocate_option).toBe("MANUAL_ONLY");
    expect(addresses).toHaveLength(networkDefaults.natAddresses);
    expect(nat[0].nat_ips).toEqual(addresses.map((a) => refTo(withBastion, "google_compute_address", "self_link", (b) => b.name === a.name)));
    for (const a of addresses) expect(a).toMatchObject({ address_type: "EXTERNAL", region: "us-east1" });
    expect(addresses.map((a) => a.name)).toEqual(["sigstore-us-east1-nat-1", "sigstore-us-east1-nat-2"]);
  });

  it("creates as many addresses as configured", () => {
    const json = synthPlatform({ network: { natAddresses: 4 } });
    expect(bodiesOf(json, "google_compute_address")).toHaveLength(4);
    expect(bodiesOf(json, "google_compute_router_nat")[0].nat_ips).toHaveLength(4);
  });

  it("serves the region's subnet from a router in the VPC, logging errors only", () => {
    expect(nat[0]).toMatchObject({
      region: "us-east1",
      router: refTo(withBastion, "google_compute_router", "name"),
      source_subnetwork_ip_ranges_to_nat: "LIST_OF_SUBNETWORKS",
      subnetwork: [{ name: refTo(withBastion, "google_compute_subnetwork", "self_link"), source_ip_ranges_to_nat: ["ALL_IP_RANGES"] }],
      log_config: { enable: true, filter: "ERRORS_ONLY" },
    });
    expect(bodiesOf(withBastion, "google_compute_router")).toEqual([
      expect.objectContaining({ name: "sigstore-us-east1-router", region: "us-east1", network: refTo(withBastion, "google_compute_network", "id") }),
    ]);
  });
});

describe("firewall rules", () => {
  it("open nothing to the internet: every rule is ingress from narrow ranges to tagged instances of this VPC", () => {
    for (const json of [withBastion, withoutBastion]) {
      for (const rule of rules(json)) {
        expect([rule.name, rule.direction]).toEqual([rule.name, "INGRESS"]);
        expect(rule.source_ranges.filter((r: string) => /^0\.0\.0\.0\/0$|^::\/0$/.test(r))).toEqual([]);
        expect(rule.source_ranges.length).toBeGreaterThan(0);
        expect(rule.target_tags).toHaveLength(1);
        expect(["sigstore-gke-node-us-east1", "sigstore-bastion-us-east1"]).toContain(rule.target_tags[0]);
        expect(rule.network).toBe(refTo(json, "google_compute_network", "id"));
        expect(rule.allow.every((a: any) => a.protocol === "tcp" && a.ports.length > 0)).toBe(true);
        expect(rule.name).toContain("us-east1");
      }
    }
  });

  it("let Google health checks reach only the serving ports of the nodes", () => {
    const hc = ruleNamed(withBastion, "allow-health-checks");
    expect(hc).toMatchObject({ source_ranges: [...HEALTH_CHECK_RANGES], target_tags: ["sigstore-gke-node-us-east1"], allow: [{ protocol: "tcp", ports: [...SERVING_PORTS] }] });
    expect(HEALTH_CHECK_RANGES).toEqual(["35.191.0.0/16", "130.211.0.0/22"]);
    // Fulcio HTTP and gRPC, Dex, Rekor v2 gRPC among them; SSH never.
    expect(hc.allow[0].ports).toEqual(expect.arrayContaining(["5555", "5554", "5556", "3001"]));
    expect(hc.allow[0].ports).not.toContain("22");
  });

  it("open the configured serving ports instead of the defaults when given", () => {
    const json = synthPlatform({ servingPorts: ["9090", "9100-9110"] });
    expect(ruleNamed(json, "allow-health-checks").allow).toEqual([{ protocol: "tcp", ports: ["9090", "9100-9110"] }]);
  });

  it("let the control plane reach admission webhooks on the nodes, from its /28 only", () => {
    expect(ruleNamed(withBastion, "allow-webhooks")).toMatchObject({
      source_ranges: [networkDefaults.masterCidr],
      target_tags: ["sigstore-gke-node-us-east1"],
      allow: [{ protocol: "tcp", ports: [...WEBHOOK_PORTS] }],
    });
    expect(WEBHOOK_PORTS).toContain("8443");
    const json = synthPlatform({ network: { masterCidr: "172.20.0.16/28" } });
    expect(ruleNamed(json, "allow-webhooks").source_ranges).toEqual(["172.20.0.16/28"]);
  });

  it("let IAP reach SSH on the bastion tag only, and only when there is a bastion", () => {
    expect(ruleNamed(withBastion, "allow-iap-ssh")).toMatchObject({
      source_ranges: [IAP_RANGE],
      target_tags: ["sigstore-bastion-us-east1"],
      allow: [{ protocol: "tcp", ports: ["22"] }],
      log_config: { metadata: "INCLUDE_ALL_METADATA" },
    });
    expect(IAP_RANGE).toBe("35.235.240.0/20");
    expect(rules(withBastion)).toHaveLength(3);
    expect(rules(withoutBastion).map((r) => r.name).sort()).toEqual(["sigstore-us-east1-allow-health-checks", "sigstore-us-east1-allow-webhooks"]);
    expect(rules(withoutBastion).some((r) => r.allow.some((a: any) => a.ports.includes("22")))).toBe(false);
  });
});

describe("names and getters", () => {
  it("puts the region in every name and tag, so two regions never collide", () => {
    const json = synthConstruct((scope) => {
      new RegionalNetwork(scope, "east", { context: testContext(), settings: networkDefaults, bastion: true });
      new RegionalNetwork(scope, "west", { context: testContext({ region: "europe-west1", zones: ["europe-west1-b"] }), settings: networkDefaults, bastion: true });
    });
    for (const type of ["google_compute_network", "google_compute_subnetwork", "google_compute_router", "google_compute_router_nat", "google_compute_address", "google_compute_firewall"]) {
      const names = bodiesOf(json, type).map((b) => b.name);
      expect([type, new Set(names).size]).toEqual([type, names.length]);
      expect(names.every((n) => n.includes("us-east1") || n.includes("europe-west1"))).toBe(true);
    }
    const tags = bodiesOf(json, "google_compute_firewall").flatMap((r) => r.target_tags);
    expect(new Set(tags)).toEqual(new Set(["sigstore-gke-node-us-east1", "sigstore-bastion-us-east1", "sigstore-gke-node-europe-west1", "sigstore-bastion-europe-west1"]));
  });

  it("exposes the VPC, the subnet, the range names and the tags", () => {
    let network!: RegionalNetwork;
    const json = synthConstruct((scope) => {
      network = new RegionalNetwork(scope, "network", { context: testContext(), settings: networkDefaults });
      const values = {
        networkId: network.networkId,
        networkSelfLink: network.networkSelfLink,
        networkName: network.networkName,
        subnetId: network.subnetId,
        subnetSelfLink: network.subnetSelfLink,
        subnetName: network.subnetName,
      };
      for (const [key, value] of Object.entries(values)) new TerraformOutput(scope, key, { value });
    });
    const out = (key: string) => json.output[key].value;
    expect(out("networkId")).toBe(refTo(json, "google_compute_network", "id"));
    expect(out("networkSelfLink")).toBe(refTo(json, "google_compute_network", "self_link"));
    expect(out("networkName")).toBe(refTo(json, "google_compute_network", "name"));
    expect(out("subnetId")).toBe(refTo(json, "google_compute_subnetwork", "id"));
    expect(out("subnetSelfLink")).toBe(refTo(json, "google_compute_subnetwork", "self_link"));
    expect(out("subnetName")).toBe(refTo(json, "google_compute_subnetwork", "name"));
    expect([network.podsRangeName, network.servicesRangeName, network.nodeTag, network.bastionTag]).toEqual(["pods", "services", "sigstore-gke-node-us-east1", "sigstore-bastion-us-east1"]);
  });
});

describe("bad props", () => {
  const build = (props: Partial<ConstructorParameters<typeof RegionalNetwork>[2]>) => () =>
    synthConstruct((scope) => new RegionalNetwork(scope, "network", { context: testContext(), settings: networkDefaults, ...props }));

  it("refuses an empty or malformed port list", () => {
    expect(build({ servingPorts: [] })).toThrow(/servingPorts must list TCP ports/);
    expect(build({ servingPorts: ["http"] })).toThrow(/servingPorts .*\(got http\)/);
    expect(build({ webhookPorts: ["70000"] })).toThrow(/webhookPorts .*\(got 70000\)/);
  });

  it("refuses a NAT without addresses", () => {
    expect(build({ settings: { ...networkDefaults, natAddresses: 0 } })).toThrow(/at least one address/);
  });
});
