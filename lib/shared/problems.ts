import type { IConstruct } from "constructs";

/**
 * A problem with a value, found by a construct's validator: the path is
 * relative to the value checked (e.g. ["rules", 0, "priority"]). The same
 * validators serve constructs (which throw, naming the construct path and the
 * prop) and the configuration schema (which reports the config field path).
 */
export interface Problem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** `rules[0].priority`, from ["rules", 0, "priority"]. */
export function formatProblemPath(path: readonly (string | number)[]): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

/** Problems of a field-level check, at the root of the value. */
export function atRoot(message: string | undefined): Problem[] {
  return message === undefined ? [] : [{ path: [], message }];
}

/**
 * Throws one error listing every problem, each named by the construct's path
 * and the prop it is in (`Stack/armor: config.rules[0].priority: …`).
 */
export function throwIfProblems(scope: IConstruct, prop: string, problems: readonly Problem[]): void {
  if (problems.length === 0) return;
  const lines = problems.map((p) => `${scope.node.path}: ${formatProblemPath([prop, ...p.path])}: ${p.message}`);
  throw new Error(lines.length === 1 ? lines[0] : `${scope.node.path}: invalid ${prop}:\n  - ${lines.join("\n  - ")}`);
}
