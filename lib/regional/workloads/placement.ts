import type { SigstoreConfig } from "../../config/schema";

/**
 * Whether the region runs Rekor v1 (and so its Trillian tree for Rekor). The
 * one place placement of Rekor v1 is read: today every region with
 * features.rekor; when Rekor v1 moves to one region, only this changes.
 */
export function hostsRekorV1(config: SigstoreConfig, region: string): boolean {
  void region;
  return config.features.rekor;
}

/** Whether the region runs the (Trillian) CT log Fulcio submits to. */
export function hostsCtLog(config: SigstoreConfig, region: string): boolean {
  void region;
  return config.features.ctlog;
}

/** Whether the region runs Trillian: it does when a Trillian-based log runs there. */
export function hostsTrillian(config: SigstoreConfig, region: string): boolean {
  return hostsRekorV1(config, region) || hostsCtLog(config, region);
}
