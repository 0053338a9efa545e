// The instance's trust root: contract (types), validation, and assembly of
// trusted_root.json and signing_config.
export * from "./types";
export { KEY_DETAILS } from "./keys";
export type { KeyDetails } from "./keys";
export { isRfc3339, TrustMaterialError, validateTrustMaterial } from "./validate";
export type { TrustProblem } from "./validate";
export * from "./trusted-root";
export * from "./signing-config";
