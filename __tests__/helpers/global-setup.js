// One synth cache directory per test run, shared by all workers (see
// synthDeployment in synth.ts); global-teardown.js removes it. One temporary
// directory per run, which must be empty at the end. And `terraform version`,
// asked once per run instead of once per replay file.
const fs = require("fs");
const { spawnSync } = require("child_process");
const os = require("os");
const path = require("path");

module.exports = async function globalSetup() {
  // The prebuilt function zips (jest allows one globalSetup; this one runs both).
  await require("../../jest.global-setup.js")();
  process.env.SIGSTORE_TEST_SYNTH_CACHE = fs.mkdtempSync(path.join(os.tmpdir(), "sigstore-synth-cache-"));
  // Every worker's and child's temporary files go to one directory per run,
  // which global-teardown.js requires to be empty: tests clean up after themselves.
  process.env.SIGSTORE_TEST_TMP = fs.mkdtempSync(path.join(os.tmpdir(), "sigstore-test-tmp-"));
  process.env.TMPDIR = process.env.SIGSTORE_TEST_TMP;
  const terraform = spawnSync("terraform", ["version"], { encoding: "utf8" });
  // Empty when terraform is not on PATH (see helpers/terraform.ts).
  process.env.SIGSTORE_TEST_TERRAFORM_VERSION = terraform.status === 0 ? terraform.stdout.split("\n")[0] : "";
};
