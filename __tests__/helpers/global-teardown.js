const fs = require("fs");

module.exports = async function globalTeardown() {
  const dir = process.env.SIGSTORE_TEST_SYNTH_CACHE;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  // The run's temporary directory (TMPDIR of every worker and child, see
  // global-setup.js) must be empty: each test removes what it makes. What is
  // left is named, removed, and fails the run through the exit status (jest's
  // JSON result, written after this, counts tests only; .ci/summarize.js
  // counts a failed run without a failed test as one failure).
  const tmp = process.env.SIGSTORE_TEST_TMP;
  if (!tmp) return;
  const left = fs.existsSync(tmp) ? fs.readdirSync(tmp).sort() : [];
  fs.rmSync(tmp, { recursive: true, force: true });
  if (left.length > 0) {
    process.stderr.write(
      `\nThe tests left ${left.length} temporary file(s) behind in ${tmp} (removed now): ${left.slice(0, 20).join(", ")}${left.length > 20 ? ", …" : ""}.\n` +
        "A test removes what it makes: helpers/temp.ts tempDir() and helpers/construct.ts testApp() do it after the file.\n",
    );
    process.exitCode = 1;
  }
};
