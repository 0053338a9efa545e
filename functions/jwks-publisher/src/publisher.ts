import { ImportCache, MAX_LOGGED_REJECTIONS, mergeImportableJwks, serializeJwks } from "../../jwks-merger/src/merge";
import type { Logger } from "../../shared/log";
import type { ObjectStore } from "../../shared/object-store";
import { PUBLISHER_EVENTS } from "./contract";

export { PUBLISHER_EVENTS };

export interface PublisherSettings {
  readonly bucket: string;
  /** This region's object, `keys/<region>.json`. */
  readonly objectName: string;
  /** Upload even an unchanged set this often, so a lost object heals and merges keep happening. */
  readonly refreshIntervalMs: number;
}

export interface PublisherDeps {
  /** Reads Dex's key set (its /keys endpoint). */
  readonly fetchKeys: () => Promise<string>;
  readonly store: ObjectStore;
  readonly now: () => number;
  readonly log: Logger;
}

export type TickOutcome = "uploaded" | "unchanged" | "failed";

/**
 * Publishes this region's Dex key set. Dex signs with a new key the moment it
 * rotates, so the publisher polls Dex every few seconds and uploads as soon
 * as the canonical set changes; the merger then runs on the upload event. A
 * set that does not pass the merger's own validation is never uploaded (the
 * previous one stays); a failed read or upload is retried on the next tick.
 */
export class JwksPublisher {
  /** Dex serves the same keys poll after poll: import each once. */
  private readonly importCache: ImportCache = new Map();
  private lastUploaded?: string;
  private lastUploadAt = -Infinity;
  private lastSuccess = -Infinity;

  constructor(
    private readonly settings: PublisherSettings,
    private readonly deps: PublisherDeps,
  ) {}

  /** Time of the last tick that left the bucket in sync with a valid key set from Dex. */
  get lastSuccessAt(): number {
    return this.lastSuccess;
  }

  async tick(): Promise<TickOutcome> {
    const { log, now } = this.deps;
    let body: string;
    try {
      body = await this.deps.fetchKeys();
    } catch (e) {
      log({ severity: "WARNING", message: `reading Dex's keys failed: ${(e as Error).message}`, event: PUBLISHER_EVENTS.failed, stage: "fetch" });
      return "failed";
    }
    // The merger's own checks: never ship what it would reject.
    const { jwks, rejected } = await mergeImportableJwks([{ source: this.settings.objectName, body }], this.importCache);
    if (jwks.keys.length === 0) {
      log({ severity: "ERROR", message: "Dex returned no usable key; nothing uploaded", event: PUBLISHER_EVENTS.failed, stage: "validate", rejectedCount: rejected.length, rejected: rejected.slice(0, MAX_LOGGED_REJECTIONS) });
      return "failed";
    }
    const canonical = new TextDecoder().decode(serializeJwks(jwks));
    const changed = canonical !== this.lastUploaded;
    if (!changed && now() - this.lastUploadAt < this.settings.refreshIntervalMs) {
      this.lastSuccess = now();
      return "unchanged";
    }
    try {
      // Unconditional: this region's object is written by this region's publishers only.
      await this.deps.store.write(this.settings.bucket, this.settings.objectName, new TextEncoder().encode(canonical), {
        contentType: "application/json",
        cacheControl: "no-store",
      });
    } catch (e) {
      log({ severity: "ERROR", message: `uploading the key set failed: ${(e as Error).message}`, event: PUBLISHER_EVENTS.failed, stage: "upload" });
      return "failed";
    }
    this.lastUploaded = canonical;
    this.lastUploadAt = this.lastSuccess = now();
    log({
      severity: rejected.length > 0 ? "WARNING" : "INFO",
      message: changed ? "uploaded a changed key set" : "refreshed the key set",
      event: PUBLISHER_EVENTS.uploaded,
      changed,
      keyCount: jwks.keys.length,
      kids: jwks.keys.map((k) => k.kid),
      rejectedCount: rejected.length,
      rejected: rejected.slice(0, MAX_LOGGED_REJECTIONS),
    });
    return "uploaded";
  }
}
