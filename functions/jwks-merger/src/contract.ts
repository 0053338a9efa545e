// What the infrastructure needs to know about the merger, with no runtime
// dependencies, so the cdktf library can import it cheaply.

/** Name the function is registered under (the deployment's entry point). */
export const ENTRY_POINT = "mergeJwks";
/** Event the function is triggered by, on the incoming bucket. */
export const TRIGGER_EVENT_TYPE = "google.cloud.storage.object.v1.finalized";
/** Environment variables the deployed function reads. */
export const ENV = { publishedBucket: "PUBLISHED_BUCKET", publishedObject: "PUBLISHED_OBJECT" } as const;
/** Object written when `PUBLISHED_OBJECT` is not set: the load balancer serves it at /auth/keys. */
export const DEFAULT_PUBLISHED_OBJECT = "auth/keys";
/** `event` values of the merger's structured logs (log-based metrics and alerts filter on them). */
export const LOG_EVENTS = {
  /** A merge finished: the published set is current (`written` says whether it changed). */
  succeeded: "jwks_merge_succeeded",
  /** A merge failed; the published set is untouched. `retried` says whether the platform will redeliver. */
  failed: "jwks_merge_failed",
  /** An event about an object that is not a region's key set (including the merger's own output). */
  ignored: "jwks_event_ignored",
  /** Another merge wrote first; merging again. */
  retried: "jwks_write_retried",
} as const;
/** Prefix of the objects regions write; the merger reacts to nothing else. */
export const INCOMING_PREFIX = "keys/";
/** Cache lifetime of the merged set at the CDN and in clients: it adds to the rotation gap, so it stays short. */
export const MERGED_CACHE_SECONDS = 5;
export const MERGED_CACHE_CONTROL = `public, max-age=${MERGED_CACHE_SECONDS}`;
export const MERGED_CONTENT_TYPE = "application/json";
