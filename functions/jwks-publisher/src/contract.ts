// What the infrastructure needs to know about the publisher (no runtime dependencies).

/** Environment variables the publisher reads. */
export const PUBLISHER_ENV = {
  /** Dex's key set URL, e.g. http://dex.dex-system.svc.cluster.local:5556/auth/keys (required). */
  dexKeysUrl: "DEX_KEYS_URL",
  /** The incoming bucket (required). */
  bucket: "BUCKET",
  /** This region's object, keys/<region>.json (required). */
  objectName: "OBJECT_NAME",
  pollIntervalMs: "POLL_INTERVAL_MS",
  refreshIntervalMs: "REFRESH_INTERVAL_MS",
  healthPort: "HEALTH_PORT",
} as const;
/** Port of the publisher's health endpoints. */
export const PUBLISHER_HEALTH_PORT = 8080;
export const DEFAULT_POLL_INTERVAL_MS = 2000;
export const DEFAULT_REFRESH_INTERVAL_MS = 600_000;
/**
 * Health endpoints, both 200 or 503:
 * - `/healthz` (readiness): a poll succeeded (Dex read, set valid, bucket in sync) within STALE_AFTER_POLLS intervals;
 * - `/livez` (liveness): the poll loop completed a tick, whatever its outcome, within that time. A Dex outage
 *   makes the publisher unready but does not restart it, since a restart cannot fix Dex.
 */
export const PUBLISHER_HEALTH_PATHS = { ready: "/healthz", live: "/livez" } as const;
export const STALE_AFTER_POLLS = 5;
/** `event` values of the publisher's structured logs. */
export const PUBLISHER_EVENTS = {
  /** The process started polling. */
  started: "jwks_publisher_started",
  /** The process stopped on SIGTERM or SIGINT. */
  stopped: "jwks_publisher_stopped",
  /** Uploaded a changed set (`changed: true`) or the periodic refresh. */
  uploaded: "jwks_uploaded",
  /** Reading Dex, validating its set or uploading failed (`stage`); retried on the next tick. */
  failed: "jwks_publish_failed",
} as const;
