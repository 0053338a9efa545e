import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { addSigstoreDeployment } from "../../lib/app";
import { exampleConfig } from "../helpers/synth";

describe("SigstoreStack.toTerraform", () => {
  it("produces exactly what cdktf's own toTerraform produces, for every stack of the example", () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "stack-json-")) });
    const deployment = addSigstoreDeployment(app, exampleConfig());
    app.synth(); // prepares cross-stack references, as a real synth does
    for (const stack of [...deployment.regions, deployment.global]) {
      const ours = JSON.stringify(stack.toTerraform());
      const cdktfs = JSON.stringify(TerraformStack.prototype.toTerraform.call(stack));
      expect(ours.length).toBeGreaterThan(10_000);
      expect([stack.node.id, ours === cdktfs]).toEqual([stack.node.id, true]);
    }
  });
});
