import type { SigstoreConfig } from "../config/schema";
import type { LogMaterial } from "../trust/types";
import { PUBLIC_SERVICE_IDS, PUBLIC_SERVICES, PublicServiceId } from "./services";

// Where each public service runs, from the one configuration and the registry
// (lib/shared/services.ts). Every stack asks these functions, so the regional
// stacks, the global stack and the A records cannot disagree.

/** The region whose stack enables project-wide APIs and owns A records in the "regional" phase. */
export function primaryRegionOf(config: SigstoreConfig): string {
  return config.primaryRegion ?? config.regions[0].region;
}

/** Whether the deployment runs the service at all (its feature switch, if it has one). */
export function isServiceEnabled(config: SigstoreConfig, id: PublicServiceId): boolean {
  const flag = PUBLIC_SERVICES[id].feature;
  return flag === undefined || config.features[flag];
}

/** Public services the deployment runs, in registry order. */
export function enabledServiceIds(config: SigstoreConfig): PublicServiceId[] {
  return PUBLIC_SERVICE_IDS.filter((id) => isServiceEnabled(config, id));
}

/**
 * The one region of a `one-region` service (configured, or the primary
 * region); undefined for services that run everywhere or nowhere.
 */
export function placementRegionOf(config: SigstoreConfig, id: PublicServiceId): string | undefined {
  if (PUBLIC_SERVICES[id].placement !== "one-region") return undefined;
  return config.services[id].region ?? primaryRegionOf(config);
}

/**
 * The region that runs Rekor v1 and holds its only log (tree, signing key,
 * search index, attestation bucket, new-entry topic). Defined even when
 * Rekor is switched off, so that callers can say where it would run.
 */
export function rekorRegionOf(config: SigstoreConfig): string {
  return placementRegionOf(config, "rekor")!;
}

/** Regions whose stacks run the service's workload and publish its NEGs (none for a bucket service). */
export function regionsServing(config: SigstoreConfig, id: PublicServiceId): string[] {
  if (!isServiceEnabled(config, id)) return [];
  switch (PUBLIC_SERVICES[id].placement) {
    case "every-region":
      return config.regions.map((r) => r.region);
    case "one-region":
      return [placementRegionOf(config, id)!];
    case "global":
      return [];
  }
}

/** Whether the regional stack of `region` runs the service. */
export function servesInRegion(config: SigstoreConfig, id: PublicServiceId, region: string): boolean {
  return regionsServing(config, id).includes(region);
}

/** Whether the global stack fronts the service with a load balancer host. */
export function isExposedGlobally(config: SigstoreConfig, id: PublicServiceId): boolean {
  if (!isServiceEnabled(config, id)) return false;
  // A bucket service exists only behind the global load balancer.
  return PUBLIC_SERVICES[id].backend === "bucket" || config.services[id].exposeGlobally;
}

/**
 * The frozen Rekor v1 logs of other regions (`services.rekor.frozenLogs`), as
 * trust material: each stays in the trusted root, with its end of validity,
 * next to the live log, until the operator removes it.
 */
export function frozenRekorLogs(config: SigstoreConfig): LogMaterial[] {
  return (config.services.rekor.frozenLogs ?? []).map((log) => ({
    baseUrl: log.baseUrl,
    region: log.region,
    publicKeyPem: log.publicKeyPem,
    validFor: { start: log.validFrom, end: log.validUntil },
  }));
}
