// Synthesis for the tests, run in the jest worker's own realm, outside the
// per-file sandbox (see synth.ts). Loaded with node's require: the library's
// TypeScript goes through the app's loader (scripts/register-ts.js, sucrase as
// cdktf.json's app runs it), and cdktf, the providers and the library are
// loaded once per worker instead of once per test file. Inside jest's sandbox
// every global lookup (Object, Array, JSON…) goes through the vm context's
// interceptors, which made a synth about twice as slow as in node.
// Only strings cross back into the sandbox.
const fs = require("fs");
const os = require("os");
const path = require("path");
const crypto = require("crypto");

const ROOT = path.resolve(__dirname, "../..");
require(path.join(ROOT, "scripts", "register-ts.js"));
const { App } = require("cdktf");

/** This checkout's modules (not node_modules) in node's module cache, with their modification times when loaded. */
let loaded = new Map();
let lib;

/**
 * The library's modules, loaded again when one of them changed since they
 * were loaded (a worker outlives a run in `jest --watch`).
 */
function library() {
  const stale = lib === undefined || [...loaded].some(([file, mtime]) => !fs.existsSync(file) || fs.statSync(file).mtimeMs !== mtime);
  if (stale) {
    for (const file of Object.keys(require.cache)) if (isOwn(file)) delete require.cache[file];
    lib = {
      addSigstoreDeployment: require(path.join(ROOT, "lib", "app")).addSigstoreDeployment,
      parseConfig: require(path.join(ROOT, "lib", "config", "load")).parseConfig,
      enableFastSynthesis: require(path.join(ROOT, "lib", "shared", "fast-synthesis")).enableFastSynthesis,
    };
    // As the sandbox's setup does for its own cdktf (and as a fast synth does anyway).
    require(path.join(ROOT, "lib", "shared", "lean-synth")).disableTokenStackTraces();
    loaded = new Map(Object.keys(require.cache).filter(isOwn).map((file) => [file, fs.statSync(file).mtimeMs]));
  }
  return lib;
}

function isOwn(file) {
  return file.startsWith(ROOT + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`) && file !== __filename;
}

function readTree(dir, base = dir, out = {}) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) readTree(full, base, out);
    else out[path.relative(base, full)] = fs.readFileSync(full, "utf8");
  }
  return out;
}

/**
 * Synthesizes the configuration (JSON of an input or parsed configuration)
 * and returns the key of its parsed form (sha256 of its JSON, as synth.ts
 * computes it in the sandbox) and every file written, by relative path.
 */
function synthFiles(configJson, fast) {
  const { addSigstoreDeployment, parseConfig, enableFastSynthesis } = library();
  const parsed = parseConfig(JSON.parse(configJson));
  const key = crypto.createHash("sha256").update(JSON.stringify(parsed)).digest("hex");
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "sigstore-synth-"));
  try {
    const app = new App({ outdir });
    if (fast) enableFastSynthesis(app);
    addSigstoreDeployment(app, parsed);
    app.synth();
    return { key, files: readTree(outdir) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
    // cdktf keeps every token in one map per realm (library modules hold
    // tokens across apps, so it stays): about 2.6 MB per synth of the
    // example, measured after a full GC.
  }
}

module.exports = { synthFiles };
