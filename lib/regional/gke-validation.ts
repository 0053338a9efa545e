// Checks of GkeCluster's settings, shared with the configuration schema
// (regional.network.masterCidr, regional.gke and their per-region overrides).

/** The control plane's private endpoint range is a /28, as GKE requires. */
export function masterCidrProblem(cidr: string): string | undefined {
  return cidr.endsWith("/28") ? undefined : `the GKE control plane range must be a /28, not "${cidr}"`;
}

/** The autoscaler's bounds per zone are in order. */
export function nodeCountProblem(minNodesPerZone: number, maxNodesPerZone: number): string | undefined {
  return minNodesPerZone > maxNodesPerZone ? `minNodesPerZone (${minNodesPerZone}) is above maxNodesPerZone (${maxNodesPerZone})` : undefined;
}
