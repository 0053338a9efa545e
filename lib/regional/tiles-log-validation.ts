// TilesLog's rules for its shard name and Spanner capacity; the configuration
// schema checks tiles.<kind>.shardName and processingUnits with them.

const SHARD_NAME = /^[a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?$/;

/** A shard name is part of every resource name of the shard. */
export function shardNameProblem(name: string): string | undefined {
  return SHARD_NAME.test(name) ? undefined : "must be 1 to 10 lowercase letters, digits or hyphens, not starting or ending with a hyphen";
}

/** Spanner sells 100 to 900 processing units in steps of 100, then whole nodes (1000 units). */
export function isValidProcessingUnits(units: number): boolean {
  return Number.isInteger(units) && ((units >= 100 && units <= 900 && units % 100 === 0) || (units >= 1000 && units % 1000 === 0));
}
