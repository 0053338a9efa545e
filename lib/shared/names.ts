const GCP_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const MAX_LENGTH = 63;

/**
 * Derives every GCP resource name from the deployment's prefix, so that two
 * deployments can share a project, two regions never collide, and a rename
 * is a visible change of configuration rather than a side effect of code.
 */
export class ResourceNames {
  constructor(readonly prefix: string) {}

  /** `<prefix>-<part>-<part>…`, checked against GCP's naming rule. */
  of(...parts: string[]): string {
    const name = [this.prefix, ...parts].join("-");
    if (name.length > MAX_LENGTH || !GCP_NAME.test(name)) {
      throw new Error(
        `Derived resource name "${name}" is not a valid GCP name (lowercase letters, digits and hyphens, at most ${MAX_LENGTH} characters); shorten namePrefix`,
      );
    }
    return name;
  }
}

/** Host name without the trailing dot, as certificates and URL maps want it. */
export function hostOf(subdomain: string, domain: string): string {
  return `${subdomain}.${domain.replace(/\.$/, "")}`;
}

/** Fully qualified DNS name with the trailing dot, as Cloud DNS wants it. */
export function fqdnOf(subdomain: string, domain: string): string {
  return `${subdomain}.${domain}`;
}
