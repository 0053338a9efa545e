import { Construct } from "constructs";
import { dependable, ITerraformDependable, TerraformOutput, Token } from "cdktf";
import { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import type { ResourceNames } from "../shared/names";
import { TerraformData } from "../shared/terraform-data";
import { hasGrpc, PublicServiceSpec } from "../shared/services";

export interface RegionalServiceEndpointProps {
  readonly service: PublicServiceSpec;
  readonly names: ResourceNames;
  readonly region: string;
  /** Zones of the cluster; the NEG controller creates one NEG per zone. */
  readonly zones: readonly string[];
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
  /** Address of the region's own ingress (token). */
  readonly ingressAddress: string;
}

/**
 * A public service's footprint in one region: the deterministic names of its
 * standalone NEGs, published for the global stack, and the static IP of the
 * region's own ingress, which the A record points at in the "regional" phase.
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
  private readonly published: TerraformData;
  private readonly publishedZones: string[];
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

    this.publishedZones = [...props.zones];
    this.published = new TerraformData(this, "negs", { ...this.negNames, zones: this.publishedZones });

    // For operators (`cdktf output`); the global stack uses its own cross-stack outputs.
    new TerraformOutput(this, "ingress-ip", {
      description: `Static IP of the ${props.service.title} ingress in ${props.region}`,
      value: this.ingressAddress.address,
    });
    new TerraformOutput(this, "neg-names", {
      description: `Standalone NEG names of ${props.service.title} (Helm values neg.http.name / neg.grpc.name) and their zones`,
      value: this.published.output,
    });
  }

  /**
   * Makes the published NEG names wait for the resources that create the NEGs
   * (the workload's Kubernetes Service), so the global stack never sees a name
   * before the NEG can exist.
   */
  publishAfter(...dependencies: ITerraformDependable[]): void {
    this.published.dependsOn = [...(this.published.dependsOn ?? []), ...dependencies.map((d) => dependable(d))];
  }

  /**
   * Publishes no served zone: the service has no release in this region yet
   * (e.g. its CA chain is not configured), so its NEGs do not exist. The
   * global stack's zone precondition then stops its plan ("deploy that
   * regional stack first") instead of routing to missing NEGs.
   */
  withholdZones(): void {
    this.publishedZones.splice(0, this.publishedZones.length);
  }

  /** The values the global stack consumes, as cross-stack references. */
  get exported(): RegionalServiceExport {
    return {
      region: this.props.region,
      zones: this.props.zones,
      httpNegName: Token.asString(this.published.outputAttribute("http")),
      grpcNegName: this.negNames.grpc ? Token.asString(this.published.outputAttribute("grpc")) : undefined,
      servedZones: Token.asList(this.published.outputAttribute("zones")),
      ingressAddress: this.ingressAddress.address,
    };
  }
}
