export * from "./app";
export * from "./config/load";
export * from "./config/schema";
export * from "./global/bucket-frontend";
export * from "./global/cloud-armor-policy";
export * from "./global/global-frontend";
export * from "./global/global-stack";
export * from "./global/https-redirect";
export * from "./global/managed-certificate";
export * from "./global/tuf-repository";
export * from "./regional/regional-stack";
export * from "./regional/retired-state";
export * from "./regional/service-endpoint";
export * from "./shared/dns-ownership";
export * from "./shared/names";
export {
  enabledServiceIds,
  frozenRekorLogs,
  isExposedGlobally,
  isServiceEnabled,
  placementRegionOf,
  regionsServing,
  rekorRegionOf,
  servesInRegion,
} from "./shared/placement";
export * from "./shared/state-blocks";
export * from "./shared/service-a-record";
export * from "./shared/services";
export * from "./shared/sigstore-stack";
