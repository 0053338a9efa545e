import type { SigstoreConfig } from "../config/schema";
import { primaryRegionOf } from "./dns-ownership";
import { hostOf, regionCode } from "./names";

// Where each transparency log runs and where the world reaches it. One place
// decides, so the regional stacks (which create the logs), the global stack
// (which serves them and lists them in the trusted root) and the docs agree.

export type TilesKind = "rekor" | "ctlog";

/** Regions that run a Trillian CT log: one for `shared`, every region for `perRegion`, none when the feature is off. */
export function ctLogRegions(config: SigstoreConfig): string[] {
  if (!config.features.ctlog) return [];
  if (config.ctlog.placement === "perRegion") return config.regions.map((r) => r.region);
  return [config.ctlog.region ?? primaryRegionOf(config)];
}

/**
 * The CT log's prefix in ct_server's config and in its URL: the region
 * whose key signs it. A region runs at most one Trillian CT log, and a log
 * never moves, so the prefix names the log for its whole life.
 */
export function ctLogPrefix(region: string): string {
  return region;
}

/**
 * The CT log a region's Fulcio submits to: its own with `perRegion`, the
 * shared one otherwise; undefined when the deployment runs no CT log.
 */
export function ctLogRegionFor(config: SigstoreConfig, region: string): string | undefined {
  const regions = ctLogRegions(config);
  return regions.includes(region) ? region : regions[0];
}

/** Public host of every CT log (`ctfe.<domain>`). */
export function ctLogHost(config: SigstoreConfig): string {
  return hostOf(config.ctlog.subdomain, config.dns.domain);
}

/** Base URL of a region's CT log, as monitors and the trusted root name it. */
export function ctLogUrl(config: SigstoreConfig, region: string): string {
  return `https://${ctLogHost(config)}/${ctLogPrefix(region)}`;
}

/** Regions that run a shard of a tiles log (one sequencer each), in configuration order. */
export function tilesShardRegions(config: SigstoreConfig, kind: TilesKind): string[] {
  if (!config.features[kind === "rekor" ? "rekorTiles" : "ctlogTiles"]) return [];
  const log = config.tiles[kind];
  return log.regions ?? [log.region ?? primaryRegionOf(config)];
}

/**
 * Host label of a region's shard: the log's subdomain when it has one shard;
 * with several, `<subdomain>-<region code>` per shard, and the subdomain is the
 * write host in front of all of them (`tilesWriteLabel`).
 */
export function tilesShardLabel(config: SigstoreConfig, kind: TilesKind, region: string): string {
  const log = config.tiles[kind];
  return tilesShardRegions(config, kind).length > 1 ? `${log.subdomain}-${regionCode(region)}` : log.subdomain;
}

/** Host label that takes a tiles log's writes (and routes them to a healthy shard when there are several). */
export function tilesWriteLabel(config: SigstoreConfig, kind: TilesKind): string {
  return config.tiles[kind].subdomain;
}

/** Base URL of a region's shard. */
export function tilesShardUrl(config: SigstoreConfig, kind: TilesKind, region: string): string {
  return `https://${hostOf(tilesShardLabel(config, kind, region), config.dns.domain)}`;
}
