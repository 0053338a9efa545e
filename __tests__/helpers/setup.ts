// Every test file: cdktf records a JavaScript stack trace per token only to
// print it when a token fails to resolve; recording them was most of the CPU
// time of synthesis under jest. The JSON is the same either way
// (__tests__/shared/fast-synthesis.test.ts and stack-json.test.ts compare).
import { disableTokenStackTraces } from "../../lib/shared/lean-synth";
import { enableCodeCache } from "./code-cache";

disableTokenStackTraces();
// The worker's later test files reuse the compiled code of the modules they share.
enableCodeCache();
