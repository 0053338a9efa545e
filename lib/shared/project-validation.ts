// The numeric project number (service agents and workload identity principals
// are named after it): TufRepository checks its projectNumber prop with this,
// the configuration schema project.number.

const PROJECT_NUMBER = /^[1-9][0-9]{5,19}$/;

export function isProjectNumber(value: string): boolean {
  return PROJECT_NUMBER.test(value);
}
