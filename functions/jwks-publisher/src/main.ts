// Runs next to Dex in each cluster: `node index.js` (bundled), configured by
// environment variables, authenticated by workload identity.
import { createServer } from "http";
import { GcsObjectStore } from "../../shared/gcs-store";
import { stdoutLogger } from "../../shared/log";
import { PUBLISHER_ENV, PUBLISHER_HEALTH_PORT } from "./contract";
import { JwksPublisher } from "./publisher";


function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function main(): void {
  const pollIntervalMs = Number(process.env[PUBLISHER_ENV.pollIntervalMs] ?? 2000);
  const dexKeysUrl = required(PUBLISHER_ENV.dexKeysUrl);
  const publisher = new JwksPublisher(
    {
      bucket: required(PUBLISHER_ENV.bucket),
      objectName: required(PUBLISHER_ENV.objectName),
      refreshIntervalMs: Number(process.env[PUBLISHER_ENV.refreshIntervalMs] ?? 600_000),
    },
    {
      fetchKeys: async () => {
        const response = await fetch(dexKeysUrl, { signal: AbortSignal.timeout(pollIntervalMs) });
        if (!response.ok) throw new Error(`${dexKeysUrl} answered ${response.status}`);
        return response.text();
      },
      store: new GcsObjectStore(),
      now: Date.now,
      log: stdoutLogger,
    },
  );

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const loop = async () => {
    await publisher.tick();
    if (!stopped) timer = setTimeout(loop, pollIntervalMs);
  };
  void loop();

  // Healthy while a valid key set was read within the last five polls.
  const health = createServer((req, res) => {
    const healthy = Date.now() - publisher.lastHealthyAt <= 5 * pollIntervalMs;
    res.writeHead(req.url === "/healthz" && healthy ? 200 : 503).end(healthy ? "ok" : "stale");
  }).listen(Number(process.env[PUBLISHER_ENV.healthPort] ?? PUBLISHER_HEALTH_PORT));

  process.on("SIGTERM", () => {
    stopped = true;
    clearTimeout(timer);
    health.close(() => process.exit(0));
  });
}

main();
