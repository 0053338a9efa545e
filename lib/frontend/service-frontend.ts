import type { Construct } from "constructs";
import type { ComputeBackendService } from "@cdktf/provider-google/lib/compute-backend-service";
import type { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import { ComputeUrlMap, ComputeUrlMapPathMatcherPathRule } from "@cdktf/provider-google/lib/compute-url-map";
import type { CloudArmorConfig, LoggingConfig } from "../config/schema";
import type { RegionalServiceExport } from "../regional/service-endpoint";
import type { PublicServiceSpec } from "../shared/services";
import type { CloudArmorPolicy } from "../global/cloud-armor-policy";
import { DEFAULT_FRONTEND_LOGGING, HttpsFrontend, HttpsFrontendProps } from "../global/https-entry";
import type { ExistingCertificate } from "../global/managed-certificate";
import { addNegBackendService, BackendTuning, NegGroup, NegProtocol } from "../global/neg-backends";

export type { BackendTuning, NegGroup } from "../global/neg-backends";
export type { ExistingCertificate } from "../global/managed-certificate";

/** A path rule ahead of the service's own routing, e.g. Dex's `/auth/keys` to a bucket. */
export interface ExtraRoute {
  readonly paths: readonly string[];
  /** Backend service or backend bucket id. */
  readonly service: string;
}

export interface ServiceFrontendProps extends HttpsFrontendProps {
  /** Any service of the registry (lib/shared/services.ts). */
  readonly service: PublicServiceSpec;
  /**
   * Name part of every resource of this front end.
   * @default the service id (the global front end's names)
   */
  readonly namePart?: string;
  /** Standalone NEGs the backends route to: one backend per group and zone. */
  readonly groups: readonly NegGroup[];
  /** Capacity of one endpoint (pod) in requests per second, for RATE balancing. */
  readonly maxRatePerEndpoint: number;
  /** Cloud Armor policy of the backend services. @default allow by default, adaptive protection on, no rules */
  readonly cloudArmor?: CloudArmorConfig;
  /** Request and health-check logging. @default every request logged, no health-check probes */
  readonly logging?: LoggingConfig;
  /** @default none */
  readonly extraRoutes?: readonly ExtraRoute[];
  /** Applied to the HTTP backend service. @default the backend service defaults */
  readonly httpBackend?: BackendTuning;
  /** IP of a global address reserved elsewhere. @default a new global address */
  readonly address?: string;
  /** Serve this certificate. @default a new DNS-authorized certificate for `host` */
  readonly certificate?: ExistingCertificate;
}

/**
 * A global external Application Load Balancer (EXTERNAL_MANAGED) for one
 * public service over standalone zonal NEGs: Cloud Armor on every backend,
 * health checks, backend services, URL map, TLS 1.2+ policy, Certificate
 * Manager certificate, HTTPS proxy and :443 rule, and a :80 redirect to HTTPS.
 *
 * The global stack builds one over every region's NEGs; each regional stack
 * builds one over its own NEGs on its reserved ingress address. A zonal NEG
 * may be a backend of several backend services, so both serve the same pods at
 * once during a weighted DNS hand-off.
 */
export class ServiceFrontend extends HttpsFrontend {
  /** The address, when this front end reserved it. */
  readonly reservedAddress?: ComputeGlobalAddress;
  readonly securityPolicy: CloudArmorPolicy;
  readonly backendServices: { readonly http: ComputeBackendService; readonly grpc?: ComputeBackendService };
  readonly urlMap: ComputeUrlMap;

  constructor(scope: Construct, id: string, props: ServiceFrontendProps) {
    super(scope, id);
    const { service } = props;
    const names = this.namesOf(props);
    const part = props.namePart ?? service.id;
    if (props.groups.length === 0) {
      throw new Error(`${this.node.path}: at least one region must provide backends for ${service.id}`);
    }

    this.securityPolicy = this.addCloudArmor(props, part, `Cloud Armor policy of ${service.title}`);

    const http = this.backendService(props, part, "http");
    const grpc = service.grpcServicePaths.length > 0 ? this.backendService(props, part, "grpc") : undefined;
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
    // The path matcher keeps the service id as its name: it is local to the URL map.
    this.urlMap = new ComputeUrlMap(this, "url-map", {
      name: names.of(part, "url-map"),
      description: `Routes ${props.host}`,
      defaultService: http.id,
      hostRule: [{ hosts: [props.host], pathMatcher: service.id }],
      pathMatcher: [
        {
          name: service.id,
          defaultService: http.id,
          pathRule: pathRules.length > 0 ? pathRules : undefined,
        },
      ],
    });

    this.reservedAddress = this.serveHttps(props, {
      namePart: part,
      urlMap: this.urlMap.id,
      title: service.title,
      address: props.address,
      certificate: props.certificate,
    }).address;
  }

  private backendService(props: ServiceFrontendProps, part: string, protocol: NegProtocol): ComputeBackendService {
    const { service } = props;
    return addNegBackendService(this, {
      project: props.project,
      names: this.namesOf(props),
      namePart: part,
      title: service.title,
      subject: service.id,
      protocol,
      healthCheckPath: service.healthCheckPath,
      groups: props.groups,
      maxRatePerEndpoint: props.maxRatePerEndpoint,
      securityPolicy: this.securityPolicy.selfLink,
      logging: props.logging ?? DEFAULT_FRONTEND_LOGGING,
      tuning: protocol === "http" ? props.httpBackend : undefined,
    });
  }
}

/** A region's NEGs of one service, as a front end's backends take them. */
export function negGroupOf(r: Omit<RegionalServiceExport, "ingressAddress">): NegGroup {
  return {
    label: r.region,
    region: r.region,
    zones: r.zones,
    servedZones: r.servedZones,
    negNames: { http: r.httpNegName, grpc: r.grpcNegName },
  };
}
