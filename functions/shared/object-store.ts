/** A stored object's bytes with the generation they belong to. */
export interface StoredObject {
  readonly body: Uint8Array;
  readonly generation: number;
  /** The object's metadata, when the store reports it (the merger rewrites an object whose metadata is outdated). */
  readonly metadata?: ObjectMetadata;
}

export interface ObjectMetadata {
  readonly contentType?: string;
  readonly cacheControl?: string;
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
  list(bucket: string, prefix: string): Promise<readonly string[]>;
  /** Writes the object and returns its new generation. @throws PreconditionFailedError */
  write(bucket: string, name: string, body: Uint8Array, options: WriteOptions): Promise<number>;
}

/** The object changed since it was read (HTTP 412): re-read and try again. */
export class PreconditionFailedError extends Error {
  constructor(
    readonly bucket: string,
    readonly objectName: string,
  ) {
    super(`gs://${bucket}/${objectName} changed since it was read (generation precondition failed)`);
    this.name = "PreconditionFailedError";
  }
}

export type StoreOperation = "read" | "list" | "write";

export interface MemoryObjectStoreOptions {
  /** Time each operation takes before it takes effect (0 by default). */
  readonly latencyMs?: (operation: StoreOperation, bucket: string, name: string) => number;
  /** How latency is waited for; inject a virtual clock's sleep in simulations. */
  readonly sleep?: (ms: number) => Promise<void>;
}

interface MemoryObject {
  readonly body: Uint8Array;
  readonly generation: number;
  readonly metadata: ObjectMetadata;
}

/** A write as the memory store accepted it, for assertions. */
export interface RecordedWrite {
  readonly bucket: string;
  readonly name: string;
  readonly options: WriteOptions;
  readonly generation: number;
}

/**
 * An in-memory store with Cloud Storage's semantics: every write gets a new,
 * increasing generation, and `ifGenerationMatch` is checked atomically when
 * the write takes effect (after its latency), so concurrent writers race as
 * they do against Cloud Storage. For tests and simulations.
 */
export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, MemoryObject>();
  private nextGeneration = 1;
  /** Runs before each operation: throw to inject a failure, await to interleave another writer. */
  beforeOperation?: (operation: StoreOperation, bucket: string, name: string) => Promise<void> | void;
  private readonly recorded: RecordedWrite[] = [];

  constructor(private readonly options: MemoryObjectStoreOptions = {}) {}

  /** Successful writes, in order. */
  get writes(): readonly RecordedWrite[] {
    return this.recorded;
  }

  private async enter(operation: StoreOperation, bucket: string, name: string): Promise<void> {
    await this.beforeOperation?.(operation, bucket, name);
    const ms = this.options.latencyMs?.(operation, bucket, name) ?? 0;
    if (ms > 0) await (this.options.sleep ?? ((t: number) => new Promise<void>((r) => setTimeout(r, t))))(ms);
  }

  async read(bucket: string, name: string): Promise<StoredObject | null> {
    await this.enter("read", bucket, name);
    const o = this.objects.get(`${bucket}/${name}`);
    return o ? { ...o, body: Uint8Array.from(o.body) } : null;
  }

  async list(bucket: string, prefix: string): Promise<readonly string[]> {
    await this.enter("list", bucket, prefix);
    return [...this.objects.keys()]
      .filter((k) => k.startsWith(`${bucket}/${prefix}`))
      .map((k) => k.slice(bucket.length + 1))
      .sort();
  }

  async write(bucket: string, name: string, body: Uint8Array, options: WriteOptions): Promise<number> {
    await this.enter("write", bucket, name);
    const key = `${bucket}/${name}`;
    const current = this.objects.get(key)?.generation ?? 0;
    if (options.ifGenerationMatch !== undefined && options.ifGenerationMatch !== current) {
      throw new PreconditionFailedError(bucket, name);
    }
    const generation = this.nextGeneration++;
    this.objects.set(key, { body: Uint8Array.from(body), generation, metadata: { contentType: options.contentType, cacheControl: options.cacheControl } });
    this.recorded.push({ bucket, name, options, generation });
    return generation;
  }

  /** Writes without hooks, latency or preconditions (test setup); returns the generation. */
  put(bucket: string, name: string, body: string | Uint8Array, metadata: ObjectMetadata = { contentType: "application/json" }): number {
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : Uint8Array.from(body);
    const generation = this.nextGeneration++;
    this.objects.set(`${bucket}/${name}`, { body: bytes, generation, metadata });
    return generation;
  }

  /** The object without hooks or latency (test assertions). */
  peek(bucket: string, name: string): StoredObject | undefined {
    const o = this.objects.get(`${bucket}/${name}`);
    return o && { ...o, body: Uint8Array.from(o.body) };
  }

  delete(bucket: string, name: string): void {
    this.objects.delete(`${bucket}/${name}`);
  }
}
