/**
 * The Sigstore services that are reachable from the internet through a global
 * load balancer, and the facts about them that do not vary by deployment.
 */
export const PUBLIC_SERVICE_IDS = ["fulcio", "tsa", "dex"] as const;
export type PublicServiceId = (typeof PUBLIC_SERVICE_IDS)[number];

export interface PublicServiceSpec {
  readonly id: PublicServiceId;
  /** Human name, for descriptions. */
  readonly title: string;
  /** Host label used when the configuration does not set one (matches sigstore.dev). */
  readonly defaultSubdomain: string;
  /** Path the HTTP health check requests on the serving port. */
  readonly healthCheckPath: string;
  /**
   * gRPC service paths routed to a separate HTTP/2 backend, or none. The
   * gRPC NEG and its backend exist only for services that list paths here.
   */
  readonly grpcServicePaths: readonly string[];
}

export const PUBLIC_SERVICES: { readonly [K in PublicServiceId]: PublicServiceSpec } = {
  fulcio: {
    id: "fulcio",
    title: "Fulcio",
    defaultSubdomain: "fulcio",
    healthCheckPath: "/healthz",
    grpcServicePaths: ["/dev.sigstore.fulcio.v2.CA"],
  },
  tsa: {
    id: "tsa",
    title: "Timestamp Authority",
    defaultSubdomain: "timestamp",
    healthCheckPath: "/ping",
    grpcServicePaths: [],
  },
  dex: {
    id: "dex",
    title: "Dex",
    defaultSubdomain: "oauth2",
    // Dex serves its health endpoint under the issuer path (issuer https://<host>/auth).
    healthCheckPath: "/auth/healthz",
    grpcServicePaths: [],
  },
};

/** Whether the service has a gRPC NEG and backend next to its HTTP one. */
export function hasGrpc(id: PublicServiceId): boolean {
  return PUBLIC_SERVICES[id].grpcServicePaths.length > 0;
}
