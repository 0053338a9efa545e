import type { SigstoreConfig } from "../config/schema";
import { fqdnOf } from "./names";
import { enabledServiceIds, placementRegionOf, primaryRegionOf } from "./placement";
import { PUBLIC_SERVICES, PublicServiceId } from "./services";

export { primaryRegionOf } from "./placement";

/** The stack that owns an A record. */
export type RecordOwner = { readonly stack: "global" } | { readonly stack: "regional"; readonly region: string };

/** Everything a stack needs to know about one service's A record. */
export interface ARecordPlan {
  readonly service: PublicServiceId;
  /** Fully qualified, with the trailing dot. */
  readonly fqdn: string;
  readonly ttl: number;
  readonly owner: RecordOwner;
  /** The owner adopts an existing record with an `import` block. */
  readonly adopt: boolean;
  /** With a global owner: share of answers sent to the global load balancer, the rest to the primary region. */
  readonly globalWeight?: number;
}

/**
 * Decides, from the one configuration, which stack declares each service's A
 * record. Exactly one owner per record is true by construction: the owner is a
 * single value, and every other stack releases the record. In the "regional"
 * phase the owner is the region that serves the host: the primary region, or
 * the one region of a single-region service (Rekor v1). Services the
 * deployment does not run have no record.
 */
export function planARecords(config: SigstoreConfig): ARecordPlan[] {
  return enabledServiceIds(config).map((service) => {
    const { dns, subdomain } = config.services[service];
    const global = dns.owner === "global";
    const region = placementRegionOf(config, service) ?? primaryRegionOf(config);
    return {
      service,
      fqdn: fqdnOf(subdomain, config.dns.domain),
      ttl: dns.ttl,
      owner: global ? { stack: "global" } : { stack: "regional", region },
      // Moving to global is a migration of a live record; a regional owner is
      // usually a new deployment, and going back must be asked for explicitly.
      // A bucket service never had a regional record to adopt.
      adopt: dns.adoptExisting ?? (global && PUBLIC_SERVICES[service].backend === "neg"),
      globalWeight: dns.globalWeight,
    };
  });
}

export function isOwner(plan: ARecordPlan, stack: RecordOwner): boolean {
  if (plan.owner.stack === "global") return stack.stack === "global";
  return stack.stack === "regional" && stack.region === plan.owner.region;
}
