import { exampleConfig, StackJson, synthDeployment } from "./helpers/synth";

// What a reviewer reads in a pull request, per stack of the example: where its
// state lives, which Terraform and providers it needs, how many resources of
// each type it declares, what it exports and imports across stacks, and which
// state blocks (import, removed) it carries. Small enough to read in a diff;
// resource addresses are pinned in determinism.test.ts, and behaviour is
// asserted by the other suites.
function summary(stack: StackJson) {
  const count = (group: Record<string, Record<string, unknown>> | undefined) =>
    Object.fromEntries(Object.entries(group ?? {}).map(([type, byId]) => [type, Object.keys(byId).length]).sort(([a], [b]) => String(a).localeCompare(String(b))));
  return {
    backend: stack.terraform?.backend,
    requiredVersion: stack.terraform?.required_version,
    providers: Object.keys(stack.provider ?? {}).sort(),
    resources: count(stack.resource),
    dataSources: count(stack.data),
    outputs: Object.keys(stack.output ?? {}).sort(),
    remoteStateInputs: Object.keys(stack.data?.terraform_remote_state ?? {}).sort(),
    imports: (stack.import ?? []).map((i) => i.to).sort(),
    removed: (stack.removed ?? []).map((r) => r.from).sort(),
  };
}

describe("example deployment", () => {
  const { stacks } = synthDeployment(exampleConfig());

  it("has one global and three regional stacks", () => {
    expect(Object.keys(stacks).sort()).toEqual(["global", "regional-asia-northeast1", "regional-europe-west1", "regional-us-east1"]);
  });

  it.each(Object.keys(stacks).sort())("stack %s matches its reviewed summary", (id) => {
    expect(summary(stacks[id])).toMatchSnapshot();
  });
});
