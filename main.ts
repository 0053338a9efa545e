// Synthesizes the deployment described by SIGSTORE_CONFIG (default: the
// shipped three-region example). All logic lives in lib/.
import { App } from "cdktf";
import { addSigstoreDeployment } from "./lib/app";
import { ConfigError, loadConfigFile } from "./lib/config/load";
import { enableFastSynthesis } from "./lib/shared/fast-synthesis";
import { ensurePrebuilt } from "./functions/build";

// The library reads prebuilt function zips (a published package ships them);
// in this checkout, build them when missing or older than their sources.
ensurePrebuilt();

const configFile = process.env.SIGSTORE_CONFIG ?? "config/example.yaml";
try {
  const config = loadConfigFile(configFile);
  const app = new App();
  // Same JSON as stock cdktf, several times faster (lib/shared/fast-synthesis.ts).
  enableFastSynthesis(app);
  addSigstoreDeployment(app, config);
  app.synth();
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  // Validation happens before any stack exists, so nothing has been written.
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
