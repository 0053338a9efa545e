import { exampleConfig, synthDeployment } from "./helpers/synth";

// A readable record of the example's full synthesized output. Behaviour is
// asserted by the other suites; this catches changes nobody meant to make.
describe("example deployment", () => {
  const { stacks } = synthDeployment(exampleConfig());
  it.each(Object.keys(stacks).sort())("stack %s matches its snapshot", (id) => {
    expect(stacks[id]).toMatchSnapshot();
  });
});
