// Preloaded (node --require) ahead of the app command by `npm run bench`:
// starts the clock before anything else, so the time covers what the app pays
// (TypeScript loader, modules, configuration, constructs, writing JSON), and
// reports it with the process's peak memory when the process exits.
const start = process.hrtime.bigint();
process.on("exit", () => {
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  require("fs").writeFileSync(process.env.BENCH_CLOCK_FILE, JSON.stringify([ms, process.resourceUsage().maxRSS / 1024]));
});
