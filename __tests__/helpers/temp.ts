import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * The system's temporary directory. During `npm test` os.tmpdir() is the
 * run's own directory below it (global-setup.js); checks for machine paths in
 * output look for both.
 */
export const SYSTEM_TMPDIR = process.env.SIGSTORE_TEST_TMP ? path.dirname(process.env.SIGSTORE_TEST_TMP) : os.tmpdir();

const made: string[] = [];

// Registered when a test file imports this helper (module scope, where hooks
// may be declared): the directories go whether the file's tests pass or fail.
afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after this test file. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
