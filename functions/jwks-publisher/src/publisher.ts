import { mergeJwks, serializeJwks } from "../../jwks-merger/src/merge";
import type { Logger } from "../../shared/log";
import type { ObjectStore } from "../../shared/object-store";

/** `event` values of the publisher's structured logs. */
export const PUBLISHER_EVENTS = {
  uploaded: "jwks_uploaded",
  unchanged: "jwks_unchanged",
  failed: "jwks_publish_failed",
} as const;

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
 * as the set changes; the merger then runs on the upload event. A set that
 * does not validate is never uploaded (the previous one stays).
 */
export class JwksPublisher {
  private lastUploaded?: string;
  private lastUploadAt = -Infinity;
  /** Time of the last poll that read a valid key set. */
  lastHealthyAt = -Infinity;

  constructor(
    private readonly settings: PublisherSettings,
    private readonly deps: PublisherDeps,
  ) {}

  async tick(): Promise<TickOutcome> {
    const { log } = this.deps;
    let body: string;
    try {
      body = await this.deps.fetchKeys();
    } catch (e) {
      log({ severity: "WARNING", message: `reading Dex's keys failed: ${(e as Error).message}`, event: PUBLISHER_EVENTS.failed });
      return "failed";
    }
    // The same checks the merger applies: never ship what it would reject.
    const { jwks, rejected } = await mergeJwks([{ source: "dex", body }]);
    if (jwks.keys.length === 0) {
      log({ severity: "ERROR", message: "Dex returned no usable key; nothing uploaded", event: PUBLISHER_EVENTS.failed, rejected });
      return "failed";
    }
    this.lastHealthyAt = this.deps.now();
    const canonical = Buffer.from(serializeJwks(jwks)).toString("utf8");
    const due = this.deps.now() - this.lastUploadAt >= this.settings.refreshIntervalMs;
    if (canonical === this.lastUploaded && !due) return "unchanged";
    try {
      await this.deps.store.write(this.settings.bucket, this.settings.objectName, new TextEncoder().encode(canonical), {
        contentType: "application/json",
        cacheControl: "no-store",
      });
    } catch (e) {
      log({ severity: "ERROR", message: `uploading the key set failed: ${(e as Error).message}`, event: PUBLISHER_EVENTS.failed });
      return "failed";
    }
    const changed = canonical !== this.lastUploaded;
    this.lastUploaded = canonical;
    this.lastUploadAt = this.deps.now();
    log({
      severity: "INFO",
      message: changed ? "uploaded a changed key set" : "refreshed the key set",
      event: PUBLISHER_EVENTS.uploaded,
      kids: jwks.keys.map((k) => k.kid),
      rejected,
    });
    return "uploaded";
  }
}
