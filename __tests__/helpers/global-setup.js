// One synth cache directory per test run, shared by all workers (see
// synthDeployment in synth.ts); global-teardown.js removes it.
const fs = require("fs");
const os = require("os");
const path = require("path");

module.exports = async function globalSetup() {
  process.env.SIGSTORE_TEST_SYNTH_CACHE = fs.mkdtempSync(path.join(os.tmpdir(), "sigstore-synth-cache-"));
};
