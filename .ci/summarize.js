// Reads jest's --json result and prints the CI line: "N passed, N failed, N skipped".
// Exit status 0 only when nothing failed, and the line always says why not:
// - failed tests, and obsolete snapshots (with --ci nothing is ever written),
// - suites that threw at load (their tests never ran: each counts as a failure),
// - tests skipped in a tier that must run (the Terraform replays),
// - a runner that failed without naming a failed test, or wrote no result.
// Usage: node .ci/summarize.js <result.json> <jest exit status>
const fs = require("fs");

const [file, statusArg] = process.argv.slice(2);
const runnerStatus = Number(statusArg ?? 1);
const MUST_RUN = /[\\/]__tests__[\\/]terraform[\\/]/;

let r = null;
try {
  r = JSON.parse(fs.readFileSync(file, "utf8"));
} catch {
  r = null;
}
if (!r) {
  console.error("the test runner wrote no result");
  console.log("0 passed, 1 failed, 0 skipped");
  process.exit(1);
}

const reasons = [];
let failed = r.numFailedTests;
if (r.numFailedTests > 0) reasons.push(`${r.numFailedTests} failed test(s)`);

const loadErrors = r.testResults.filter((s) => s.testExecError || (s.status === "failed" && s.assertionResults.length === 0));
if (loadErrors.length > 0) {
  failed += loadErrors.length;
  reasons.push(`${loadErrors.length} suite(s) failed to load; their tests did not run: ${loadErrors.map((s) => s.name).join(", ")}`);
}

// Without -u, jest still counts obsolete snapshot files in filesRemoved (it does not delete them).
const obsolete = r.snapshot?.unchecked ?? 0;
const obsoleteFiles = r.snapshot?.filesRemoved ?? 0;
if (obsolete + obsoleteFiles > 0) {
  failed += obsolete + obsoleteFiles;
  reasons.push(`${obsolete} obsolete snapshot(s), ${obsoleteFiles} obsolete snapshot file(s)`);
}
if ((r.snapshot?.added ?? 0) > 0 || (r.snapshot?.updated ?? 0) > 0) {
  failed += r.snapshot.added + r.snapshot.updated;
  reasons.push(`${r.snapshot.added + r.snapshot.updated} snapshot(s) written; CI never writes snapshots`);
}

const skipped = r.numPendingTests + r.numTodoTests;
const mustRun = r.testResults.filter((s) => MUST_RUN.test(s.name));
const skippedMustRun = mustRun.flatMap((s) => s.assertionResults.filter((a) => a.status !== "passed" && a.status !== "failed"));
if (skippedMustRun.length > 0) {
  failed += skippedMustRun.length;
  reasons.push(`${skippedMustRun.length} Terraform replay test(s) skipped; they must run in CI (is terraform on PATH?)`);
}
if (mustRun.length === 0) {
  failed += 1;
  reasons.push("no Terraform replay suite ran");
}

if (failed === 0 && (runnerStatus !== 0 || !r.success)) {
  failed = 1;
  reasons.push(`the test runner failed (exit ${runnerStatus}) without a failed test`);
}

const slowest = r.testResults
  .map((s) => [(s.endTime - s.startTime) / 1000, s.name.replace(/^.*?__tests__[\\/]/, "__tests__/")])
  .sort((a, b) => b[0] - a[0])
  .slice(0, 5);
console.log(`slowest suites: ${slowest.map(([t, n]) => `${n} ${t.toFixed(1)} s`).join(", ")}`);
for (const reason of reasons) console.error(`CI failure: ${reason}`);
console.log(`${r.numPassedTests} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);
