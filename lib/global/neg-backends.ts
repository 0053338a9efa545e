import type { Construct } from "constructs";
import { Fn, Op } from "cdktf";
import { ComputeBackendService, ComputeBackendServiceConfig } from "@cdktf/provider-google/lib/compute-backend-service";
import { ComputeHealthCheck } from "@cdktf/provider-google/lib/compute-health-check";
import type { LoggingConfig } from "../config/schema";
import type { ResourceNames } from "../shared/names";

export type NegProtocol = "http" | "grpc";

/** One region's standalone NEGs of one port, as a regional stack publishes them. */
export interface NegGroup {
  /** How the group reads in descriptions and messages, e.g. "us-east1" or "1 in us-east1". */
  readonly label: string;
  readonly region: string;
  /** Zones as configured: one backend per zone. */
  readonly zones: readonly string[];
  /** Zones the deployed regional stack serves (cross-stack token list). */
  readonly servedZones: string[];
  /** NEG name of each port the region publishes (cross-stack tokens). */
  readonly negNames: { readonly http?: string; readonly grpc?: string };
}

/** Backend-service settings a service may need beyond the defaults. */
export interface BackendTuning {
  readonly sessionAffinity?: ComputeBackendServiceConfig["sessionAffinity"];
  readonly localityLbPolicy?: ComputeBackendServiceConfig["localityLbPolicy"];
}

export interface NegBackendServiceProps {
  readonly project: string;
  readonly names: ResourceNames;
  /** Name part of the service, e.g. "fulcio" or "rekor-tiles-1-use1". */
  readonly namePart: string;
  /** What the backends serve, for descriptions and errors, e.g. "Fulcio". */
  readonly title: string;
  /** What precondition messages name, e.g. "fulcio". */
  readonly subject: string;
  readonly protocol: NegProtocol;
  /** Path of the HTTP health check (HTTP backends). */
  readonly healthCheckPath: string;
  readonly groups: readonly NegGroup[];
  /** Capacity of one endpoint (pod), requests per second, for RATE balancing. */
  readonly maxRatePerEndpoint: number;
  /** Cloud Armor policy in front of the backends. */
  readonly securityPolicy: string;
  readonly logging: LoggingConfig;
  readonly tuning?: BackendTuning;
  /**
   * Whether the pods' gRPC port terminates TLS itself (the charts'
   * `server.grpcSvcTLS`). @default false: cleartext HTTP/2, as the pinned
   * Fulcio and Rekor v2 charts serve it, so the load balancer speaks H2C
   */
  readonly grpcTls?: boolean;
}

/**
 * A health check and an EXTERNAL_MANAGED backend service over the standalone
 * NEGs of every group and zone, balanced by rate, behind Cloud Armor. Its
 * preconditions stop a plan that routes to a zone the deployed regional stack
 * does not serve yet. The resources are created in `scope` as
 * `health-check-<protocol>` and `backend-<protocol>`.
 */
export function addNegBackendService(scope: Construct, props: NegBackendServiceProps): ComputeBackendService {
  const { names, namePart, protocol, logging, title } = props;
  const healthCheck = new ComputeHealthCheck(scope, `health-check-${protocol}`, {
    name: names.of(namePart, protocol, "hc"),
    description: `${title} ${protocol.toUpperCase()} serving port`,
    checkIntervalSec: 5,
    timeoutSec: 5,
    healthyThreshold: 2,
    unhealthyThreshold: 2,
    // The gRPC port speaks HTTP/2 only; a TCP check proves it accepts connections.
    httpHealthCheck: protocol === "http" ? { portSpecification: "USE_SERVING_PORT", requestPath: props.healthCheckPath } : undefined,
    tcpHealthCheck: protocol === "grpc" ? { portSpecification: "USE_SERVING_PORT" } : undefined,
    logConfig: { enable: logging.healthChecks },
  });

  const backends = props.groups.flatMap((group) => {
    const negName = group.negNames[protocol];
    if (negName === undefined) throw new Error(`${props.subject}: ${group.label} publishes no ${protocol} NEG; expose that port in its regional stack first.`);
    return group.zones.map((zone) => ({
      group: `projects/${props.project}/zones/${zone}/networkEndpointGroups/${negName}`,
      balancingMode: "RATE",
      maxRatePerEndpoint: props.maxRatePerEndpoint,
      capacityScaler: 1,
    }));
  });

  return new ComputeBackendService(scope, `backend-${protocol}`, {
    name: names.of(namePart, protocol, "backend"),
    description: `${title} ${protocol.toUpperCase()} NEGs of ${props.groups.map((g) => g.label).join(", ")}`,
    loadBalancingScheme: "EXTERNAL_MANAGED",
    // HTTP2 would make the load balancer open TLS to a port that speaks
    // cleartext HTTP/2 and every request would fail; H2C matches the charts.
    protocol: protocol === "http" ? "HTTP" : props.grpcTls ? "HTTP2" : "H2C",
    timeoutSec: 30,
    connectionDrainingTimeoutSec: 15,
    healthChecks: [healthCheck.id],
    securityPolicy: props.securityPolicy,
    sessionAffinity: props.tuning?.sessionAffinity,
    localityLbPolicy: props.tuning?.localityLbPolicy,
    backend: backends,
    logConfig: logging.loadBalancer ? { enable: true, sampleRate: logging.loadBalancerSampleRate } : { enable: false },
    lifecycle: {
      // Adding a zone changes both stacks; the regional one must go first,
      // or the backend would name a NEG that GKE has not created yet.
      precondition: props.groups.map((group) => ({
        // 0 on the left: cdktf 0.21 renders a literal 0 on the right as "undefined".
        condition: Op.eq(0, Fn.lengthOf(Fn.setsubtract([...group.zones], group.servedZones))),
        errorMessage: `${props.subject}: the deployed stack of ${group.region} does not serve every zone this load balancer routes to (${group.zones.join(", ")}); deploy that regional stack first.`,
      })),
    },
  });
}
