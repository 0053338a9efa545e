/**
 * cdktf records a full JavaScript stack trace for every token it creates
 * (references, nested blocks; dozens per resource), only to print it in
 * messages about tokens that fail to resolve. Capturing and formatting those
 * traces was most of synth time. This replaces cdktf's capture helper with
 * one that records nothing, for the whole process.
 *
 * cdktf calls the helper through its module's exports object, so replacing
 * the export is enough. cdktf is archived and pinned to 0.21.0 exactly; if
 * the helper ever moves, this does nothing and synth is only slower. The
 * synthesized output is the same either way (a test checks it).
 */
export function disableTokenStackTraces(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const traces = require("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace?: unknown };
    if (typeof traces.captureStackTrace !== "function") return false;
    traces.captureStackTrace = () => [];
    return true;
  } catch {
    return false;
  }
}
