import { Token } from "cdktf";
import { Construct } from "constructs";
import { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import { ComputeGlobalForwardingRule } from "@cdktf/provider-google/lib/compute-global-forwarding-rule";
import { ComputeSslPolicy } from "@cdktf/provider-google/lib/compute-ssl-policy";
import { ComputeTargetHttpsProxy } from "@cdktf/provider-google/lib/compute-target-https-proxy";
import type { CloudArmorConfig, LoggingConfig } from "../config/schema";
import type { ResourceNames } from "../shared/names";
import { projectNames } from "../shared/regional-props";
import { CloudArmorPolicy } from "./cloud-armor-policy";
import { HttpsRedirect } from "./https-redirect";
import { ExistingCertificate, ManagedCertificate } from "./managed-certificate";

/** What every front end is given to serve its host. */
export interface HttpsFrontendProps {
  /** Project id of the load balancer's resources. */
  readonly project: string;
  /**
   * Prefix of every resource name (`<namePrefix>-<name part>-url-map`, …), so
   * that two deployments can share a project. @default "sigstore"
   */
  readonly namePrefix?: string;
  /** Host name without the trailing dot. */
  readonly host: string;
  /** Cloud DNS zone that answers the certificate's DNS authorization. */
  readonly managedZone: string;
}

/** Cloud Armor of a front end not given one: allow by default, adaptive protection on, no rules (the configuration's defaults). */
export const DEFAULT_FRONTEND_CLOUD_ARMOR: CloudArmorConfig = { defaultAction: "allow", adaptiveProtection: true, rules: [] };
/** Logging of a front end not given one: every request on the backend services, no health-check probes (the configuration's defaults). */
export const DEFAULT_FRONTEND_LOGGING: LoggingConfig = { loadBalancer: true, loadBalancerSampleRate: 1, healthChecks: false };

const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;
const MANAGED_ZONE = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface HttpsEntryProps extends Omit<HttpsFrontendProps, "namePrefix"> {
  /** Names of the entry's resources. */
  readonly names: ResourceNames;
  /** Name part of the front end, e.g. "fulcio". */
  readonly namePart: string;
  /** URL map the HTTPS proxy serves. */
  readonly urlMap: string;
  /** What the front end serves, for the address's description. */
  readonly title: string;
  /**
   * A global address reserved elsewhere (its IP), e.g. a regional stack's
   * ingress address. @default a new global address `address`
   */
  readonly address?: string;
  /** Serve this certificate rather than issuing one. @default a new DNS-authorized certificate */
  readonly certificate?: ExistingCertificate;
}

/** What an HTTPS entry gives the front end and the A records that point at it. */
export interface HttpsEntry {
  /** The address, when created here. */
  readonly address?: ComputeGlobalAddress;
  readonly certificate: ManagedCertificate;
  /**
   * The :443 rule. Its `ipAddress` is the address to publish: reading it makes
   * an A record (or another stack) wait until something listens there.
   */
  readonly forwardingRule: ComputeGlobalForwardingRule;
}

/**
 * How every public front end takes its traffic: a global IPv4 address, a
 * Certificate Manager certificate for its host, TLS 1.2 or newer with modern
 * ciphers on port 443, and port 80 answering with a redirect to HTTPS. The
 * resources are created in `scope` (ids `address`, `ssl-policy`, `tls`,
 * `https-proxy`, `https-forwarding-rule`, `http-redirect`), so front ends keep
 * their Terraform addresses.
 */
export function addHttpsEntry(scope: Construct, props: HttpsEntryProps): HttpsEntry {
  const { names, namePart } = props;
  const address = props.address === undefined
    ? new ComputeGlobalAddress(scope, "address", {
      name: names.of(namePart, "global-ip"),
      description: `${props.title} global load balancer`,
      addressType: "EXTERNAL",
      ipVersion: "IPV4",
    })
    : undefined;
  const ip = address?.address ?? props.address!;
  const sslPolicy = new ComputeSslPolicy(scope, "ssl-policy", {
    name: names.of(namePart, "ssl-policy"),
    description: "TLS 1.2 or newer with modern ciphers",
    profile: "MODERN",
    minTlsVersion: "TLS_1_2",
  });

  const certificate = new ManagedCertificate(scope, "tls", {
    names,
    namePart,
    project: props.project,
    host: props.host,
    managedZone: props.managedZone,
    certificate: props.certificate,
  });

  const proxy = new ComputeTargetHttpsProxy(scope, "https-proxy", {
    name: names.of(namePart, "https-proxy"),
    urlMap: props.urlMap,
    sslPolicy: sslPolicy.id,
    certificateMap: certificate.mapReference,
  });

  const forwardingRule = new ComputeGlobalForwardingRule(scope, "https-forwarding-rule", {
    name: names.of(namePart, "https-rule"),
    ipAddress: ip,
    ipProtocol: "TCP",
    portRange: "443",
    loadBalancingScheme: "EXTERNAL_MANAGED",
    target: proxy.id,
  });

  new HttpsRedirect(scope, "http-redirect", { names, namePart, ipAddress: ip });
  return { address, certificate, forwardingRule };
}

/**
 * A front end served through `addHttpsEntry`: the subclass builds its
 * backends and URL map, then calls `serveHttps` once; the address,
 * certificate and :443 rule attributes are the same for every front end.
 */
export abstract class HttpsFrontend extends Construct {
  private entry?: HttpsEntry;
  private ip?: string;
  private checkedNames?: ResourceNames;

  /**
   * Checks the props every front end shares (project, name prefix, host,
   * managed zone; errors name this construct's path) and returns the names
   * derived from the prefix.
   */
  protected namesOf(props: HttpsFrontendProps): ResourceNames {
    if (this.checkedNames) return this.checkedNames;
    const kind = this.constructor.name;
    const names = projectNames(this, kind, props);
    if (!Token.isUnresolved(props.host) && !HOST.test(props.host)) {
      throw new Error(`${kind} host "${props.host}" must be a host name such as fulcio.example.com (no scheme, port, path or trailing dot) (${this.node.path})`);
    }
    if (!Token.isUnresolved(props.managedZone) && !MANAGED_ZONE.test(props.managedZone)) {
      throw new Error(`${kind} managedZone "${props.managedZone}" must be a Cloud DNS managed zone name (lowercase letters, digits, hyphens) (${this.node.path})`);
    }
    this.checkedNames = names;
    return names;
  }

  /** Adds the HTTPS entry for `props.host` in this construct (once, after the URL map exists). */
  protected serveHttps(props: HttpsFrontendProps, entry: Omit<HttpsEntryProps, keyof HttpsFrontendProps | "names">): HttpsEntry {
    if (this.entry) throw new Error(`${this.node.path}: the HTTPS entry is already added`);
    const { project, host, managedZone } = props;
    this.entry = addHttpsEntry(this, { project, names: this.namesOf(props), host, managedZone, ...entry });
    this.ip = this.entry.address?.address ?? entry.address!;
    return this.entry;
  }

  /**
   * The front end's Cloud Armor policy `<namePart>-armor` (id `cloud-armor`),
   * for backend services; with `edge`, the edge policy `<namePart>-edge-armor`
   * (id `edge-armor`), for backend buckets.
   */
  protected addCloudArmor(
    props: HttpsFrontendProps & { readonly cloudArmor?: CloudArmorConfig },
    namePart: string,
    description: string,
    options: { readonly edge?: boolean } = {},
  ): CloudArmorPolicy {
    const edge = options.edge === true;
    return new CloudArmorPolicy(this, edge ? "edge-armor" : "cloud-armor", {
      name: this.namesOf(props).of(namePart, edge ? "edge-armor" : "armor"),
      description,
      config: props.cloudArmor ?? DEFAULT_FRONTEND_CLOUD_ARMOR,
      edge,
    });
  }

  private get served(): HttpsEntry {
    if (!this.entry) throw new Error(`${this.node.path}: the HTTPS entry is not added yet`);
    return this.entry;
  }

  /** The certificate the HTTPS proxy serves. */
  get certificate(): ManagedCertificate {
    return this.served.certificate;
  }

  /** The :443 rule; an A record points here only once it exists. */
  get httpsForwardingRule(): ComputeGlobalForwardingRule {
    return this.served.forwardingRule;
  }

  /** The load balancer's IP address (known once the address is reserved), for the host's A record. */
  get ipAddress(): string {
    if (this.ip === undefined) throw new Error(`${this.node.path}: the HTTPS entry is not added yet`);
    return this.ip;
  }

  /**
   * The IP as the :443 forwarding rule holds it. An A record (or another
   * stack) that reads this cannot point at the IP before the rule exists.
   */
  get servingAddress(): string {
    return this.httpsForwardingRule.ipAddress;
  }
}
