import { App, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import type { RegionalContext } from "../../lib/regional/context";
import { ResourceNames } from "../../lib/shared/names";
import { tempDir } from "./temp";

/** A regional context for construct tests. */
export function testContext(overrides: Partial<RegionalContext> = {}): RegionalContext {
  return {
    project: "sigstore-test",
    projectNumber: "123456789012",
    region: "us-east1",
    zones: ["us-east1-b", "us-east1-c", "us-east1-d"],
    names: new ResourceNames("sigstore", "sigstore-test"),
    primary: true,
    ...overrides,
  };
}

/** What a standalone construct takes from a regional context: project, region and name prefix. */
export function placementOf(context: RegionalContext): { project: string; region: string; namePrefix: string } {
  return { project: context.project, region: context.region, namePrefix: context.names.prefix };
}

/** `placementOf(testContext(overrides))`. */
export function testPlacement(overrides: Partial<RegionalContext> = {}): { project: string; region: string; namePrefix: string } {
  return placementOf(testContext(overrides));
}

/**
 * cdktf's `Testing.app()` with its output directory removed after the test
 * file (`Testing.app()` makes one in the system temp directory and leaves it
 * there; `new App()` writes `cdktf.out` into the checkout).
 */
export function testApp(): App {
  return Testing.app({ outdir: tempDir("cdktf-test-app-") }) as App;
}

/** Builds constructs in a bare stack and returns its synthesized JSON. */
export function synthConstruct(build: (scope: Construct) => void): any {
  const stack = new TerraformStack(testApp(), "test");
  build(stack);
  return JSON.parse(Testing.synth(stack));
}

/** Resources of a type, as a list of [logical id, body]. */
export function entriesOf(json: any, type: string): [string, any][] {
  return Object.entries(json.resource?.[type] ?? {});
}

/** Resource bodies of a type. */
export function bodiesOf(json: any, type: string): any[] {
  return Object.values(json.resource?.[type] ?? {});
}
