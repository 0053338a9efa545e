// A dependency-free Cloud Storage client over the JSON API, for the key
// publisher: its bundle is mounted from a ConfigMap (1 MiB at most), and the
// official client alone bundles to about 750 kB. Three calls are all it needs.
import { randomBytes } from "crypto";
import { ObjectStore, PreconditionFailedError, StoredObject, WriteOptions } from "./object-store";

type Fetch = typeof fetch;

/** A Cloud Storage error with its HTTP status. */
export class StorageHttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "StorageHttpError";
  }
}

export interface GcsJsonApiStoreOptions {
  /** API root, e.g. `https://storage.googleapis.com` or an emulator's `http://127.0.0.1:4443`. */
  readonly endpoint: string;
  /** Bearer token for each request; omit for an emulator. */
  readonly token?: () => Promise<string>;
  /** Per-request timeout. @default 10000 */
  readonly timeoutMs?: number;
  readonly fetch?: Fetch;
}

/**
 * Where to reach Cloud Storage, with the official client's convention:
 * `STORAGE_EMULATOR_HOST` points at an emulator (no credentials), otherwise the
 * real API with tokens from the metadata server (workload identity on GKE).
 */
export function gcsJsonApiStoreFromEnv(env: NodeJS.ProcessEnv, fetchImpl: Fetch = fetch): GcsJsonApiStore {
  const emulator = env.STORAGE_EMULATOR_HOST;
  if (emulator) {
    return new GcsJsonApiStore({ endpoint: /^https?:\/\//.test(emulator) ? emulator : `http://${emulator}`, fetch: fetchImpl });
  }
  return new GcsJsonApiStore({ endpoint: "https://storage.googleapis.com", token: metadataServerToken({ host: env.GCE_METADATA_HOST, fetch: fetchImpl }), fetch: fetchImpl });
}

/**
 * Access tokens of the workload's service account from the metadata server,
 * cached until a minute before they expire.
 */
export function metadataServerToken(options: { readonly host?: string; readonly fetch?: Fetch; readonly now?: () => number } = {}): () => Promise<string> {
  const host = options.host || "metadata.google.internal";
  const fetchImpl = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  let cached: { readonly token: string; readonly until: number } | undefined;
  return async () => {
    if (cached && now() < cached.until) return cached.token;
    const response = await fetchImpl(`http://${host}/computeMetadata/v1/instance/service-accounts/default/token`, {
      headers: { "Metadata-Flavor": "Google" },
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new StorageHttpError(response.status, `metadata server answered ${response.status} for a token`);
    const body = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== "string") throw new Error("metadata server returned no access_token");
    const lifetime = typeof body.expires_in === "number" ? body.expires_in : 300;
    cached = { token: body.access_token, until: now() + Math.max(0, lifetime - 60) * 1000 };
    return cached.token;
  };
}

export class GcsJsonApiStore implements ObjectStore {
  private readonly endpoint: string;
  private readonly fetch: Fetch;

  constructor(private readonly options: GcsJsonApiStoreOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, "");
    this.fetch = options.fetch ?? fetch;
  }

  private async request(path: string, query: Record<string, string | undefined>, init: RequestInit = {}): Promise<Response> {
    const url = new URL(`${this.endpoint}${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    const headers = new Headers(init.headers);
    if (this.options.token) headers.set("Authorization", `Bearer ${await this.options.token()}`);
    return this.fetch(url, { ...init, headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
  }

  private static async fail(response: Response, what: string): Promise<never> {
    const detail = (await response.text().catch(() => "")).slice(0, 300);
    throw new StorageHttpError(response.status, `${what}: HTTP ${response.status} ${detail}`);
  }

  private static objectPath(bucket: string, name: string): string {
    return `/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(name)}`;
  }

  async read(bucket: string, name: string): Promise<StoredObject | null> {
    // One media request: the bytes and the generation they belong to come together.
    const response = await this.request(GcsJsonApiStore.objectPath(bucket, name), { alt: "media" });
    if (response.status === 404) {
      await response.body?.cancel(); // release the connection
      return null;
    }
    if (!response.ok) return GcsJsonApiStore.fail(response, `reading gs://${bucket}/${name}`);
    const generation = Number(response.headers.get("x-goog-generation"));
    if (!Number.isSafeInteger(generation)) throw new Error(`reading gs://${bucket}/${name}: no x-goog-generation header`);
    return { body: new Uint8Array(await response.arrayBuffer()), generation };
  }

  async list(bucket: string, prefix: string): Promise<readonly string[]> {
    const names: string[] = [];
    let pageToken: string | undefined;
    do {
      const response = await this.request(`/storage/v1/b/${encodeURIComponent(bucket)}/o`, { prefix, pageToken, fields: "items(name),nextPageToken" });
      if (!response.ok) return GcsJsonApiStore.fail(response, `listing gs://${bucket}/${prefix}`);
      const page = (await response.json()) as { items?: { name: string }[]; nextPageToken?: string };
      names.push(...(page.items ?? []).map((i) => i.name));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return names.sort();
  }

  async write(bucket: string, name: string, body: Uint8Array, options: WriteOptions): Promise<number> {
    // A multipart upload: object metadata and media in one request.
    const boundary = `sigstore-${randomBytes(12).toString("hex")}`;
    const metadata = JSON.stringify({ name, contentType: options.contentType, cacheControl: options.cacheControl });
    const multipart = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${metadata}\r\n--${boundary}\r\nContent-Type: ${options.contentType}\r\n\r\n`),
      Buffer.from(body),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const response = await this.request(
      `/upload/storage/v1/b/${encodeURIComponent(bucket)}/o`,
      { uploadType: "multipart", name, ifGenerationMatch: options.ifGenerationMatch?.toString() },
      { method: "POST", headers: { "Content-Type": `multipart/related; boundary=${boundary}` }, body: multipart },
    );
    if (response.status === 412) throw new PreconditionFailedError(bucket, name);
    if (!response.ok) return GcsJsonApiStore.fail(response, `writing gs://${bucket}/${name}`);
    return Number(((await response.json()) as { generation?: string }).generation);
  }
}
