import { Construct } from "constructs";
import type { ComputeBackendService } from "@cdktf/provider-google/lib/compute-backend-service";
import type { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import { ComputeUrlMap, ComputeUrlMapPathMatcherPathRule } from "@cdktf/provider-google/lib/compute-url-map";
import type { CloudArmorConfig, LoggingConfig } from "../config/schema";
import type { RegionalServiceExport } from "../regional/service-endpoint";
import type { ResourceNames } from "../shared/names";
import { hasGrpc, PublicServiceSpec } from "../shared/services";
import { CloudArmorPolicy } from "./cloud-armor-policy";
import { addHttpsEntry } from "./https-entry";
import type { ManagedCertificate } from "./managed-certificate";
import { addNegBackendService, BackendTuning, NegProtocol } from "./neg-backends";

export type { BackendTuning } from "./neg-backends";

/** A path rule ahead of the service's own routing, e.g. Dex's `/auth/keys` to a bucket. */
export interface ExtraRoute {
  readonly paths: readonly string[];
  /** Backend service or backend bucket id. */
  readonly service: string;
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

    this.securityPolicy = new CloudArmorPolicy(this, "cloud-armor", {
      name: names.of(part, "armor"),
      description: `Cloud Armor policy of ${service.title}`,
      config: props.cloudArmor,
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

    ({ address: this.address, certificate: this.certificate } = addHttpsEntry(this, {
      project: props.project,
      names,
      namePart: part,
      host: props.host,
      managedZone: props.managedZone,
      urlMap: this.urlMap.id,
      title: service.title,
    }));
  }

  private backendService(props: GlobalFrontendProps, protocol: NegProtocol): ComputeBackendService {
    const { service } = props;
    return addNegBackendService(this, {
      project: props.project,
      names: props.names,
      namePart: service.id,
      title: service.title,
      subject: service.id,
      protocol,
      healthCheckPath: service.healthCheckPath,
      groups: props.regions.map((r) => ({
        label: r.region,
        region: r.region,
        zones: r.zones,
        servedZones: r.servedZones,
        negNames: { http: r.httpNegName, grpc: r.grpcNegName },
      })),
      maxRatePerEndpoint: props.maxRatePerEndpoint,
      securityPolicy: this.securityPolicy.selfLink,
      logging: props.logging,
      tuning: protocol === "http" ? props.httpBackend : undefined,
    });
  }

  /** The load balancer's IP address. */
  get ipAddress(): string {
    return this.address.address;
  }
}
