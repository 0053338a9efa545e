import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ENTRY_POINT, ENV, LOG_EVENTS } from "../../functions/jwks-merger/src/contract";
import type { FunctionSource } from "../global/dex-jwks";

// The functions ship prebuilt in the package (functions/<name>/dist/, built by
// `npm run build`), so synth only reads files: no bundler, no function
// dependencies. Memoized for the process: several stacks share them.

/** Name of this package, to find its root from wherever it is installed. */
const PACKAGE_NAME = "sigstore-cdktf";

let root: string | undefined;

/** The package's root directory: from lib/shared (sources) or dist/lib/shared (compiled). */
export function packageRoot(): string {
  if (root) return root;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string }).name === PACKAGE_NAME) return (root = dir);
    if (path.dirname(dir) === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${__dirname}`);
  }
}

export interface PrebuiltFunction {
  /** Absolute path of the deterministic zip (index.js + package.json); only read, never written to output. */
  readonly zipFile: string;
  /** Absolute path of the single-file bundle inside the zip (shipped for the key publisher only). */
  readonly indexFile: string;
  /** sha256 (hex) of the zip: the same wherever the package is installed. */
  readonly sha256: string;
}

function requireFile(name: string, file: string): void {
  if (fs.existsSync(file)) return;
  throw new Error(
    `The prebuilt ${name} function is missing (${path.relative(packageRoot(), file)}). ` +
      "A published sigstore-cdktf package ships it; in a clone of the repository run `npm run build:functions`.",
  );
}

const cache = new Map<string, PrebuiltFunction>();

/** A prebuilt function of the package, e.g. "jwks-merger". */
export function prebuiltFunction(name: "jwks-merger" | "jwks-publisher"): PrebuiltFunction {
  const hit = cache.get(name);
  if (hit) return hit;
  const dir = path.join(packageRoot(), "functions", name, "dist");
  const zipFile = path.join(dir, "package.zip");
  const indexFile = path.join(dir, "index.js");
  requireFile(name, zipFile);
  const sha256 = createHash("sha256").update(fs.readFileSync(zipFile)).digest("hex");
  const prebuilt = { zipFile, indexFile, sha256 };
  cache.set(name, prebuilt);
  return prebuilt;
}

/** The Dex JWKS merger, packaged for Cloud Functions. */
export function jwksMergerSource(): FunctionSource {
  const { zipFile, sha256 } = prebuiltFunction("jwks-merger");
  return {
    zipFile,
    sha256,
    entryPoint: ENTRY_POINT,
    runtime: "nodejs20",
    env: ENV,
    logEvents: { succeeded: LOG_EVENTS.succeeded, failed: LOG_EVENTS.failed },
  };
}

/** The key publisher's single-file bundle (index.js), run by a Node.js image. */
export function jwksPublisherBundle(): { readonly file: string; readonly sha256: string } {
  const { indexFile, sha256 } = prebuiltFunction("jwks-publisher");
  requireFile("jwks-publisher", indexFile);
  return { file: indexFile, sha256 };
}
