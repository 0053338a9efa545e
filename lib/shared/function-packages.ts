import * as fs from "fs";
import * as path from "path";
import { packageFunction } from "../../functions/build";
import { ENTRY_POINT, ENV, LOG_EVENTS } from "../../functions/jwks-merger/src/contract";
import type { FunctionSource } from "../global/dex-jwks";

// Functions are bundled at synth time, once per distinct source (cached under
// node_modules/.cache), and memoized for the process: several stacks share them.
let merger: FunctionSource | undefined;
let publisher: { readonly file: string; readonly sha256: string } | undefined;

/** The Dex JWKS merger, packaged for Cloud Functions. */
export function jwksMergerSource(): FunctionSource {
  if (!merger) {
    const packaged = packageFunction("jwks-merger");
    merger = {
      zipFile: packaged.zipFile,
      sha256: packaged.sha256,
      entryPoint: ENTRY_POINT,
      runtime: "nodejs20",
      env: ENV,
      logEvents: { succeeded: LOG_EVENTS.succeeded, failed: LOG_EVENTS.failed },
    };
  }
  return merger;
}

/** The key publisher's single-file bundle (index.js), run by a Node.js image. */
export function jwksPublisherBundle(): { readonly file: string; readonly sha256: string } {
  if (!publisher) {
    const packaged = packageFunction("jwks-publisher");
    const file = path.join(path.dirname(packaged.zipFile), "index.js");
    if (!fs.existsSync(file)) throw new Error(`publisher bundle missing at ${file}`);
    publisher = { file, sha256: packaged.sha256 };
  }
  return publisher;
}
