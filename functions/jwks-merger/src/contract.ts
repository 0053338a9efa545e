// What the infrastructure needs to know about the merger, with no runtime
// dependencies, so the cdktf library can import it cheaply.

/** Name the function is registered under (the deployment's entry point). */
export const ENTRY_POINT = "mergeJwks";
/** Environment variables the deployed function reads. */
export const ENV = { publishedBucket: "PUBLISHED_BUCKET", publishedObject: "PUBLISHED_OBJECT" } as const;
/** `event` values of the merger's structured logs (log-based metrics and alerts filter on them). */
export const LOG_EVENTS = {
  succeeded: "jwks_merge_succeeded",
  failed: "jwks_merge_failed",
  ignored: "jwks_event_ignored",
  retried: "jwks_write_retried",
} as const;
/** Prefix of the objects regions write; the merger reacts to nothing else. */
export const INCOMING_PREFIX = "keys/";
/** Cache lifetime of the merged set at the CDN and in clients: it adds to the rotation gap, so it stays short. */
export const MERGED_CACHE_SECONDS = 5;
