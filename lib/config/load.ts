import * as fs from "fs";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { SigstoreConfig, SigstoreConfigInput, sigstoreConfigSchema } from "./schema";

export interface ConfigProblem {
  /** Dotted path of the field, e.g. `regions[1].zones[0]`; empty for the whole document. */
  readonly path: string;
  readonly message: string;
}

/** A configuration that cannot be deployed. Its message lists every problem. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `Invalid sigstore configuration in ${source}:\n` +
        problems.map((p) => `  - ${p.path || "(document)"}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

function formatPath(segments: readonly PropertyKey[]): string {
  return segments
    .map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`))
    .join("");
}

function problemsOf(error: z.ZodError): ConfigProblem[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: messageOf(issue) }));
}

/** zod's own words for a missing field ("Invalid input: expected object, received undefined") say less than "required". */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code !== "invalid_type" || issue.input !== undefined || !/received undefined$/.test(issue.message)) return issue.message;
  const what = issue.expected === "object" ? "a section" : issue.expected === "array" ? "a list" : `a ${issue.expected}`;
  return `required: ${what}, as in config/example.yaml (docs/configuration.md)`;
}

/**
 * Validates a configuration written in TypeScript and fills in defaults. The
 * typed input makes a misspelt or misplaced key a compile error; the same
 * checks as for a file still run at synth time.
 * @param source where the object came from, for error messages
 * @throws ConfigError listing every problem found
 */
export function parseConfig(input: SigstoreConfigInput, source = "configuration"): SigstoreConfig {
  return validateConfig(input, source);
}

/**
 * Validates a configuration of unknown shape (parsed JSON or YAML, say) and
 * fills in defaults.
 * @param source where the object came from, for error messages
 * @throws ConfigError listing every problem found
 */
export function validateConfig(input: unknown, source = "configuration"): SigstoreConfig {
  const result = sigstoreConfigSchema.safeParse(input, { reportInput: true });
  if (!result.success) {
    throw new ConfigError(source, problemsOf(result.error));
  }
  return result.data;
}

/**
 * Reads a JSON or YAML configuration file and validates it.
 * @throws ConfigError for unreadable files, syntax errors and invalid fields
 */
export function loadConfigFile(file: string): SigstoreConfig {
  const shown = file;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(shown, [{ path: "", message: `cannot read the file: ${(e as Error).message}` }]);
  }
  if (file.endsWith(".json")) {
    try {
      return validateConfig(JSON.parse(text), shown);
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(shown, [{ path: "", message: `not valid JSON: ${(e as Error).message}` }]);
    }
  }
  if (!/\.ya?ml$/.test(file)) {
    throw new ConfigError(shown, [{ path: "", message: "use a .json, .yaml or .yml file" }]);
  }
  // uniqueKeys: a key written twice in YAML is a mistake, not an override.
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      shown,
      doc.errors.map((e) => ({ path: "", message: `YAML syntax: ${e.message.split("\n")[0]}` })),
    );
  }
  return validateConfig(doc.toJS(), shown);
}
