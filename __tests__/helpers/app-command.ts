import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "./synth";

/**
 * The command `cdktf synth` runs (cdktf.json "app"), as arguments for this
 * Node binary, so tests exercise exactly what users run.
 */
export function appCommand(): { file: string; args: string[] } {
  const app: string = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "cdktf.json"), "utf8")).app;
  const [program, ...args] = app.split(/\s+/);
  if (program !== "node") throw new Error(`cdktf.json app must start with "node", found ${JSON.stringify(app)}`);
  return { file: process.execPath, args };
}
