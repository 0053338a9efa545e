// Longest suites first, so that no long suite starts last and runs alone on
// one worker while the other waits (jest's own order without timings, as on a
// fresh clone, is by file size: the quick start, 72 lines and about 10 s,
// would start near the end). jest's recorded durations win when it has them;
// without them, the CPU seconds measured for the slowest suites (npm run
// bench:tests) stand in, and any other suite is estimated by its size.
const Sequencer = require("@jest/test-sequencer").default;
const path = require("path");

/** Measured seconds (CPU, one suite alone); only the order matters. */
const KNOWN_SECONDS = {
  "quickstart.test.ts": 16,
  "shared/dns-handoff.test.ts": 13,
  "terraform/dns-handoff.terraform.test.ts": 8,
  "functions/build.test.ts": 6.5,
  "terraform/cross-stack.terraform.test.ts": 4.5,
  "regional/workloads.test.ts": 4.5,
  "shared/stack-json.test.ts": 4,
  "package/release.test.ts": 4,
  "trust/clients.test.ts": 3.5,
};

class LongestFirstSequencer extends Sequencer {
  sort(tests) {
    const root = path.join(__dirname, "..");
    const estimate = (test) => {
      const recorded = this.time(test);
      if (recorded != null) return recorded / 1000;
      const known = KNOWN_SECONDS[path.relative(root, test.path).split(path.sep).join("/")];
      if (known != null) return known;
      // About a second per 10 kB of test code (most suites take 1–3 s).
      return (test.context.hasteFS.getSize(test.path) ?? 0) / 10000;
    };
    const failed = (test) => (this.hasFailed(test) ? 1 : 0);
    const keyed = tests.map((test) => ({ test, failed: failed(test), seconds: estimate(test) }));
    keyed.sort((a, b) => b.failed - a.failed || b.seconds - a.seconds || (a.test.path < b.test.path ? -1 : 1));
    return keyed.map((k) => k.test);
  }
}

module.exports = LongestFirstSequencer;
