import type { ResourceNames } from "../shared/names";

/** What every regional construct knows about where it is deployed. */
export interface RegionalContext {
  /** Project id. */
  readonly project: string;
  /** Numeric project number (service agents are named after it). */
  readonly projectNumber: string;
  readonly region: string;
  /** Zones of the region that carry nodes. */
  readonly zones: readonly string[];
  /** Names derived from the deployment's prefix (and project, for buckets). */
  readonly names: ResourceNames;
  /** Whether this region is the primary one, which holds project-wide singletons. */
  readonly primary: boolean;
}
