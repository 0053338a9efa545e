import type { Logger } from "../../shared/log";
import { ObjectStore, PreconditionFailedError, StoredObject } from "../../shared/object-store";
import { INCOMING_PREFIX, LOG_EVENTS, MERGED_CACHE_CONTROL, MERGED_CACHE_SECONDS, MERGED_CONTENT_TYPE } from "./contract";
import { ImportCache, MAX_LOGGED_REJECTIONS, mergeImportableJwks, MergeInput, Rejection, serializeJwks } from "./merge";

/** Import outcomes kept for the life of the function instance (see ImportCache). */
const IMPORT_CACHE: ImportCache = new Map();

export { MAX_LOGGED_REJECTIONS };
export { INCOMING_PREFIX, LOG_EVENTS, MERGED_CACHE_CONTROL, MERGED_CACHE_SECONDS, MERGED_CONTENT_TYPE };

/** Attempts of one invocation when other merges keep winning the write race. */
export const DEFAULT_MAX_ATTEMPTS = 5;


export interface MergerSettings {
  readonly publishedBucket: string;
  readonly publishedObject: string;
  /** @default DEFAULT_MAX_ATTEMPTS */
  readonly maxAttempts?: number;
}

export interface MergerDeps {
  readonly store: ObjectStore;
  readonly log: Logger;
  /** Waits between attempts; injected so tests need not. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** The Cloud Storage object an event is about (the `data` of a storage CloudEvent). */
export interface StorageObjectEvent {
  readonly bucket: string;
  readonly name: string;
}

export type MergeOutcome = "ignored" | "written" | "unchanged";

/** Nothing usable to publish; carries what the log line reports. */
class NoUsableKeyError extends Error {
  constructor(
    readonly sources: readonly string[],
    readonly rejected: readonly Rejection[],
  ) {
    super(`no usable Dex key in ${sources.length} source(s); the published key set is left as it is`);
  }
}

/** Whether an object is a region's key set: `keys/<region>.json`. */
export function isRegionKeySet(name: string): boolean {
  return name.startsWith(INCOMING_PREFIX) && name.endsWith(".json");
}

/** Logs and returns true for an event about an object that is not a region's key set. */
function ignored(event: StorageObjectEvent, log: Logger): boolean {
  if (isRegionKeySet(event.name)) return false;
  const trigger = `gs://${event.bucket}/${event.name}`;
  log({ severity: "INFO", message: `ignoring ${trigger}: not a key set under ${INCOMING_PREFIX}`, event: LOG_EVENTS.ignored, trigger });
  return true;
}

/** Jittered exponential backoff: 50–150 ms, 100–300 ms, 200–600 ms, ... */
export function backoffMs(attempt: number, random: () => number): number {
  return Math.floor(100 * 2 ** (attempt - 1) * (0.5 + random()));
}

function upToDate(current: StoredObject | null, bytes: Uint8Array): boolean {
  if (!current || !Buffer.from(current.body).equals(Buffer.from(bytes))) return false;
  // Rewrite when the metadata is outdated too (say, a shorter max-age after an upgrade).
  const m = current.metadata;
  return m === undefined || (m.contentType === MERGED_CONTENT_TYPE && m.cacheControl === MERGED_CACHE_CONTROL);
}

/**
 * Handles one `object.finalized` event of the incoming bucket: merges every
 * region's key set and writes the result with a generation precondition.
 *
 * Ordering is what makes concurrent merges safe: the published object's
 * generation is read before the sources, and the write is conditional on it.
 * If another merge wrote in between, it read the sources later, and our
 * write fails (412); we then read everything again. So the last successful
 * write always reflects every upload that finished before it read.
 *
 * Throws, so the platform retries the event and the failure alert fires, when
 * no key is usable (never publishing an empty set), when storage fails, or
 * when it keeps losing the write race; the published object is then untouched.
 */
export async function handleStorageEvent(event: StorageObjectEvent, settings: MergerSettings, deps: MergerDeps): Promise<MergeOutcome> {
  const { log } = deps;
  const trigger = `gs://${event.bucket}/${event.name}`;
  if (ignored(event, log)) return "ignored";
  let attempt = 0;
  try {
    return await mergeAndPublish();
  } catch (e) {
    const details = e instanceof NoUsableKeyError ? { sources: e.sources, rejectedCount: e.rejected.length, rejected: e.rejected.slice(0, MAX_LOGGED_REJECTIONS) } : {};
    log({ severity: "ERROR", message: `merging the Dex key sets failed: ${(e as Error).message}`, event: LOG_EVENTS.failed, trigger, attempt, retried: true, ...details });
    throw e;
  }

  async function mergeAndPublish(): Promise<MergeOutcome> {
    const { store } = deps;
    const maxAttempts = settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    for (;;) {
      attempt++;
      const current = await store.read(settings.publishedBucket, settings.publishedObject);
      const sources = (await store.list(event.bucket, INCOMING_PREFIX)).filter(isRegionKeySet);
      const inputs: MergeInput[] = [];
      for (const name of sources) {
        const object = await store.read(event.bucket, name);
        if (object) inputs.push({ source: name, body: object.body }); // deleted since the listing: gone
      }
      const { jwks, rejected } = await mergeImportableJwks(inputs, IMPORT_CACHE);
      if (jwks.keys.length === 0) throw new NoUsableKeyError(sources, rejected);

      const bytes = serializeJwks(jwks);
      const summary = {
        event: LOG_EVENTS.succeeded,
        trigger,
        attempt,
        keyCount: jwks.keys.length,
        kids: jwks.keys.map((k) => k.kid),
        sources,
        rejectedCount: rejected.length,
        rejected: rejected.slice(0, MAX_LOGGED_REJECTIONS),
      };
      // A rejected input is worth a look, but the other regions' keys are served.
      const severity = rejected.length > 0 ? "WARNING" : "INFO";
      if (upToDate(current, bytes)) {
        log({ severity, message: `merged key set unchanged (${jwks.keys.length} key(s))`, ...summary, written: false, generation: current!.generation });
        return "unchanged";
      }
      try {
        const generation = await store.write(settings.publishedBucket, settings.publishedObject, bytes, {
          ifGenerationMatch: current?.generation ?? 0,
          contentType: MERGED_CONTENT_TYPE,
          cacheControl: MERGED_CACHE_CONTROL,
        });
        log({ severity, message: `published ${jwks.keys.length} key(s)`, ...summary, written: true, generation });
        return "written";
      } catch (e) {
        if (!(e instanceof PreconditionFailedError) || attempt >= maxAttempts) throw e;
        log({ severity: "INFO", message: "another merge wrote first; merging again", event: LOG_EVENTS.retried, trigger, attempt });
        await (deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))))(backoffMs(attempt, deps.random ?? Math.random));
      }
    }
  }
}

export interface CloudEventHandlerDeps {
  /** Built on first use and kept, so loading the module needs no credentials. */
  readonly store: () => ObjectStore;
  readonly settings: () => MergerSettings;
  readonly log: Logger;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** The minimal CloudEvent shape the function reads (the Functions Framework passes a full CloudEvent). */
export interface StorageCloudEvent {
  readonly id: string;
  readonly type?: string;
  readonly data?: Partial<StorageObjectEvent>;
}

/**
 * The CloudEvent function, with its dependencies injected. An event without
 * a bucket and object name is logged as a failure and acknowledged: no retry
 * could ever make it valid.
 */
export function createMergeJwksHandler(deps: CloudEventHandlerDeps): (event: StorageCloudEvent) => Promise<void> {
  let store: ObjectStore | undefined;
  return async (event) => {
    const { bucket, name } = event.data ?? {};
    if (typeof bucket !== "string" || !bucket || typeof name !== "string" || !name) {
      deps.log({ severity: "ERROR", message: `event ${event.id} (${event.type}) carries no bucket and object name; not retried`, event: LOG_EVENTS.failed, retried: false });
      return;
    }
    if (ignored({ bucket, name }, deps.log)) return; // before the settings: no configuration needed to ignore
    let settings: MergerSettings;
    try {
      settings = deps.settings();
      store ??= deps.store();
    } catch (e) {
      deps.log({ severity: "ERROR", message: `the merger is misconfigured: ${(e as Error).message}`, event: LOG_EVENTS.failed, retried: true });
      throw e;
    }
    await handleStorageEvent({ bucket, name }, settings, { store, log: deps.log, sleep: deps.sleep, random: deps.random });
  };
}
