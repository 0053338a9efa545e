// Runs next to Dex in each cluster as `node index.js` (bundled, mounted from
// a ConfigMap), configured by environment variables, authenticated by
// workload identity through the metadata server.
import { stdoutLogger } from "../../shared/log";
import { PUBLISHER_EVENTS } from "./contract";
import { startPublisherService } from "./service";

startPublisherService(process.env).then(
  (service) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      // Let an upload in progress finish (well within the pod's grace period), then exit cleanly.
      service.stop().then(
        () => {
          stdoutLogger({ severity: "INFO", message: `stopped on ${signal}`, event: PUBLISHER_EVENTS.stopped });
          process.exit(0);
        },
        () => process.exit(1),
      );
    };
    process.on("SIGTERM", () => shutdown("SIGTERM"));
    process.on("SIGINT", () => shutdown("SIGINT"));
  },
  (e: unknown) => {
    stdoutLogger({ severity: "ERROR", message: `cannot start: ${(e as Error).message}`, event: PUBLISHER_EVENTS.failed, stage: "start" });
    process.exit(1);
  },
);
