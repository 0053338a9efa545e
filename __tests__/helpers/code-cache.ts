/**
 * V8 code cache for the modules jest loads, shared by the test files of one
 * worker.
 *
 * jest evaluates every module afresh for each test file (its module registry
 * is per file) and compiles each one with `new vm.Script(...)`, which has no
 * code cache: every file that imports the library compiles about 30 MB of
 * JavaScript again (cdktf, the provider classes, the library), most of a
 * small test file's time. This keeps, per worker process, the first compile of
 * each module's wrapped source and hands V8 its code cache the next time the
 * same source is compiled. V8 checks the cache against the source and
 * rejects a mismatch (then it compiles as before), so the modules behave
 * exactly as without it; the registries and module instances stay per file.
 *
 * jest-runtime reads `vm.Script` at each compile, and a test file's
 * `require("vm")` is node's own module, so replacing the constructor here
 * (once per worker) is enough. Nothing is written to disk.
 */
import type * as vm from "vm";

// node's own module object (a namespace import would be a copy).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const vmModule = require("vm") as typeof vm;

const PATCHED = Symbol.for("sigstore-cdktf.test-code-cache");

interface Entry {
  readonly source: string;
  script?: vm.Script;
  data?: Buffer;
}

export function enableCodeCache(): void {
  const target = vmModule as unknown as { Script: typeof vm.Script } & Record<symbol, unknown>;
  if (target[PATCHED]) return;
  const Original = vmModule.Script;
  const entries = new Map<string, Entry>();
  class CachedScript extends Original {
    constructor(code: string, options?: vm.ScriptOptions | string) {
      const filename = typeof options === "object" ? options.filename : undefined;
      const entry = filename ? entries.get(filename) : undefined;
      const same = entry !== undefined && entry.source === code;
      if (same && !entry.data && entry.script) {
        // Taken after the first evaluation, so it holds the functions that ran then too.
        entry.data = entry.script.createCachedData();
        entry.script = undefined;
      }
      super(code, same && entry.data && typeof options === "object" ? { ...options, cachedData: entry.data } : options);
      if (filename && !same) entries.set(filename, { source: code, script: this });
    }
  }
  target.Script = CachedScript as unknown as typeof vm.Script;
  target[PATCHED] = true;
}
