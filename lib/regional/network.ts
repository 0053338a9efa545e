import { Construct } from "constructs";
import { ComputeAddress } from "@cdktf/provider-google/lib/compute-address";
import { ComputeFirewall } from "@cdktf/provider-google/lib/compute-firewall";
import { ComputeNetwork } from "@cdktf/provider-google/lib/compute-network";
import { ComputeRouter } from "@cdktf/provider-google/lib/compute-router";
import { ComputeRouterNat } from "@cdktf/provider-google/lib/compute-router-nat";
import { ComputeSubnetwork } from "@cdktf/provider-google/lib/compute-subnetwork";
import type { NetworkSettings } from "../config/schema";
import type { RegionalContext } from "./context";

/** Google's load balancer health-check and proxy ranges. */
export const HEALTH_CHECK_RANGES = ["35.191.0.0/16", "130.211.0.0/22"] as const;
/** Identity-Aware Proxy's TCP forwarding range. */
export const IAP_RANGE = "35.235.240.0/20";
/**
 * Container ports the load balancers reach pods on (NEG endpoints are pod
 * IPs, behind the node's alias ranges): Fulcio HTTP/gRPC 5555/5554, TSA 5555,
 * Dex 5556, Rekor 3000, CT log 6962, TUF 8080, Rekor v2 HTTP/gRPC 3000/3001,
 * TesseraCT 6962 (the Sigstore charts' container ports).
 */
export const SERVING_PORTS = ["3000", "3001", "5554", "5555", "5556", "6962", "8080"] as const;
/**
 * Ports the GKE control plane calls admission webhooks on, beyond 443 and
 * 10250 that GKE's own firewall rule already opens: 8443 is the port of the
 * policy-controller and ingress-nginx webhooks (the upstream module opened it).
 */
export const WEBHOOK_PORTS = ["8443"] as const;

const PORT = /^\d{1,5}(-\d{1,5})?$/;

export interface RegionalNetworkProps {
  readonly context: RegionalContext;
  readonly settings: NetworkSettings;
  /** Container ports opened to Google health checks on the nodes. @default SERVING_PORTS */
  readonly servingPorts?: readonly string[];
  /** Ports the control plane reaches admission webhooks on. @default WEBHOOK_PORTS */
  readonly webhookPorts?: readonly string[];
  /** Open SSH from IAP to the bastion tag. @default false */
  readonly bastion?: boolean;
}

/**
 * The region's own VPC: one subnet with secondary ranges for pods and
 * services, Private Google Access and flow logs; Cloud NAT on static
 * addresses for egress; and firewall rules that open only what load
 * balancers, the control plane and (optionally) IAP need. Everything else
 * is denied by the VPC's implied ingress rule.
 */
export class RegionalNetwork extends Construct {
  readonly network: ComputeNetwork;
  readonly subnet: ComputeSubnetwork;
  /** Static egress addresses of Cloud NAT, in order. */
  readonly natAddresses: readonly ComputeAddress[];
  /** Secondary range names, for the cluster's IP allocation policy. */
  readonly podsRangeName: string;
  readonly servicesRangeName: string;
  /** Network tag of GKE nodes. */
  readonly nodeTag: string;
  /** Network tag of the bastion. */
  readonly bastionTag: string;

  constructor(scope: Construct, id: string, props: RegionalNetworkProps) {
    super(scope, id);
    const { context, settings } = props;
    const { names, region, project } = context;
    const servingPorts = checkedPorts(this, "servingPorts", props.servingPorts ?? SERVING_PORTS);
    const webhookPorts = checkedPorts(this, "webhookPorts", props.webhookPorts ?? WEBHOOK_PORTS);
    if (settings.natAddresses < 1) throw new Error(`${this.node.path}: Cloud NAT needs at least one address (natAddresses)`);
    this.podsRangeName = "pods";
    this.servicesRangeName = "services";
    this.nodeTag = names.of("gke-node", region);
    this.bastionTag = names.of("bastion", region);

    this.network = new ComputeNetwork(this, "vpc", {
      project,
      name: names.of(region),
      description: `Sigstore network of ${region}`,
      autoCreateSubnetworks: false,
      routingMode: "REGIONAL",
    });
    this.subnet = new ComputeSubnetwork(this, "subnet", {
      project,
      name: names.of(region, "nodes"),
      region,
      network: this.network.id,
      ipCidrRange: settings.subnetCidr,
      // Nodes have no external address; Google APIs are reached privately.
      privateIpGoogleAccess: true,
      secondaryIpRange: [
        { rangeName: this.podsRangeName, ipCidrRange: settings.podsCidr },
        { rangeName: this.servicesRangeName, ipCidrRange: settings.servicesCidr },
      ],
      logConfig: { aggregationInterval: "INTERVAL_5_SEC", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" },
    });

    const router = new ComputeRouter(this, "router", { project, name: names.of(region, "router"), region, network: this.network.id });
    // Static egress addresses: external services can allow-list them.
    this.natAddresses = Array.from({ length: settings.natAddresses }, (_, i) =>
      new ComputeAddress(this, `nat-address-${i + 1}`, {
        project,
        name: names.of(region, "nat", String(i + 1)),
        region,
        addressType: "EXTERNAL",
        description: `Cloud NAT egress address ${i + 1} of ${region}`,
      }),
    );
    new ComputeRouterNat(this, "nat", {
      project,
      name: names.of(region, "nat"),
      region,
      router: router.name,
      natIpAllocateOption: "MANUAL_ONLY",
      natIps: this.natAddresses.map((a) => a.selfLink),
      // This subnet only, every range: nodes, and pods whose egress is not masqueraded.
      sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
      subnetwork: [{ name: this.subnet.selfLink, sourceIpRangesToNat: ["ALL_IP_RANGES"] }],
      logConfig: { enable: true, filter: "ERRORS_ONLY" },
    });

    new ComputeFirewall(this, "allow-health-checks", {
      project,
      name: names.of(region, "allow-health-checks"),
      description: "Google load balancer health checks and proxies to serving ports of pods",
      network: this.network.id,
      direction: "INGRESS",
      sourceRanges: [...HEALTH_CHECK_RANGES],
      targetTags: [this.nodeTag],
      allow: [{ protocol: "tcp", ports: servingPorts }],
    });
    new ComputeFirewall(this, "allow-control-plane-webhooks", {
      project,
      name: names.of(region, "allow-webhooks"),
      description: "GKE control plane to admission webhooks on the nodes",
      network: this.network.id,
      direction: "INGRESS",
      sourceRanges: [settings.masterCidr],
      targetTags: [this.nodeTag],
      allow: [{ protocol: "tcp", ports: webhookPorts }],
    });
    if (props.bastion) {
      new ComputeFirewall(this, "allow-iap-ssh", {
        project,
        name: names.of(region, "allow-iap-ssh"),
        description: "SSH to the bastion through Identity-Aware Proxy only",
        network: this.network.id,
        direction: "INGRESS",
        sourceRanges: [IAP_RANGE],
        targetTags: [this.bastionTag],
        allow: [{ protocol: "tcp", ports: ["22"] }],
        // Every SSH connection is an audit event.
        logConfig: { metadata: "INCLUDE_ALL_METADATA" },
      });
    }
  }

  get networkId(): string {
    return this.network.id;
  }

  get networkSelfLink(): string {
    return this.network.selfLink;
  }

  get networkName(): string {
    return this.network.name;
  }

  get subnetId(): string {
    return this.subnet.id;
  }

  get subnetSelfLink(): string {
    return this.subnet.selfLink;
  }

  get subnetName(): string {
    return this.subnet.name;
  }
}

function checkedPorts(scope: Construct, prop: string, ports: readonly string[]): string[] {
  const bad = ports.filter((p) => !PORT.test(p) || p.split("-").some((n) => Number(n) < 1 || Number(n) > 65535));
  if (ports.length === 0 || bad.length > 0) {
    throw new Error(`${scope.node.path}: ${prop} must list TCP ports or ranges such as "8080" or "8000-8100"${bad.length ? ` (got ${bad.join(", ")})` : ""}`);
  }
  return [...ports];
}
