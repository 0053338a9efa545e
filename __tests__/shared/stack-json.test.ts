import type { SigstoreConfig } from "../../lib/config/schema";
import { exampleConfig, fullConfig, synthDeployment, synthFresh } from "../helpers/synth";

// The opt-in fast synthesis (what main.ts and the tests use) against stock
// cdktf, file by file, for whole deployments.
describe("fast synthesis", () => {
  it.each<[string, () => SigstoreConfig]>([
    ["the example", exampleConfig],
    ["every option enabled, KMS CA", () => fullConfig("kms")],
    ["every option enabled, Private CA", () => fullConfig("privateca")],
  ])("writes exactly the files stock cdktf writes, for %s", (_name, config) => {
    const stock = synthFresh(config(), { fast: false }).files;
    const fast = synthDeployment(config()).files;
    expect(Object.keys(fast).sort()).toEqual(Object.keys(stock).sort());
    expect(Object.keys(stock).filter((f) => f.endsWith("cdk.tf.json")).length).toBeGreaterThanOrEqual(4);
    for (const file of Object.keys(stock)) {
      expect(stock[file].length).toBeGreaterThan(0);
      expect([file, fast[file] === stock[file]]).toEqual([file, true]);
    }
  });
});
