// npm run bench: synthesis speed and memory, as ratios measured in one run.
//
// 1. Cold synth of the shipped example: the command `cdktf synth` runs
//    (cdktf.json "app") in a fresh Node process, timed from its first line:
//    TypeScript loader + module loading + configuration + constructs + JSON.
//    The loader keeps sucrase's output in node_modules/.cache (scripts/register-ts.js),
//    as on any synth after the first; one extra run shows the synth with an empty cache.
// 2. Baseline: a bare require() of the @cdktf/provider-google package root in a
//    fresh Node process (what a root import would cost every synth).
//    Cold and baseline runs alternate, so both see the same machine load.
// 3. Warm synth time for 1, 3, 10 and 30 regions, and the cost of each added region.
// 4. Peak memory (max RSS) of the cold synth, of this process, and of the baseline.
import { zonesOf } from "../lib/config/gcp-locations";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { App } from "cdktf";
import { addSigstoreDeployment } from "../lib/app";
import { loadConfigFile, parseConfig } from "../lib/config/load";
import type { SigstoreConfig } from "../lib/config/schema";
import { enableFastSynthesis } from "../lib/shared/fast-synthesis";

const ROOT = path.join(__dirname, "..");
const EXAMPLE = path.join(ROOT, "config", "example.yaml");

function synthOnce(config: SigstoreConfig): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
  const start = performance.now();
  const app = new App({ outdir });
  enableFastSynthesis(app); // as main.ts does
  addSigstoreDeployment(app, config);
  app.synth();
  const elapsed = performance.now() - start;
  fs.rmSync(outdir, { recursive: true, force: true });
  return elapsed;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The app command from cdktf.json, run in a fresh process with the clock preloaded: [ms, maxRSS MB]. */
const APP: string = JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")).app;
const [APP_PROGRAM, ...APP_ARGS] = APP.split(/\s+/);
if (APP_PROGRAM !== "node") throw new Error(`cdktf.json app must start with "node": ${APP}`);

function coldSynth(options: { emptyTransformCache?: boolean } = {}): [number, number] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-cold-"));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: path.join(dir, "out"), BENCH_CLOCK_FILE: path.join(dir, "clock.json") };
    if (options.emptyTransformCache) env.SIGSTORE_TS_CACHE = path.join(dir, "ts-cache");
    delete env.SIGSTORE_CONFIG; // the shipped example
    execFileSync(process.execPath, ["--require", path.join(__dirname, "start-clock.js"), ...APP_ARGS], { cwd: ROOT, env, stdio: "inherit" });
    return JSON.parse(fs.readFileSync(env.BENCH_CLOCK_FILE!, "utf8"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Cold require of the provider root in a fresh process: [ms, maxRSS MB]. */
function baseline(): [number, number] {
  const script =
    "const t=process.hrtime.bigint();require('@cdktf/provider-google');" +
    "const ms=Number(process.hrtime.bigint()-t)/1e6;" +
    "process.stdout.write(JSON.stringify([ms, process.resourceUsage().maxRSS/1024]))";
  const out = execFileSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
  return JSON.parse(out);
}

const firstSynthMs = coldSynth({ emptyTransformCache: true })[0];
const coldRuns: [number, number][] = [];
const baselineRuns: [number, number][] = [];
coldSynth(); // fills the transform cache if this checkout's sources changed
for (let i = 0; i < 5; i++) {
  coldRuns.push(coldSynth());
  baselineRuns.push(baseline());
}
const coldMs = median(coldRuns.map(([ms]) => ms));
const coldRssMb = Math.max(...coldRuns.map(([, mb]) => mb));
const baselineMs = median(baselineRuns.map(([ms]) => ms));
const baselineRssMb = Math.max(...baselineRuns.map(([, mb]) => mb));
const coldConfig = loadConfigFile(EXAMPLE);

// Real regions, so that names and zones look like a real deployment.
const REGIONS = [
  "us-east1", "europe-west1", "asia-northeast1", "us-central1", "us-west1", "us-east4", "us-west2", "us-west3",
  "us-west4", "us-south1", "northamerica-northeast1", "northamerica-northeast2", "southamerica-east1",
  "southamerica-west1", "europe-west2", "europe-west3", "europe-west4", "europe-west6", "europe-west8",
  "europe-west9", "europe-north1", "europe-central2", "europe-southwest1", "asia-east1", "asia-east2",
  "asia-northeast2", "asia-northeast3", "asia-south1", "asia-southeast1", "australia-southeast1",
];

function configWithRegions(n: number): SigstoreConfig {
  const input = structuredClone(coldConfig) as any;
  input.regions = REGIONS.slice(0, n).map((region) => ({
    region,
    clusterName: `sigstore-${region}`,
    // Three of the region's real zones (the configuration checks them against the list).
    zones: zonesOf(region)!.slice(0, 3),
  }));
  input.primaryRegion = REGIONS[0];
  return parseConfig(input);
}

const scaling: { regions: number; ms: number }[] = [];
for (const n of [1, 3, 10, 30]) {
  const config = configWithRegions(n);
  synthOnce(config); // warm-up for this size
  const runs = Array.from({ length: n >= 30 ? 5 : 7 }, () => synthOnce(config));
  scaling.push({ regions: n, ms: median(runs) });
}
// Cost of one more region: the least-squares slope over every size measured.
const meanN = scaling.reduce((a, s) => a + s.regions, 0) / scaling.length;
const meanMs = scaling.reduce((a, s) => a + s.ms, 0) / scaling.length;
const perRegionMs =
  scaling.reduce((a, s) => a + (s.regions - meanN) * (s.ms - meanMs), 0) / scaling.reduce((a, s) => a + (s.regions - meanN) ** 2, 0);
const peakRssMb = process.resourceUsage().maxRSS / 1024;

const ratio = coldMs / baselineMs;
const fmt = (n: number) => n.toFixed(1).padStart(8);
const verdict = (ok: boolean) => (ok ? "meets target" : "MISSES target");

console.log("Synthesis of the example deployment (3 regions), cold: the cdktf.json app in a fresh process");
console.log(`  synth incl. TypeScript loader and module loading ${fmt(coldMs)} ms (median of 5)`);
console.log(`  baseline: require('@cdktf/provider-google') root, fresh process ${fmt(baselineMs)} ms (median of 5)`);
console.log(`  ratio synth / baseline ${ratio.toFixed(2).padStart(8)}      target <= 0.5: ${verdict(ratio <= 0.5)}`);
console.log(`  with an empty transform cache (first synth after npm ci; one run) ${fmt(firstSynthMs)} ms   ratio ${(firstSynthMs / baselineMs).toFixed(2)}`);
console.log("");
console.log("Warm synth time by number of regions (median)");
for (const s of scaling) console.log(`  ${String(s.regions).padStart(2)} regions ${fmt(s.ms)} ms`);
console.log(`  per added region (slope, 1 to 30) ${fmt(perRegionMs)} ms   target < 30 ms: ${verdict(perRegionMs < 30)}`);
console.log("");
console.log("Peak memory (max RSS)");
console.log(`  cold synth of the example ${fmt(coldRssMb)} MB   ratio to baseline ${(coldRssMb / baselineRssMb).toFixed(2)}`);
console.log(`  this process, after 30 regions ${fmt(peakRssMb)} MB   ratio to baseline ${(peakRssMb / baselineRssMb).toFixed(2)}`);
console.log(`  baseline process ${fmt(baselineRssMb)} MB`);

// Dex JWKS merger: what each invocation does, on 10 regions x 5 real keys.
async function mergerSection(): Promise<void> {
  const { exportJWK, generateKeyPair } = await import("jose");
  const { mergeImportableJwks, serializeJwks } = require("../functions/jwks-merger/src/merge") as typeof import("../functions/jwks-merger/src/merge");
  const { bundleFunction } = require("../functions/build") as typeof import("../functions/build");
  const sources: { source: string; body: string }[] = [];
  for (let region = 0; region < 10; region++) {
    const keys = [];
    for (let k = 0; k < 5; k++) {
      const alg = k % 2 === 0 ? "RS256" : "ES256";
      const { publicKey } = await generateKeyPair(alg, { extractable: true });
      keys.push({ ...(await exportJWK(publicKey)), kid: `region${region}-key${k}`, alg, use: "sig" });
    }
    sources.push({ source: `keys/region-${region}.json`, body: JSON.stringify({ keys }) });
  }
  // Steady state: the instance has seen these keys (the handler keeps one
  // import cache per instance). First merge: every key imported anew.
  const measure = async (cache: () => Map<string, true | string>) => {
    for (let i = 0; i < 50; i++) serializeJwks((await mergeImportableJwks(sources, cache())).jwks); // warm-up
    const times: number[] = [];
    for (let i = 0; i < 500; i++) {
      const c = cache();
      const start = performance.now();
      serializeJwks((await mergeImportableJwks(sources, c)).jwks);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return { median: median(times), p99: times[Math.floor(times.length * 0.99) - 1] };
  };
  const shared = new Map<string, true | string>();
  const steady = await measure(() => shared);
  const first = await measure(() => new Map());
  const merger = bundleFunction("jwks-merger").files["index.js"].byteLength;
  const publisher = bundleFunction("jwks-publisher").files["index.js"].byteLength;
  console.log("");
  console.log("Dex JWKS merge, 10 regions x 5 keys (500 runs each)");
  console.log(`  steady state (keys seen before)  median ${fmt(steady.median)} ms   p99 ${fmt(steady.p99)} ms   target p99 < 5 ms: ${verdict(steady.p99 < 5)}`);
  console.log(`  first merge (every key imported) median ${fmt(first.median)} ms   p99 ${fmt(first.p99)} ms`);
  console.log(`  merger bundle ${fmt(merger / 1024)} KiB   target < 1 MB: ${verdict(merger < 1_000_000)}`);
  console.log(`  publisher bundle ${fmt(publisher / 1024)} KiB (mounted from a ConfigMap, 1 MiB at most)`);
}
void mergerSection();
