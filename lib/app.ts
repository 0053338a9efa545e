import type { Construct } from "constructs";
import type { SigstoreConfig } from "./config/schema";
import { GlobalStack } from "./global/global-stack";
import { RegionalStack } from "./regional/regional-stack";
import { primaryRegionOf } from "./shared/dns-ownership";

export interface SigstoreDeployment {
  readonly regions: readonly RegionalStack[];
  readonly global: GlobalStack;
}

/**
 * Adds a whole deployment to a cdktf app: one regional stack per configured
 * region, then the global stack, which reads the regional stacks' NEG names
 * and addresses through cross-stack references (and so depends on them).
 */
export function addSigstoreDeployment(app: Construct, config: SigstoreConfig): SigstoreDeployment {
  // The primary region first: the others depend on it for project-wide setup.
  const primaryName = primaryRegionOf(config);
  const primary = new RegionalStack(app, { config, region: config.regions.find((r) => r.region === primaryName)! });
  const regions = config.regions.map((region) => (region.region === primaryName ? primary : new RegionalStack(app, { config, region, primary })));
  const global = new GlobalStack(app, { config, regions });
  return { regions, global };
}
