// One synth cache directory per test run, shared by all workers (see
// synthDeployment in synth.ts); global-teardown.js removes it.
const fs = require("fs");
const os = require("os");
const path = require("path");

module.exports = async function globalSetup() {
  // The prebuilt function zips (jest allows one globalSetup; this one runs both).
  await require("../../jest.global-setup.js")();
  process.env.SIGSTORE_TEST_SYNTH_CACHE = fs.mkdtempSync(path.join(os.tmpdir(), "sigstore-synth-cache-"));
};
