// `node --require ./scripts/register-ts.js main.ts` (cdktf.json "app"): runs
// this checkout's TypeScript as `--require sucrase/register/ts` does (the same
// sucrase transform and options, the same inline source maps), keeping each
// file's output in node_modules/.cache/sigstore-cdktf/ts. The cache is keyed
// by a hash of the file's source, sucrase's version and the options, so an
// edited file is transformed again and nothing stale runs; the source map is
// completed with the file's path on each load (the transformed code of these
// transforms does not depend on the path). Transforming the library's ~90
// files was about a quarter of a cold synth. `npm ci` empties node_modules,
// so a fresh clone starts without a cache.
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const sucraseDir = path.dirname(require.resolve("sucrase/package.json"));
// sucrase itself loads only when a file is not cached yet.
let sucraseTransform;
const transform = (...args) => (sucraseTransform ??= require("sucrase").transform)(...args);
// sucrase/register/ts hooks require() through pirates; resolved from sucrase, whose dependency it is.
const pirates = require(require.resolve("pirates", { paths: [sucraseDir] }));

let options = { transforms: ["imports", "typescript"] };
if (process.env.SUCRASE_OPTIONS) options = { ...options, ...JSON.parse(process.env.SUCRASE_OPTIONS) };
const salt = JSON.stringify([require(path.join(sucraseDir, "package.json")).version, options]);
// SIGSTORE_TS_CACHE moves the cache (the bench times a synth with an empty one).
const cacheDir = process.env.SIGSTORE_TS_CACHE || path.join(__dirname, "..", "node_modules", ".cache", "sigstore-cdktf", "ts");

// Transforms whose output names the file (JSX, React) are keyed by its path too.
const pathInCode = options.transforms.some((t) => t !== "imports" && t !== "typescript");

/** sucrase's output for the file, and its source map with the file's path left out. */
function transformed(code, filePath) {
  const result = transform(code, { ...options, sourceMapOptions: { compiledFilename: filePath }, filePath });
  const map = { ...result.sourceMap };
  if (map.file !== filePath || map.sources.length !== 1 || map.sources[0] !== filePath) throw new Error(`unexpected source map of ${filePath}`);
  map.file = null;
  map.sources = [null];
  return { code: result.code, map };
}

/** What sucrase/register/ts returns: the code with its source map inline. */
function withSourceMap({ code, map }, filePath) {
  const sourceMap = { ...map, file: filePath, sources: [filePath] };
  const base64 = Buffer.from(JSON.stringify(sourceMap)).toString("base64");
  return `${code}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${base64}`;
}

pirates.addHook(
  (code, filePath) => {
    const hash = crypto.createHash("sha256").update(salt).update("\0").update(code);
    if (pathInCode) hash.update("\0").update(filePath);
    const cached = path.join(cacheDir, `${hash.digest("hex")}.json`);
    try {
      return withSourceMap(JSON.parse(fs.readFileSync(cached, "utf8")), filePath);
    } catch {
      // Not cached yet.
    }
    const output = transformed(code, filePath);
    try {
      // Written whole, then renamed: a concurrent synth never reads half a file.
      fs.mkdirSync(cacheDir, { recursive: true });
      const partial = `${cached}.${process.pid}.partial`;
      fs.writeFileSync(partial, JSON.stringify(output));
      fs.renameSync(partial, cached);
    } catch {
      // A read-only node_modules only means no cache.
    }
    return withSourceMap(output, filePath);
  },
  { exts: [".ts"] },
);
