const fs = require("fs");

module.exports = async function globalTeardown() {
  const dir = process.env.SIGSTORE_TEST_SYNTH_CACHE;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
};
