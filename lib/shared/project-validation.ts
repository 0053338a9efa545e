// Project ids and numbers. The configuration schema (project.id, project.number)
// and the constructs' own props (regional-props.ts, TufRepository) use these.

// https://cloud.google.com/resource-manager/docs/creating-managing-projects#before_you_begin
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const PROJECT_ID_FORBIDDEN = ["google", "null", "undefined", "ssl"];

/** Why `id` is not a valid project id, or undefined when it is. */
export function projectIdProblem(id: string): string | undefined {
  if (!PROJECT_ID.test(id)) {
    return `"${id}" is not a valid GCP project id: use 6 to 30 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen`;
  }
  const bad = PROJECT_ID_FORBIDDEN.find((word) => id.includes(word));
  return bad ? `"${id}" is not a valid GCP project id: it may not contain the restricted word "${bad}"` : undefined;
}

// The numeric project number (service agents and workload identity principals
// are named after it): TufRepository checks its projectNumber prop with this,
// the configuration schema project.number.

const PROJECT_NUMBER = /^[1-9][0-9]{5,19}$/;

export function isProjectNumber(value: string): boolean {
  return PROJECT_NUMBER.test(value);
}
