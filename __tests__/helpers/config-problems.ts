import { ConfigError, validateConfig } from "../../lib/config/load";

/** The problems validateConfig reports for an input, as "path: message" lines; fails the test if it is accepted. */
export function problems(input: unknown): string[] {
  try {
    validateConfig(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error("expected the configuration to be rejected");
}
