// Synthesizes the deployment described by SIGSTORE_CONFIG (default: the
// shipped three-region example). All logic lives in lib/.
import { ConfigError, loadConfigFile } from "./lib/config/load";
import type { SigstoreConfig } from "./lib/config/schema";

const configFile = process.env.SIGSTORE_CONFIG ?? "config/example.yaml";

function loadOrExit(): SigstoreConfig {
  try {
    return loadConfigFile(configFile);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // Validation happens before any stack exists, so nothing has been written.
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}

async function synthesize(config: SigstoreConfig): Promise<void> {
  // Loaded only for a valid configuration: a bad one fails in a fraction of the time.
  const [{ App }, { addSigstoreDeployment }, { enableFastSynthesis }, { ensurePrebuilt }] = await Promise.all([
    import("cdktf"),
    import("./lib/app"),
    import("./lib/shared/fast-synthesis"),
    import("./functions/build"),
  ]);
  // The library reads prebuilt function zips (a published package ships them);
  // in this checkout, build them when missing or older than their sources.
  ensurePrebuilt();
  const app = new App();
  // Same JSON as stock cdktf, several times faster (lib/shared/fast-synthesis.ts).
  enableFastSynthesis(app);
  addSigstoreDeployment(app, config);
  app.synth();
}

synthesize(loadOrExit()).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
