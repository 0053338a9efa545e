import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { addSigstoreDeployment } from "../../lib/app";
import type { SigstoreConfig } from "../../lib/config/schema";
import { exampleConfig, fullConfig } from "../helpers/synth";

describe("SigstoreStack.toTerraform", () => {
  it.each<[string, () => SigstoreConfig]>([
    ["the example", exampleConfig],
    ["every option enabled, KMS CA", () => fullConfig("kms")],
    ["every option enabled, Private CA", () => fullConfig("privateca")],
  ])("produces exactly what cdktf's own toTerraform produces, for every stack of %s", (_name, config) => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "stack-json-")) });
    const deployment = addSigstoreDeployment(app, config());
    app.synth(); // prepares cross-stack references, as a real synth does
    for (const stack of [...deployment.regions, deployment.global]) {
      const ours = JSON.stringify(stack.toTerraform());
      const cdktfs = JSON.stringify(TerraformStack.prototype.toTerraform.call(stack));
      expect(ours.length).toBeGreaterThan(10_000);
      expect([stack.node.id, ours === cdktfs]).toEqual([stack.node.id, true]);
    }
  });
});
