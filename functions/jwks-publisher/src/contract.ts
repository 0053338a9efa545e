// What the infrastructure needs to know about the publisher (no runtime dependencies).

/** Environment variables the publisher reads. */
export const PUBLISHER_ENV = {
  dexKeysUrl: "DEX_KEYS_URL",
  bucket: "BUCKET",
  objectName: "OBJECT_NAME",
  pollIntervalMs: "POLL_INTERVAL_MS",
  refreshIntervalMs: "REFRESH_INTERVAL_MS",
  healthPort: "HEALTH_PORT",
} as const;
/** Port of the publisher's /healthz. */
export const PUBLISHER_HEALTH_PORT = 8080;
