// The instance's trust root: contract (types), validation, and assembly of
// trusted_root.json and signing_config.
export * from "./types";
export { KEY_DETAILS, KeyDetails } from "./keys";
export { isRfc3339, TrustMaterialError, TrustProblem, validateTrustMaterial } from "./validate";
export * from "./trusted-root";
export * from "./signing-config";
