import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const made: string[] = [];
let registered = false;

/** A fresh temporary directory, removed after this test file whether its tests pass or fail. */
export function tempDir(prefix: string): string {
  if (!registered) {
    afterAll(() => {
      for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    });
    registered = true;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
