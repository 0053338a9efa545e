// A whole Sigstore instance in one region: one regional stack and the global
// stack. `npx cdktf synth`, then `npx cdktf deploy regional-us-east1 global`.
import { App } from "cdktf";
import { addSigstoreDeployment, parseConfig } from "sigstore-cdktf";
import { config } from "./config";

const app = new App();
const deployment = addSigstoreDeployment(app, parseConfig(config));
// Attributes are ordinary cdktf tokens, e.g. for outputs of your own.
void deployment.global;
app.synth();
