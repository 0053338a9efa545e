/**
 * The logical id a `${<type>.<id>.<attribute>}` reference points at; fails the
 * test unless it is such a reference to a resource of the synthesized JSON.
 */
export function target(json: any, ref: string, type: string, attribute: string): string {
  const m = new RegExp(`^\\$\\{${type}\\.([^.]+)\\.${attribute}\\}$`).exec(ref);
  if (!m) throw new Error(`"${ref}" is not a reference to ${type}.*.${attribute}`);
  if (!json.resource?.[type]?.[m[1]]) throw new Error(`"${ref}" points at no ${type} of the stack`);
  return m[1];
}

/** The resource a `${<type>.<id>.<attribute>}` reference points at. */
export function resourceAt(json: any, ref: string, type: string, attribute: string): any {
  return json.resource[type][target(json, ref, type, attribute)];
}

/** account_id of the service account an IAM member `serviceAccount:${google_service_account.x.email}` names. */
export function accountOf(json: any, member: string): string {
  if (!member.startsWith("serviceAccount:")) throw new Error(`"${member}" is not a service account member`);
  return resourceAt(json, member.slice("serviceAccount:".length), "google_service_account", "email").account_id;
}
