// Two regional stacks and the global stack, from a configuration object.
// Deploy the primary region (the first) first, then the other, then global.
import { App } from "cdktf";
import { addSigstoreDeployment, ConfigError, parseConfig } from "sigstore-cdktf";
import { config } from "./config";

const app = new App();
try {
  const { regions, global } = addSigstoreDeployment(app, parseConfig(config, "examples/two-regions/config.ts"));
  process.stderr.write(`stacks: ${[...regions.map((r) => r.node.id), global.node.id].join(", ")}\n`);
} catch (e) {
  // A bad configuration names every field at fault, and nothing is written.
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
app.synth();
