import type { Problem } from "../shared/problems";

// Dex's rule for its connector secrets' names; the configuration schema
// checks regional.dex.connectorSecrets with it.

const CONNECTOR_SECRET_NAME = /^[a-z][a-z0-9-]{0,40}$/;

/** Secret Manager secret names of the connectors' client secrets, each once. Paths are indexes into the list. */
export function connectorSecretProblems(names: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  names.forEach((name, index) => {
    if (!CONNECTOR_SECRET_NAME.test(name)) {
      problems.push({ path: [index], message: `connector secret "${name}" must be 1 to 41 lowercase letters, digits or hyphens, starting with a letter` });
    } else if (names.indexOf(name) !== index) {
      problems.push({ path: [index], message: `connector secret "${name}" is listed twice` });
    }
  });
  return problems;
}
