import { createServer, Server } from "http";
import type { AddressInfo } from "net";
import { gcsJsonApiStoreFromEnv } from "../../shared/gcs-json-api-store";
import { Logger, stdoutLogger } from "../../shared/log";
import type { ObjectStore } from "../../shared/object-store";
import { DEFAULT_POLL_INTERVAL_MS, DEFAULT_REFRESH_INTERVAL_MS, PUBLISHER_ENV, PUBLISHER_EVENTS, PUBLISHER_HEALTH_PATHS, PUBLISHER_HEALTH_PORT, STALE_AFTER_POLLS } from "./contract";
import { PollingLoop, systemTimers, Timers } from "./loop";
import { JwksPublisher } from "./publisher";

export interface PublisherConfig {
  readonly dexKeysUrl: string;
  readonly bucket: string;
  readonly objectName: string;
  readonly pollIntervalMs: number;
  readonly refreshIntervalMs: number;
  /** 0 picks a free port (tests). */
  readonly healthPort: number;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name}=${raw} is not an integer in [${min}, ${max}]`);
  return value;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** The configuration from environment variables (PUBLISHER_ENV), validated. */
export function publisherConfigFromEnv(env: NodeJS.ProcessEnv): PublisherConfig {
  const dexKeysUrl = required(env, PUBLISHER_ENV.dexKeysUrl);
  if (!/^https?:\/\//.test(dexKeysUrl)) throw new Error(`${PUBLISHER_ENV.dexKeysUrl}=${dexKeysUrl} is not an http(s) URL`);
  const pollIntervalMs = integer(env, PUBLISHER_ENV.pollIntervalMs, DEFAULT_POLL_INTERVAL_MS, 100, 60_000);
  return {
    dexKeysUrl,
    bucket: required(env, PUBLISHER_ENV.bucket),
    objectName: required(env, PUBLISHER_ENV.objectName),
    pollIntervalMs,
    refreshIntervalMs: integer(env, PUBLISHER_ENV.refreshIntervalMs, DEFAULT_REFRESH_INTERVAL_MS, pollIntervalMs, 86_400_000),
    healthPort: integer(env, PUBLISHER_ENV.healthPort, PUBLISHER_HEALTH_PORT, 0, 65_535),
  };
}

export interface PublisherServiceDeps {
  /** @default Cloud Storage over its JSON API (STORAGE_EMULATOR_HOST honoured) */
  readonly store?: ObjectStore;
  readonly fetch?: typeof fetch;
  readonly log?: Logger;
  readonly timers?: Timers;
}

export interface PublisherService {
  readonly config: PublisherConfig;
  /** The port the health endpoints listen on. */
  readonly healthPort: number;
  /** Stops polling, waits for a tick in progress, closes the health endpoint. */
  stop(): Promise<void>;
}

/** Starts polling Dex and serving the health endpoints. */
export async function startPublisherService(env: NodeJS.ProcessEnv, deps: PublisherServiceDeps = {}): Promise<PublisherService> {
  const config = publisherConfigFromEnv(env);
  const log = deps.log ?? stdoutLogger;
  const timers = deps.timers ?? systemTimers;
  const fetchImpl = deps.fetch ?? fetch;
  const publisher = new JwksPublisher(
    { bucket: config.bucket, objectName: config.objectName, refreshIntervalMs: config.refreshIntervalMs },
    {
      fetchKeys: async () => {
        // A hung Dex must not stall the loop beyond one interval.
        const response = await fetchImpl(config.dexKeysUrl, { signal: AbortSignal.timeout(Math.max(1000, config.pollIntervalMs)) });
        if (!response.ok) throw new Error(`${config.dexKeysUrl} answered HTTP ${response.status}`);
        return response.text();
      },
      store: deps.store ?? gcsJsonApiStoreFromEnv(env, fetchImpl),
      now: () => timers.now(),
      log,
    },
  );
  const loop = new PollingLoop(() => publisher.tick(), config.pollIntervalMs, timers, (e) =>
    log({ severity: "ERROR", message: `tick failed: ${(e as Error).message}`, event: PUBLISHER_EVENTS.failed, stage: "tick" }),
  );

  // Measured from start, so a fresh process gets STALE_AFTER_POLLS intervals of grace.
  const startedAt = timers.now();
  const staleAfterMs = STALE_AFTER_POLLS * config.pollIntervalMs;
  const fresh = (at: number) => timers.now() - Math.max(startedAt, at) <= staleAfterMs;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    const ok = path === PUBLISHER_HEALTH_PATHS.ready ? fresh(publisher.lastSuccessAt) : path === PUBLISHER_HEALTH_PATHS.live ? fresh(loop.lastCompletedAt) : undefined;
    if (ok === undefined) res.writeHead(404).end("not found\n");
    else res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" }).end(ok ? "ok\n" : "stale\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.healthPort, () => resolve());
  });

  loop.start();
  log({ severity: "INFO", message: `publishing ${config.dexKeysUrl} to gs://${config.bucket}/${config.objectName} every ${config.pollIntervalMs} ms`, event: PUBLISHER_EVENTS.started });
  return {
    config,
    healthPort: (server.address() as AddressInfo).port,
    stop: async () => {
      await loop.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // probes' keep-alive connections must not hold the exit
      });
    },
  };
}
