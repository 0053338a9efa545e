import type { Construct } from "constructs";
import type { SigstoreConfig } from "./config/schema";
import { GlobalStack } from "./global/global-stack";
import { RegionalStack } from "./regional/regional-stack";

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
  const regions = config.regions.map((region) => new RegionalStack(app, { config, region }));
  const global = new GlobalStack(app, { config, regions });
  return { regions, global };
}
