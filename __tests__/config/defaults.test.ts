import { parseConfig } from "../../lib/config/load";
import { baseConfig } from "../helpers/synth";
import { databaseSettings } from "../regional/data-helpers";

// The construct tests build the data layer from defaults written down in
// data-helpers.ts; this pins them to what the schema actually defaults to, so
// a changed default fails here (and is reviewed) instead of leaving the
// construct tests testing a configuration nobody gets.
describe("schema defaults", () => {
  it("regional.database defaults are the ones the data-layer tests use", () => {
    expect(parseConfig(baseConfig()).regional.database).toEqual(databaseSettings());
  });
});
