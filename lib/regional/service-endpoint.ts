import { Construct } from "constructs";
import { ITerraformDependable, TerraformOutput } from "cdktf";
import { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import type { CertificateManagerCertificate } from "@cdktf/provider-google/lib/certificate-manager-certificate";
import type { CloudArmorConfig, LoggingConfig } from "../config/schema";
import { negGroupOf, ServiceFrontend } from "../frontend/service-frontend";
import { addDnsAuthorizedCertificate } from "../global/managed-certificate";
import { regionCode, ResourceNames } from "../shared/names";
import { hasGrpc, PublicServiceSpec } from "../shared/services";
import { NegPublication } from "./neg-publication";

export interface RegionalServiceEndpointProps {
  readonly service: PublicServiceSpec;
  readonly names: ResourceNames;
  readonly region: string;
  /** Zones of the cluster; the NEG controller creates one NEG per zone. */
  readonly zones: readonly string[];
}

/** What the region's front end on the ingress address needs besides the endpoint itself. */
export interface RegionalFrontendProps {
  readonly project: string;
  /** Host name without the trailing dot. */
  readonly host: string;
  /** Cloud DNS zone of the host (A record and certificate authorization). */
  readonly managedZone: string;
  /** Capacity of one endpoint (pod) in requests per second, for RATE balancing. */
  readonly maxRatePerEndpoint: number;
  readonly cloudArmor: CloudArmorConfig;
  readonly logging: LoggingConfig;
  /**
   * Id of the regional certificate of the host, issued once for every region
   * by the primary region (`issueRegionalCertificate`); a cross-stack token in
   * the other regions.
   */
  readonly certificateId: string;
}

/** Standalone NEG names of a service, as the Helm charts take them (`neg.http.name`, `neg.grpc.name`). */
export interface NegNames {
  readonly http: string;
  readonly grpc?: string;
}

/**
 * What one region offers a global load balancer for one service. The token
 * attributes are cross-stack references when read from another stack.
 */
export interface RegionalServiceExport {
  readonly region: string;
  /** Zones as configured; the global stack makes one backend per zone. */
  readonly zones: readonly string[];
  /** NEG name published by the regional stack (token). */
  readonly httpNegName: string;
  /** gRPC NEG name published by the regional stack (token), for services with gRPC. */
  readonly grpcNegName?: string;
  /** Zones the deployed regional stack serves (token list), to check against `zones`. */
  readonly servedZones: string[];
  /**
   * Address of the region's own front end (token), read from its :443
   * forwarding rule: a record that points here cannot exist before the rule.
   */
  readonly ingressAddress: string;
}

/**
 * A public service's footprint in one region: the deterministic names of its
 * standalone NEGs, published for the global stack, the static IP of the
 * region's own ingress, which the A record points at in the "regional" phase,
 * and (`addFrontend`) the load balancer that answers on that IP.
 *
 * The NEGs themselves are created by GKE's NEG controller from the Service
 * annotation; Terraform never looks them up. The names are published through
 * a `terraform_data` value, so the global stack reads them from this stack's
 * state once it is applied, not from the Compute API at plan time.
 */
export class RegionalServiceEndpoint extends Construct {
  /** NEG names to hand to the service's Helm chart in this stack. */
  readonly negNames: NegNames;
  readonly ingressAddress: ComputeGlobalAddress;
  /** The region's front end on `ingressAddress`, once added. */
  frontend?: ServiceFrontend;
  /** The host's regional certificate, in the stack that issues it. */
  regionalCertificate?: CertificateManagerCertificate;
  private readonly published: NegPublication;
  private readonly props: RegionalServiceEndpointProps;

  constructor(scope: Construct, id: string, props: RegionalServiceEndpointProps) {
    super(scope, id);
    this.props = props;
    const service = props.service.id;
    this.negNames = {
      http: props.names.of(service, "http"),
      grpc: hasGrpc(service) ? props.names.of(service, "grpc") : undefined,
    };

    this.ingressAddress = new ComputeGlobalAddress(this, "ingress-address", {
      name: props.names.of(service, props.region, "ingress"),
      description: `${props.service.title} ingress of ${props.region}; the A record points here in the regional DNS phase`,
      addressType: "EXTERNAL",
      ipVersion: "IPV4",
    });

    this.published = new NegPublication(this, "negs", { negNames: this.negNames, zones: props.zones });

    // For operators (`cdktf output`); the global stack uses its own cross-stack outputs.
    new TerraformOutput(this, "ingress-ip", {
      description: `Static IP of the ${props.service.title} ingress in ${props.region}`,
      value: this.ingressAddress.address,
    });
    new TerraformOutput(this, "neg-names", {
      description: `Standalone NEG names of ${props.service.title} (Helm values neg.http.name / neg.grpc.name) and their zones`,
      value: this.published.data.output,
    });
  }

  /**
   * Makes the published NEG names wait for the resources that create the NEGs
   * (the workload's Kubernetes Service), so the global stack never sees a name
   * before the NEG can exist.
   */
  publishAfter(...dependencies: ITerraformDependable[]): void {
    this.published.publishAfter(...dependencies);
  }

  /**
   * Publishes no served zone: the service has no release in this region yet
   * (e.g. its CA chain is not configured), so its NEGs do not exist. The
   * global stack's zone precondition then stops its plan ("deploy that
   * regional stack first") instead of routing to missing NEGs.
   */
  withholdZones(): void {
    if (this.zonesWithheld) return;
    // The region's own front end routes to the zones it was built with: withholding later would leave it on missing NEGs.
    if (this.frontend) throw new Error(`${this.node.path}: withhold the zones before adding the regional front end`);
    this.published.withholdZones();
  }

  /** Whether the endpoint publishes no served zone (its release is not installed in this region yet). */
  get zonesWithheld(): boolean {
    return this.published.zonesWithheld;
  }

  /**
   * Issues the certificate every region's front end of this host serves: one
   * DNS authorization of type PER_PROJECT_RECORD (its CNAME,
   * `_acme-challenge_<project>.<host>`, differs from the global front end's
   * `_acme-challenge.<host>`, so each record has one owner) and one managed
   * certificate. Called in one regional stack (the primary region's).
   */
  issueRegionalCertificate(props: Pick<RegionalFrontendProps, "project" | "host" | "managedZone">): CertificateManagerCertificate {
    if (this.regionalCertificate) throw new Error(`${this.node.path}: the regional certificate is already issued`);
    this.regionalCertificate = addDnsAuthorizedCertificate(new Construct(this, "regional-tls"), {
      names: this.props.names,
      namePart: `${this.props.service.id}-regional`,
      project: props.project,
      host: props.host,
      managedZone: props.managedZone,
      authorizationType: "PER_PROJECT_RECORD",
    });
    return this.regionalCertificate;
  }

  /**
   * The region's front end: the same construct as the global one
   * (`ServiceFrontend`), on the reserved ingress address, over this region's
   * NEGs only. Its backends read the NEG names from the published value, so
   * they wait for whatever `publishAfter` waits for.
   */
  addFrontend(props: RegionalFrontendProps): ServiceFrontend {
    if (this.frontend) throw new Error(`${this.node.path}: the regional front end is already added`);
    const { service, names, region } = this.props;
    this.frontend = new ServiceFrontend(this, "frontend", {
      project: props.project,
      namePrefix: names.prefix,
      service,
      namePart: `${service.id}-${regionCode(region)}`,
      host: props.host,
      managedZone: props.managedZone,
      // A withheld service has no NEGs yet: its front end has no backends (and no zone precondition) until it is installed.
      groups: [{ ...negGroupOf(this.negExport()), zones: this.published.publishedZones }],
      maxRatePerEndpoint: props.maxRatePerEndpoint,
      cloudArmor: props.cloudArmor,
      logging: props.logging,
      address: this.ingressAddress.address,
      certificate: { id: props.certificateId },
    });
    return this.frontend;
  }

  private negExport(): Omit<RegionalServiceExport, "ingressAddress"> {
    return {
      region: this.props.region,
      zones: this.props.zones,
      httpNegName: this.published.attribute("http"),
      grpcNegName: this.negNames.grpc ? this.published.attribute("grpc") : undefined,
      servedZones: this.published.servedZones,
    };
  }

  /** The values the global stack consumes, as cross-stack references. */
  get exported(): RegionalServiceExport {
    if (!this.frontend) throw new Error(`${this.node.path}: no front end answers on the ingress address; call addFrontend() first`);
    return { ...this.negExport(), ingressAddress: this.frontend.servingAddress };
  }
}
