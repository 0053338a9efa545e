export * from "./types";
export * from "./keys";
export * from "./validate";
export * from "./trusted-root";
export * from "./signing-config";
