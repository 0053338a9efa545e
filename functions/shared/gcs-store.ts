import { Storage } from "@google-cloud/storage";
import { ObjectStore, PreconditionFailedError, StoredObject, WriteOptions } from "./object-store";

/** HTTP status of a Cloud Storage client error, if it carries one. */
export function httpStatusOf(error: unknown): number | undefined {
  const e = error as { code?: unknown; response?: { status?: unknown } } | null;
  if (typeof e?.code === "number") return e.code;
  return typeof e?.response?.status === "number" ? e.response.status : undefined;
}

/** ObjectStore over Cloud Storage with the official client (the merger's; it brings retries and credentials). */
export class GcsObjectStore implements ObjectStore {
  constructor(private readonly storage: Storage = new Storage()) {}

  async read(bucket: string, name: string): Promise<StoredObject | null> {
    // Metadata first, then exactly that generation's bytes, so a concurrent
    // overwrite cannot pair new bytes with an old generation. If the
    // generation is overwritten in between (404), start again.
    for (let attempt = 1; ; attempt++) {
      let metadata;
      try {
        [metadata] = await this.storage.bucket(bucket).file(name).getMetadata();
      } catch (e) {
        if (httpStatusOf(e) === 404) return null;
        throw e;
      }
      const generation = Number(metadata.generation);
      try {
        const [body] = await this.storage.bucket(bucket).file(name, { generation }).download();
        return { body: new Uint8Array(body), generation, metadata: { contentType: metadata.contentType, cacheControl: metadata.cacheControl } };
      } catch (e) {
        if (httpStatusOf(e) !== 404 || attempt >= 3) throw e;
      }
    }
  }

  async list(bucket: string, prefix: string): Promise<readonly string[]> {
    const [files] = await this.storage.bucket(bucket).getFiles({ prefix, autoPaginate: true });
    return files.map((f) => f.name).sort();
  }

  async write(bucket: string, name: string, body: Uint8Array, options: WriteOptions): Promise<number> {
    const file = this.storage.bucket(bucket).file(name);
    try {
      await file.save(Buffer.from(body), {
        resumable: false, // a few kilobytes: one multipart request
        contentType: options.contentType,
        metadata: options.cacheControl ? { cacheControl: options.cacheControl } : undefined,
        // With a precondition the client treats the upload as idempotent and retries it.
        preconditionOpts: options.ifGenerationMatch === undefined ? undefined : { ifGenerationMatch: options.ifGenerationMatch },
      });
    } catch (e) {
      if (httpStatusOf(e) === 412) throw new PreconditionFailedError(bucket, name);
      throw e;
    }
    return Number(file.metadata.generation);
  }
}
