// npm run bench:tests: the test suite's wall time, CPU time and five slowest
// suites, so the 60 s budget stays visible. Runs jest as CI does (--ci).
// Extra arguments go to jest (e.g. a path to time one suite).
const fs = require("fs");
const os = require("os");
const path = require("path");
const { spawnSync } = require("child_process");

/** CPU seconds (user + system) of this process's waited-for children, from /proc (Linux), else undefined. */
function childrenCpuSeconds() {
  try {
    const fields = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    // Fields 16 and 17 (cutime, cstime) counted from 1; index 13 and 14 after the command name.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

const result = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-tests-")), "result.json");
const jest = require.resolve("jest/bin/jest");
const start = performance.now();
const run = spawnSync(process.execPath, [jest, "--ci", "--json", `--outputFile=${result}`, ...process.argv.slice(2)], { stdio: ["ignore", "ignore", "inherit"] });
const wall = (performance.now() - start) / 1000;
const cpu = childrenCpuSeconds();
const r = JSON.parse(fs.readFileSync(result, "utf8"));
fs.rmSync(path.dirname(result), { recursive: true, force: true });

const suites = r.testResults
  .map((s) => ({ name: path.relative(process.cwd(), s.name), seconds: (s.endTime - s.startTime) / 1000, tests: s.assertionResults.length }))
  .sort((a, b) => b.seconds - a.seconds);
console.log(`test suite: ${wall.toFixed(1)} s wall${cpu === undefined ? "" : `, ${cpu.toFixed(1)} s CPU (user+sys, all processes)`}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}`);
console.log(`${r.numTotalTestSuites} suites, ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped; budget 60 s wall on an idle 2-core machine`);
console.log("five slowest suites (jest's own time per suite; on a loaded machine this includes waiting):");
for (const s of suites.slice(0, 5)) console.log(`  ${s.seconds.toFixed(1).padStart(6)} s  ${s.name} (${s.tests} tests)`);
process.exit(run.status ?? 1);
