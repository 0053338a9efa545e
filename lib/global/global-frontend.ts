import { Construct } from "constructs";
import { Fn, Op } from "cdktf";
import {
  ComputeBackendService,
  ComputeBackendServiceBackend,
  ComputeBackendServiceConfig,
} from "@cdktf/provider-google/lib/compute-backend-service";
import { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import { ComputeGlobalForwardingRule } from "@cdktf/provider-google/lib/compute-global-forwarding-rule";
import { ComputeHealthCheck } from "@cdktf/provider-google/lib/compute-health-check";
import { ComputeSslPolicy } from "@cdktf/provider-google/lib/compute-ssl-policy";
import { ComputeTargetHttpsProxy } from "@cdktf/provider-google/lib/compute-target-https-proxy";
import { ComputeUrlMap, ComputeUrlMapPathMatcherPathRule } from "@cdktf/provider-google/lib/compute-url-map";
import type { CloudArmorConfig, LoggingConfig } from "../config/schema";
import type { RegionalServiceExport } from "../regional/service-endpoint";
import type { ResourceNames } from "../shared/names";
import { hasGrpc, PublicServiceSpec } from "../shared/services";
import { CloudArmorPolicy } from "./cloud-armor-policy";
import { HttpsRedirect } from "./https-redirect";
import { ManagedCertificate } from "./managed-certificate";

/** A path rule ahead of the service's own routing, e.g. Dex's `/auth/keys` to a bucket. */
export interface ExtraRoute {
  readonly paths: readonly string[];
  /** Backend service or backend bucket id. */
  readonly service: string;
}

/** Backend-service settings a service may need beyond the defaults. */
export interface BackendTuning {
  readonly sessionAffinity?: ComputeBackendServiceConfig["sessionAffinity"];
  readonly localityLbPolicy?: ComputeBackendServiceConfig["localityLbPolicy"];
}

export interface GlobalFrontendProps {
  readonly project: string;
  readonly names: ResourceNames;
  readonly service: PublicServiceSpec;
  /** Host name without the trailing dot. */
  readonly host: string;
  readonly managedZone: string;
  /** What every region offers; the backends are each region's NEGs in each of its zones. */
  readonly regions: readonly RegionalServiceExport[];
  /** Capacity of one endpoint (pod) in requests per second, for RATE balancing. */
  readonly maxRatePerEndpoint: number;
  readonly cloudArmor: CloudArmorConfig;
  readonly logging: LoggingConfig;
  readonly extraRoutes?: readonly ExtraRoute[];
  /** Applied to the HTTP backend service. */
  readonly httpBackend?: BackendTuning;
}

type Protocol = "http" | "grpc";

/**
 * A global external Application Load Balancer for one public service, over the
 * standalone NEGs of every region: address, Cloud Armor, TLS policy, managed
 * certificate, health checks, backend services, URL map, HTTPS proxy and
 * forwarding rule, and a port 80 redirect to HTTPS.
 *
 * Region data arrives only as cross-stack references: nothing here looks up a
 * NEG, so planning a region that is not deployed yet cannot fail on a look-up.
 */
export class GlobalFrontend extends Construct {
  readonly address: ComputeGlobalAddress;
  readonly securityPolicy: CloudArmorPolicy;
  readonly backendServices: { readonly http: ComputeBackendService; readonly grpc?: ComputeBackendService };
  readonly urlMap: ComputeUrlMap;
  readonly certificate: ManagedCertificate;

  constructor(scope: Construct, id: string, props: GlobalFrontendProps) {
    super(scope, id);
    const { names, service } = props;
    const part = service.id;
    if (props.regions.length === 0) {
      throw new Error(`GlobalFrontend ${service.id}: at least one region must provide backends`);
    }

    this.address = new ComputeGlobalAddress(this, "address", {
      name: names.of(part, "global-ip"),
      description: `${service.title} global load balancer`,
      addressType: "EXTERNAL",
      ipVersion: "IPV4",
    });

    this.securityPolicy = new CloudArmorPolicy(this, "cloud-armor", {
      name: names.of(part, "armor"),
      description: `Cloud Armor policy of ${service.title}`,
      config: props.cloudArmor,
    });

    const sslPolicy = new ComputeSslPolicy(this, "ssl-policy", {
      name: names.of(part, "ssl-policy"),
      description: "TLS 1.2 or newer with modern ciphers",
      profile: "MODERN",
      minTlsVersion: "TLS_1_2",
    });

    const http = this.backendService(props, "http");
    const grpc = hasGrpc(service.id) ? this.backendService(props, "grpc") : undefined;
    this.backendServices = { http, grpc };

    const pathRules: ComputeUrlMapPathMatcherPathRule[] = (props.extraRoutes ?? []).map((r) => ({
      paths: [...r.paths],
      service: r.service,
    }));
    if (grpc) {
      // A gRPC method is /<package.Service>/<Method>; route the service's whole path space.
      const paths = service.grpcServicePaths.flatMap((p) => [p, `${p}/*`]);
      pathRules.push({ paths, service: grpc.id });
    }
    this.urlMap = new ComputeUrlMap(this, "url-map", {
      name: names.of(part, "url-map"),
      description: `Routes ${props.host}`,
      defaultService: http.id,
      hostRule: [{ hosts: [props.host], pathMatcher: part }],
      pathMatcher: [
        {
          name: part,
          defaultService: http.id,
          pathRule: pathRules.length > 0 ? pathRules : undefined,
        },
      ],
    });

    this.certificate = new ManagedCertificate(this, "tls", {
      names,
      namePart: part,
      project: props.project,
      host: props.host,
      managedZone: props.managedZone,
    });

    const proxy = new ComputeTargetHttpsProxy(this, "https-proxy", {
      name: names.of(part, "https-proxy"),
      urlMap: this.urlMap.id,
      sslPolicy: sslPolicy.id,
      certificateMap: this.certificate.mapReference,
    });

    new ComputeGlobalForwardingRule(this, "https-forwarding-rule", {
      name: names.of(part, "https-rule"),
      ipAddress: this.address.address,
      ipProtocol: "TCP",
      portRange: "443",
      loadBalancingScheme: "EXTERNAL_MANAGED",
      target: proxy.id,
    });

    new HttpsRedirect(this, "http-redirect", { names, namePart: part, ipAddress: this.address.address });
  }

  private backendService(props: GlobalFrontendProps, protocol: Protocol): ComputeBackendService {
    const { names, service, logging } = props;
    const part = service.id;
    const healthCheck = new ComputeHealthCheck(this, `health-check-${protocol}`, {
      name: names.of(part, protocol, "hc"),
      description: `${service.title} ${protocol.toUpperCase()} serving port`,
      checkIntervalSec: 5,
      timeoutSec: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
      // The gRPC port speaks HTTP/2 only; a TCP check proves it accepts connections.
      httpHealthCheck:
        protocol === "http" ? { portSpecification: "USE_SERVING_PORT", requestPath: service.healthCheckPath } : undefined,
      tcpHealthCheck: protocol === "grpc" ? { portSpecification: "USE_SERVING_PORT" } : undefined,
      logConfig: { enable: logging.healthChecks },
    });

    const backends: ComputeBackendServiceBackend[] = props.regions.flatMap((region) => {
      const negName = protocol === "http" ? region.httpNegName : region.grpcNegName;
      if (negName === undefined) {
        throw new Error(`Region ${region.region} publishes no ${protocol} NEG for ${service.id}`);
      }
      return region.zones.map((zone) => ({
        group: `projects/${props.project}/zones/${zone}/networkEndpointGroups/${negName}`,
        balancingMode: "RATE",
        maxRatePerEndpoint: props.maxRatePerEndpoint,
        capacityScaler: 1,
      }));
    });

    const tuning = protocol === "http" ? props.httpBackend : undefined;
    return new ComputeBackendService(this, `backend-${protocol}`, {
      name: names.of(part, protocol, "backend"),
      description: `${service.title} ${protocol.toUpperCase()} NEGs of ${props.regions.map((r) => r.region).join(", ")}`,
      loadBalancingScheme: "EXTERNAL_MANAGED",
      protocol: protocol === "http" ? "HTTP" : "HTTP2",
      timeoutSec: 30,
      connectionDrainingTimeoutSec: 15,
      healthChecks: [healthCheck.id],
      securityPolicy: this.securityPolicy.selfLink,
      sessionAffinity: tuning?.sessionAffinity,
      localityLbPolicy: tuning?.localityLbPolicy,
      backend: backends,
      logConfig: logging.loadBalancer
        ? { enable: true, sampleRate: logging.loadBalancerSampleRate }
        : { enable: false },
      lifecycle: {
        // Adding a zone changes both stacks; the regional one must go first,
        // or the backend would name a NEG that GKE has not created yet.
        precondition: props.regions.map((region) => ({
          // 0 on the left: cdktf 0.21 renders a literal 0 on the right as "undefined".
          condition: Op.eq(0, Fn.lengthOf(Fn.setsubtract([...region.zones], region.servedZones))),
          errorMessage: `${service.id}: the deployed stack of ${region.region} does not serve every zone this load balancer routes to (${region.zones.join(", ")}); deploy that regional stack first.`,
        })),
      },
    });
  }

  /** The load balancer's IP address. */
  get ipAddress(): string {
    return this.address.address;
  }
}
