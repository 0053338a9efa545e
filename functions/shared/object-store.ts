/** A stored object's bytes with the generation they belong to. */
export interface StoredObject {
  readonly body: Uint8Array;
  readonly generation: number;
}

export interface WriteOptions {
  /** Write only if the object's current generation is this one; 0 means "must not exist". Omit to overwrite unconditionally. */
  readonly ifGenerationMatch?: number;
  readonly contentType: string;
  readonly cacheControl?: string;
}

/** The few storage operations the merger and the publisher need. */
export interface ObjectStore {
  /** The object, or null when it does not exist. */
  read(bucket: string, name: string): Promise<StoredObject | null>;
  /** Names of the objects under a prefix, sorted. */
  list(bucket: string, prefix: string): Promise<string[]>;
  /** Writes the object and returns its new generation. @throws PreconditionFailedError */
  write(bucket: string, name: string, body: Uint8Array, options: WriteOptions): Promise<number>;
}

/** The object changed since it was read (HTTP 412): re-read and try again. */
export class PreconditionFailedError extends Error {
  constructor(readonly bucket: string, readonly objectName: string) {
    super(`gs://${bucket}/${objectName} changed since it was read (generation precondition failed)`);
    this.name = "PreconditionFailedError";
  }
}

interface MemoryObject {
  body: Uint8Array;
  generation: number;
  contentType: string;
  cacheControl?: string;
}

/**
 * An in-memory store with Cloud Storage's generation semantics, for tests and
 * simulations. `beforeWrite` lets a test interleave another writer.
 */
export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, MemoryObject>();
  private nextGeneration = 1;
  beforeWrite?: (bucket: string, name: string) => Promise<void> | void;
  readonly writes: { bucket: string; name: string; options: WriteOptions }[] = [];

  async read(bucket: string, name: string): Promise<StoredObject | null> {
    const o = this.objects.get(`${bucket}/${name}`);
    return o ? { body: o.body, generation: o.generation } : null;
  }

  async list(bucket: string, prefix: string): Promise<string[]> {
    return [...this.objects.keys()]
      .filter((k) => k.startsWith(`${bucket}/${prefix}`))
      .map((k) => k.slice(bucket.length + 1))
      .sort();
  }

  async write(bucket: string, name: string, body: Uint8Array, options: WriteOptions): Promise<number> {
    await this.beforeWrite?.(bucket, name);
    const key = `${bucket}/${name}`;
    const current = this.objects.get(key)?.generation ?? 0;
    if (options.ifGenerationMatch !== undefined && options.ifGenerationMatch !== current) {
      throw new PreconditionFailedError(bucket, name);
    }
    const generation = this.nextGeneration++;
    this.objects.set(key, { body: Uint8Array.from(body), generation, contentType: options.contentType, cacheControl: options.cacheControl });
    this.writes.push({ bucket, name, options });
    return generation;
  }

  /** Metadata of a stored object, for assertions. */
  metadata(bucket: string, name: string): { contentType: string; cacheControl?: string; generation: number } | undefined {
    const o = this.objects.get(`${bucket}/${name}`);
    return o && { contentType: o.contentType, cacheControl: o.cacheControl, generation: o.generation };
  }

  /** Writes without preconditions or hooks (test setup). */
  put(bucket: string, name: string, body: string | Uint8Array): void {
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
    this.objects.set(`${bucket}/${name}`, { body: bytes, generation: this.nextGeneration++, contentType: "application/json" });
  }

  delete(bucket: string, name: string): void {
    this.objects.delete(`${bucket}/${name}`);
  }
}
