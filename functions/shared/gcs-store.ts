import { Storage } from "@google-cloud/storage";
import { ObjectStore, PreconditionFailedError, StoredObject, WriteOptions } from "./object-store";

function statusOf(error: unknown): number | undefined {
  const e = error as { code?: unknown; response?: { status?: unknown } };
  return typeof e.code === "number" ? e.code : typeof e.response?.status === "number" ? e.response.status : undefined;
}

/** ObjectStore over Cloud Storage with the official client. */
export class GcsObjectStore implements ObjectStore {
  constructor(private readonly storage: Storage = new Storage()) {}

  async read(bucket: string, name: string): Promise<StoredObject | null> {
    try {
      const [metadata] = await this.storage.bucket(bucket).file(name).getMetadata();
      const generation = Number(metadata.generation);
      // Download exactly the generation whose number we return, so a
      // concurrent overwrite cannot pair new bytes with an old generation.
      const [body] = await this.storage.bucket(bucket).file(name, { generation }).download();
      return { body: new Uint8Array(body), generation };
    } catch (e) {
      if (statusOf(e) === 404) return null;
      throw e;
    }
  }

  async list(bucket: string, prefix: string): Promise<string[]> {
    const [files] = await this.storage.bucket(bucket).getFiles({ prefix, autoPaginate: true });
    return files.map((f) => f.name).sort();
  }

  async write(bucket: string, name: string, body: Uint8Array, options: WriteOptions): Promise<number> {
    const file = this.storage.bucket(bucket).file(name);
    try {
      await file.save(Buffer.from(body), {
        resumable: false, // a few kilobytes: one request
        contentType: options.contentType,
        metadata: options.cacheControl ? { cacheControl: options.cacheControl } : undefined,
        preconditionOpts: options.ifGenerationMatch === undefined ? undefined : { ifGenerationMatch: options.ifGenerationMatch },
      });
    } catch (e) {
      if (statusOf(e) === 412) throw new PreconditionFailedError(bucket, name);
      throw e;
    }
    return Number(file.metadata.generation);
  }
}
