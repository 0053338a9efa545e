import type { Logger } from "../../shared/log";
import { ObjectStore, PreconditionFailedError } from "../../shared/object-store";
import { mergeJwks, serializeJwks } from "./merge";

import { INCOMING_PREFIX, LOG_EVENTS, MERGED_CACHE_SECONDS } from "./contract";

export { INCOMING_PREFIX, LOG_EVENTS, MERGED_CACHE_SECONDS };
export const MERGED_CACHE_CONTROL = `public, max-age=${MERGED_CACHE_SECONDS}`;
export const MERGED_CONTENT_TYPE = "application/json";

export interface MergerSettings {
  readonly publishedBucket: string;
  readonly publishedObject: string;
  /** Attempts when another merge wins the race to write. @default 5 */
  readonly maxAttempts?: number;
}

export interface MergerDeps {
  readonly store: ObjectStore;
  readonly log: Logger;
  /** Waits between attempts; injected so tests need not. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** The Cloud Storage object an event is about. */
export interface StorageObjectEvent {
  readonly bucket: string;
  readonly name: string;
}

export type MergeOutcome = "ignored" | "written" | "unchanged";

/**
 * Handles one `object.finalized` event of the incoming bucket: merges every
 * region's key set and writes the result with a generation precondition.
 * Throws (so the platform retries the event and the failure alert fires) when
 * no key is usable, never publishing an empty set, or when it keeps losing
 * the write race.
 */
export async function handleStorageEvent(event: StorageObjectEvent, settings: MergerSettings, deps: MergerDeps): Promise<MergeOutcome> {
  const { store, log } = deps;
  if (!event.name.startsWith(INCOMING_PREFIX) || !event.name.endsWith(".json")) {
    log({ severity: "INFO", message: `ignoring gs://${event.bucket}/${event.name}: not a key set under ${INCOMING_PREFIX}`, event: LOG_EVENTS.ignored });
    return "ignored";
  }
  const sleep = deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const random = deps.random ?? Math.random;
  const maxAttempts = settings.maxAttempts ?? 5;

  for (let attempt = 1; ; attempt++) {
    // Read the published generation first: if another merge writes after
    // this point, our write fails its precondition and we merge again.
    const current = await store.read(settings.publishedBucket, settings.publishedObject);
    const names = (await store.list(event.bucket, INCOMING_PREFIX)).filter((n) => n.endsWith(".json"));
    const inputs = [];
    for (const name of names) {
      const object = await store.read(event.bucket, name);
      if (object) inputs.push({ source: name, body: object.body });
    }
    const { jwks, rejected } = await mergeJwks(inputs);
    if (jwks.keys.length === 0) {
      log({
        severity: "ERROR",
        message: `no usable key in ${names.length} source(s); the published key set is left as it is`,
        event: LOG_EVENTS.failed,
        sources: names,
        rejected,
      });
      throw new Error(`no usable Dex key in ${names.length} source(s)`);
    }
    const bytes = serializeJwks(jwks);
    const kids = jwks.keys.map((k) => k.kid);
    if (current && Buffer.from(current.body).equals(Buffer.from(bytes))) {
      log({ severity: rejected.length ? "WARNING" : "INFO", message: "merged key set unchanged", event: LOG_EVENTS.succeeded, kids, rejected, written: false });
      return "unchanged";
    }
    try {
      await store.write(settings.publishedBucket, settings.publishedObject, bytes, {
        ifGenerationMatch: current?.generation ?? 0,
        contentType: MERGED_CONTENT_TYPE,
        cacheControl: MERGED_CACHE_CONTROL,
      });
      log({ severity: rejected.length ? "WARNING" : "INFO", message: `published ${kids.length} key(s)`, event: LOG_EVENTS.succeeded, kids, rejected, written: true });
      return "written";
    } catch (e) {
      if (!(e instanceof PreconditionFailedError) || attempt >= maxAttempts) {
        log({ severity: "ERROR", message: `writing the merged key set failed: ${(e as Error).message}`, event: LOG_EVENTS.failed, attempt });
        throw e;
      }
      log({ severity: "INFO", message: "another merge wrote first; merging again", event: LOG_EVENTS.retried, attempt });
      await sleep(Math.floor(50 * 2 ** attempt * (0.5 + random())));
    }
  }
}
