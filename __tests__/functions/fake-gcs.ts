import { createHash } from "crypto";
import { createServer, IncomingMessage, Server } from "http";
import type { AddressInfo } from "net";
import { CRC32C } from "@google-cloud/storage";

function crc32c(data: Buffer): string {
  const crc = new CRC32C();
  crc.update(data);
  return crc.toString();
}

/** A request as the fake saw it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: IncomingMessage["headers"];
  /** For uploads: the object metadata part. */
  readonly metadata?: Record<string, unknown>;
}

interface FakeObject {
  body: Buffer;
  generation: number;
  metadata: Record<string, unknown>;
}

/**
 * The subset of the Cloud Storage JSON API the adapter uses (object metadata,
 * media download, list, multipart upload with ifGenerationMatch), on
 * loopback, recording every request.
 */
export class FakeGcs {
  readonly requests: RecordedRequest[] = [];
  readonly objects = new Map<string, FakeObject>();
  private generation = 1000;
  private server?: Server;
  /** Items per list page (to exercise pagination). */
  pageSize = 1000;
  /** Status codes to answer the next requests with, instead of serving them. */
  readonly failures: number[] = [];

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        try {
          const [status, body, headers] = this.handle(req, Buffer.concat(chunks));
          res.writeHead(status, { "content-type": Buffer.isBuffer(body) ? "application/octet-stream" : "application/json", ...headers });
          res.end(Buffer.isBuffer(body) ? body : JSON.stringify(body));
        } catch (e) {
          res.writeHead(500).end(String(e));
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    // closeAllConnections: keep-alive connections would otherwise hold the worker open.
    return new Promise((resolve) => (this.server ? (this.server.close(() => resolve()), this.server.closeAllConnections()) : resolve()));
  }

  put(bucket: string, name: string, body: string): number {
    const generation = ++this.generation;
    this.objects.set(`${bucket}/${name}`, { body: Buffer.from(body), generation, metadata: { contentType: "application/json" } });
    return generation;
  }

  private resource(bucket: string, name: string, o: FakeObject): Record<string, unknown> {
    return {
      kind: "storage#object",
      bucket,
      name,
      generation: String(o.generation),
      metageneration: "1",
      size: String(o.body.length),
      md5Hash: createHash("md5").update(o.body).digest("base64"),
      crc32c: crc32c(o.body),
      ...o.metadata,
    };
  }

  private handle(req: IncomingMessage, raw: Buffer): [number, Buffer | object, Record<string, string>?] {
    const url = new URL(req.url!, "http://fake");
    // With STORAGE_EMULATOR_HOST the client leaves out the /storage/v1 prefix.
    if (url.pathname.startsWith("/b/")) url.pathname = `/storage/v1${url.pathname}`;
    const query = Object.fromEntries(url.searchParams);
    const path = decodeURIComponent(url.pathname);
    const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    const object = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(url.pathname);
    const list = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    const notFound: [number, object] = [404, { error: { code: 404, message: "No such object" } }];
    const failure = this.failures.shift();
    if (failure !== undefined) {
      this.requests.push({ method: req.method!, path, query, headers: req.headers });
      return [failure, { error: { code: failure, message: "injected failure" } }];
    }

    if (req.method === "POST" && upload) {
      const boundary = /boundary=("?)([^";]+)\1/.exec(String(req.headers["content-type"]))![2];
      const parts = raw.toString("latin1").split(`--${boundary}`).slice(1, -1);
      const [metaPart, mediaPart] = parts.map((p) => p.slice(p.indexOf("\r\n\r\n") + 4, -2));
      const metadata = JSON.parse(metaPart);
      this.requests.push({ method: "POST", path, query, headers: req.headers, metadata });
      const bucket = upload[1];
      const name = query.name ?? metadata.name;
      const key = `${bucket}/${name}`;
      const current = this.objects.get(key)?.generation ?? 0;
      if (query.ifGenerationMatch !== undefined && Number(query.ifGenerationMatch) !== current) {
        return [412, { error: { code: 412, message: "At least one of the pre-conditions you specified did not hold." } }];
      }
      const stored: FakeObject = { body: Buffer.from(mediaPart, "latin1"), generation: ++this.generation, metadata: { contentType: metadata.contentType, cacheControl: metadata.cacheControl } };
      this.objects.set(key, stored);
      return [200, this.resource(bucket, name, stored)];
    }
    this.requests.push({ method: req.method!, path, query, headers: req.headers });
    if (req.method === "GET" && object) {
      const [bucket, name] = [object[1], decodeURIComponent(object[2])];
      const o = this.objects.get(`${bucket}/${name}`);
      if (!o || (query.generation && Number(query.generation) !== o.generation)) return notFound;
      if (query.alt === "media") {
        return [200, o.body, { "x-goog-hash": `crc32c=${crc32c(o.body)},md5=${createHash("md5").update(o.body).digest("base64")}`, "x-goog-generation": String(o.generation) }];
      }
      return [200, this.resource(bucket, name, o)];
    }
    if (req.method === "GET" && list) {
      const bucket = list[1];
      const all = [...this.objects.entries()]
        .filter(([k]) => k.startsWith(`${bucket}/${query.prefix ?? ""}`))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, o]) => this.resource(bucket, k.slice(bucket.length + 1), o));
      const start = Number(query.pageToken ?? 0);
      const items = all.slice(start, start + this.pageSize);
      const nextPageToken = start + this.pageSize < all.length ? String(start + this.pageSize) : undefined;
      return [200, { kind: "storage#objects", items, nextPageToken }];
    }
    return [501, { error: { code: 501, message: `fake does not serve ${req.method} ${path}` } }];
  }
}
