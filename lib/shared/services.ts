/**
 * The ONE registry of the Sigstore services that are reachable from the
 * internet, and the facts about them that do not vary by deployment.
 *
 * Everything public is derived from this table: the configuration schema
 * (`services.<id>`), the standalone NEG names, the global front ends, the A
 * records (`planARecords`), the uptime checks (regional and global) and the
 * regional endpoints. Adding a service is adding one entry here (and, for a
 * `bucket` service, the bucket the global stack serves it from).
 */
export const PUBLIC_SERVICE_IDS = ["fulcio", "tsa", "dex", "rekor", "tuf"] as const;
export type PublicServiceId = (typeof PUBLIC_SERVICE_IDS)[number];

/**
 * Which regions serve a service:
 * - `every-region`: each region runs it and the load balancer spreads over all of them;
 * - `one-region`: exactly one region runs it (`services.<id>.region`, default the
 *   primary region), because it has a single writer (Rekor v1's log);
 * - `global`: no region runs it; the global stack serves it from a bucket.
 */
export type ServicePlacement = "every-region" | "one-region" | "global";

/** What a global front end routes to: standalone NEGs of GKE Services, or a Cloud Storage bucket through Cloud CDN. */
export type ServiceBackendKind = "neg" | "bucket";

/** Feature switches (`features.<flag>`) that can turn a public service off. */
export type ServiceFeatureFlag = "rekor" | "tuf";

export interface PublicServiceSpec {
  readonly id: PublicServiceId;
  /** Human name, for descriptions. */
  readonly title: string;
  /** Host label used when the configuration does not set one (matches sigstore.dev). */
  readonly defaultSubdomain: string;
  /**
   * Path the health check requests on the serving port (NEG backends), and
   * the path uptime checks request through the public host.
   */
  readonly healthCheckPath: string;
  /**
   * gRPC service paths routed to a separate HTTP/2 backend, or none. The
   * gRPC NEG and its backend exist only for services that list paths here.
   */
  readonly grpcServicePaths: readonly string[];
  /**
   * Kubernetes Service ports of the chart that the standalone NEGs are
   * exposed on (`cloud.google.com/neg: {"exposed_ports": {"<port>": …}}`).
   * Only for `neg` services.
   */
  readonly ports?: { readonly http: number; readonly grpc?: number };
  /** The feature switch that enables the service. @default none: always on */
  readonly feature?: ServiceFeatureFlag;
  readonly placement: ServicePlacement;
  readonly backend: ServiceBackendKind;
}

export const PUBLIC_SERVICES: { readonly [K in PublicServiceId]: PublicServiceSpec } = {
  fulcio: {
    id: "fulcio",
    title: "Fulcio",
    defaultSubdomain: "fulcio",
    healthCheckPath: "/healthz",
    grpcServicePaths: ["/dev.sigstore.fulcio.v2.CA"],
    ports: { http: 80, grpc: 5554 },
    placement: "every-region",
    backend: "neg",
  },
  tsa: {
    id: "tsa",
    title: "Timestamp Authority",
    defaultSubdomain: "timestamp",
    healthCheckPath: "/ping",
    grpcServicePaths: [],
    ports: { http: 80 },
    placement: "every-region",
    backend: "neg",
  },
  dex: {
    id: "dex",
    title: "Dex",
    defaultSubdomain: "oauth2",
    // Dex serves its health endpoint under the issuer path (issuer https://<host>/auth).
    healthCheckPath: "/auth/healthz",
    grpcServicePaths: [],
    ports: { http: 5556 },
    placement: "every-region",
    backend: "neg",
  },
  rekor: {
    id: "rekor",
    title: "Rekor",
    defaultSubdomain: "rekor",
    // The chart's probes use /ping; /api/v1/log would query Trillian on every probe.
    healthCheckPath: "/ping",
    grpcServicePaths: [],
    ports: { http: 80 },
    feature: "rekor",
    // One Trillian tree is one log: two regions writing would fork it.
    placement: "one-region",
    backend: "neg",
  },
  tuf: {
    id: "tuf",
    title: "TUF repository",
    defaultSubdomain: "tuf",
    // Always present in a published repository, and the file clients refresh most.
    healthCheckPath: "/timestamp.json",
    grpcServicePaths: [],
    feature: "tuf",
    placement: "global",
    backend: "bucket",
  },
};

/** Whether the service has a gRPC NEG and backend next to its HTTP one. */
export function hasGrpc(id: PublicServiceId): boolean {
  return PUBLIC_SERVICES[id].grpcServicePaths.length > 0;
}

/** Services whose backends are standalone NEGs in regional clusters. */
export function negServiceIds(): PublicServiceId[] {
  return PUBLIC_SERVICE_IDS.filter((id) => PUBLIC_SERVICES[id].backend === "neg");
}
