import type { SigstoreConfig } from "../config/schema";
import { fqdnOf } from "./names";
import { PUBLIC_SERVICE_IDS, PublicServiceId } from "./services";

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

export function primaryRegionOf(config: SigstoreConfig): string {
  return config.primaryRegion ?? config.regions[0].region;
}

/**
 * Decides, from the one configuration, which stack declares each service's A
 * record. Exactly one owner per record is true by construction: the owner is a
 * single value, and every other stack releases the record.
 */
export function planARecords(config: SigstoreConfig): ARecordPlan[] {
  const primary = primaryRegionOf(config);
  return PUBLIC_SERVICE_IDS.map((service) => {
    const { dns, subdomain } = config.services[service];
    const global = dns.owner === "global";
    return {
      service,
      fqdn: fqdnOf(subdomain, config.dns.domain),
      ttl: dns.ttl,
      owner: global ? { stack: "global" } : { stack: "regional", region: primary },
      // Moving to global is a migration of a live record; a regional owner is
      // usually a new deployment, and going back must be asked for explicitly.
      adopt: dns.adoptExisting ?? global,
      globalWeight: dns.globalWeight,
    };
  });
}

export function isOwner(plan: ARecordPlan, stack: RecordOwner): boolean {
  if (plan.owner.stack === "global") return stack.stack === "global";
  return stack.stack === "regional" && stack.region === plan.owner.region;
}
