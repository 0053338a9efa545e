// Bundles the deployable functions into single deterministic files and
// packages them as deterministic zips, written next to their sources
// (functions/<name>/dist/) and shipped in the npm package. A development tool
// (`npm run build:functions`, `npm run build`, the repository's own app and
// test setup): the library only reads the prebuilt zips
// (lib/shared/function-packages.ts) and never needs esbuild.
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { buildSync } from "esbuild";
import { Zippable, zipSync } from "fflate";

export type FunctionName = "jwks-merger" | "jwks-publisher";

interface Recipe {
  readonly entry: string;
  /** Modules left out of the bundle and declared in package.json instead. */
  readonly external: readonly string[];
}

const ROOT = __dirname;
const RECIPES: { readonly [K in FunctionName]: Recipe } = {
  // The Cloud Functions runtime loads our module into its own Functions
  // Framework; a bundled copy would register the function in the wrong registry.
  "jwks-merger": { entry: "jwks-merger/src/index.ts", external: ["@google-cloud/functions-framework"] },
  // Runs as `node index.js`: everything inside.
  "jwks-publisher": { entry: "jwks-publisher/src/main.ts", external: [] },
};

export interface FunctionBundle {
  /** File name → bytes: `index.js` and a minimal `package.json`. */
  readonly files: { readonly [file: string]: Uint8Array };
}

/** Version of an installed package (its package.json is not always an exported path). */
function installedVersion(pkg: string): string {
  let dir = path.dirname(require.resolve(pkg));
  for (;;) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const json = JSON.parse(fs.readFileSync(file, "utf8"));
      if (json.name === pkg) return json.version;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the version of ${pkg}`);
    dir = parent;
  }
}

/** Bundles one function; the same sources always give the same bytes. */
export function bundleFunction(name: FunctionName): FunctionBundle {
  const recipe = RECIPES[name];
  const result = buildSync({
    entryPoints: [path.join(ROOT, recipe.entry)],
    absWorkingDir: ROOT,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: true,
    legalComments: "eof",
    sourcemap: false,
    write: false,
    external: [...recipe.external],
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  // Paths of this machine would make the bytes (and the deployed object's
  // name) differ between machines, and leak the build environment.
  const text = Buffer.from(code).toString("utf8");
  const repoRoot = path.dirname(ROOT);
  if (text.includes(repoRoot)) throw new Error(`the ${name} bundle contains the local path ${repoRoot}`);
  const packageJson = {
    name: `sigstore-${name}`,
    version: "1.0.0",
    private: true,
    main: "index.js",
    engines: { node: ">=20" },
    dependencies: Object.fromEntries(recipe.external.map((pkg) => [pkg, installedVersion(pkg)])),
  };
  return {
    files: {
      "index.js": code,
      "package.json": new TextEncoder().encode(`${JSON.stringify(packageJson, null, 2)}\n`),
    },
  };
}

/** A zip with sorted entries and fixed timestamps: byte-identical on any machine. */
export function deterministicZip(files: { readonly [file: string]: Uint8Array }): Uint8Array {
  // fflate writes DOS timestamps from the Date's *local* fields, so the date is
  // built from local fields too: 1980-01-01 00:00:00 whatever the time zone.
  const mtime = new Date(1980, 0, 1, 0, 0, 0);
  const zippable: Zippable = {};
  for (const file of Object.keys(files).sort()) zippable[file] = [files[file], { mtime, level: 9 }];
  return zipSync(zippable, { mtime });
}

/** Content hash (sha256, hex) of a package, e.g. of its zip, for the deployed object's name. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Hash of everything a bundle is built from, to cache bundles across synths. */
export function sourceHash(name: FunctionName): string {
  const hash = createHash("sha256").update(name);
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === "dist" || e.name === "node_modules" ? [] : walk(full);
      return e.name.endsWith(".ts") ? [full] : [];
    });
  for (const file of walk(ROOT).sort()) hash.update(path.relative(ROOT, file)).update(fs.readFileSync(file));
  const lock = path.join(ROOT, "..", "package-lock.json");
  if (fs.existsSync(lock)) hash.update(fs.readFileSync(lock));
  return hash.digest("hex");
}

export interface PackagedFunction {
  /** Path of the zip on disk. */
  readonly zipFile: string;
  readonly sha256: string;
  readonly files: { readonly [file: string]: Uint8Array };
}

/**
 * The zip of a function, built once per distinct source and kept under
 * `cacheDir` (by default node_modules/.cache/sigstore-cdktf).
 */
export function packageFunction(name: FunctionName, cacheDir = path.join(ROOT, "..", "node_modules", ".cache", "sigstore-cdktf")): PackagedFunction {
  const dir = path.join(cacheDir, `${name}-${sourceHash(name).slice(0, 24)}`);
  const zipFile = path.join(dir, "package.zip");
  if (!fs.existsSync(zipFile)) {
    const bundle = bundleFunction(name);
    fs.mkdirSync(dir, { recursive: true });
    for (const [file, bytes] of Object.entries(bundle.files)) fs.writeFileSync(path.join(dir, file), bytes);
    // Write-then-rename: a concurrent synth never sees half a zip.
    const tmp = `${zipFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, deterministicZip(bundle.files));
    fs.renameSync(tmp, zipFile);
  }
  const zip = fs.readFileSync(zipFile);
  const files = Object.fromEntries(["index.js", "package.json"].map((f) => [f, new Uint8Array(fs.readFileSync(path.join(dir, f)))]));
  return { zipFile, sha256: sha256(zip), files };
}

export const FUNCTION_NAMES = Object.keys(RECIPES) as FunctionName[];

/** Where the prebuilt files of a function go: what the library reads and the package ships. */
export function prebuiltDir(name: FunctionName, root = ROOT): string {
  return path.join(root, name, "dist");
}

/** Records which sources a prebuilt directory was built from; not shipped. */
const STAMP = ".source-hash";

/**
 * Writes `index.js`, `package.json` and `package.zip` of a function to
 * `prebuiltDir(name, root)`. Returns the zip's sha256.
 */
export function writePrebuilt(name: FunctionName, root = ROOT): string {
  const bundle = bundleFunction(name);
  const out = prebuiltDir(name, root);
  fs.mkdirSync(out, { recursive: true });
  for (const [file, bytes] of Object.entries(bundle.files)) fs.writeFileSync(path.join(out, file), bytes);
  const zip = deterministicZip(bundle.files);
  // Write-then-rename: a concurrent synth never sees half a zip.
  const tmp = path.join(out, `package.zip.${process.pid}.tmp`);
  fs.writeFileSync(tmp, zip);
  fs.renameSync(tmp, path.join(out, "package.zip"));
  if (root === ROOT) fs.writeFileSync(path.join(out, STAMP), `${sourceHash(name)}\n`);
  return sha256(zip);
}

/**
 * Builds the prebuilt functions of this checkout when they are missing or
 * older than their sources (the repository's own app and tests call this, so
 * `npm ci && npx cdktf synth` works on a fresh clone). Returns the names rebuilt.
 */
export function ensurePrebuilt(): FunctionName[] {
  const rebuilt: FunctionName[] = [];
  for (const name of FUNCTION_NAMES) {
    const out = prebuiltDir(name);
    const stamp = path.join(out, STAMP);
    const fresh =
      ["index.js", "package.json", "package.zip"].every((f) => fs.existsSync(path.join(out, f))) &&
      fs.existsSync(stamp) &&
      fs.readFileSync(stamp, "utf8").trim() === sourceHash(name);
    if (!fresh) {
      writePrebuilt(name);
      rebuilt.push(name);
    }
  }
  return rebuilt;
}

if (require.main === module) {
  // `--out <dir>` builds into another tree (the consumer test compares hashes with it).
  const at = process.argv.indexOf("--out");
  const root = at > 0 ? path.resolve(process.argv[at + 1]) : ROOT;
  for (const name of FUNCTION_NAMES) {
    const hash = writePrebuilt(name, root);
    const out = prebuiltDir(name, root);
    const index = fs.statSync(path.join(out, "index.js")).size;
    const zip = fs.statSync(path.join(out, "package.zip")).size;
    process.stdout.write(`${name}: index.js ${index} bytes, zip ${zip} bytes, sha256 ${hash}\n`);
  }
}
