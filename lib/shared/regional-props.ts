import { Token } from "cdktf";
import { projectIdProblem } from "./project-validation";
import type { Construct } from "constructs";
import { GCP_NAME, regionNameProblem, ResourceNames } from "./names";

/** The prefix a construct derives its default names from when none is given (the configuration's default too). */
export const DEFAULT_NAME_PREFIX = "sigstore";

/** Where a regional construct puts its resources, and what its default names start with. */
export interface RegionalPlacementProps {
  /** Project id of the construct's resources. */
  readonly project: string;
  /** Region of the construct's resources (key rings, buckets, secrets' replicas), e.g. "us-east1". */
  readonly region: string;
  /**
   * Prefix of every name this construct derives for a name that is not given
   * explicitly, so that two deployments can share a project.
   * @default "sigstore"
   */
  readonly namePrefix?: string;
}


/**
 * Checks `project`, `region` and `namePrefix`, and returns the names derived
 * from the prefix (and the project, for bucket names). Errors name the
 * construct's path and the field. Unresolved tokens are not checked.
 */
export function regionalNames(scope: Construct, kind: string, props: RegionalPlacementProps): ResourceNames {
  const names = projectNames(scope, kind, props);
  const where = scope.node.path;
  if (!props.region) throw new Error(`${kind} needs region, e.g. "us-east1" (${where})`);
  const regionProblem = Token.isUnresolved(props.region) ? undefined : regionNameProblem(props.region);
  if (regionProblem) throw new Error(`${kind} region "${props.region}" ${regionProblem} (${where})`);
  return names;
}

/** `regionalNames` for a construct with no region (global resources): checks `project` and `namePrefix`. */
export function projectNames(scope: Construct, kind: string, props: { readonly project: string; readonly namePrefix?: string }): ResourceNames {
  const where = scope.node.path;
  if (!props.project) throw new Error(`${kind} needs project, the project id of its resources (${where})`);
  const projectProblem = Token.isUnresolved(props.project) ? undefined : projectIdProblem(props.project);
  if (projectProblem) throw new Error(`${kind} project: ${projectProblem} (${where})`);
  const prefix = props.namePrefix ?? DEFAULT_NAME_PREFIX;
  if (!GCP_NAME.test(prefix)) {
    throw new Error(`${kind} namePrefix "${prefix}" must be lowercase letters, digits and hyphens, starting with a letter (${where})`);
  }
  return new ResourceNames(prefix, props.project);
}

/**
 * An explicit name if given (checked against `shape` unless it is a token),
 * else the derived default; a default that breaks GCP's limits names the
 * construct path and the prop to set instead.
 */
export function nameOrDefault(
  scope: Construct,
  field: string,
  explicit: string | undefined,
  derive: () => string,
  shape?: { readonly pattern: RegExp; readonly rule: string },
): string {
  if (explicit !== undefined) {
    if (explicit === "") throw new Error(`${field} must not be empty (${scope.node.path})`);
    if (shape && !Token.isUnresolved(explicit) && !shape.pattern.test(explicit)) {
      throw new Error(`${field} "${explicit}" must be ${shape.rule} (${scope.node.path})`);
    }
    return explicit;
  }
  try {
    return derive();
  } catch (e) {
    throw new Error(`${(e as Error).message}, or set ${field} (${scope.node.path})`);
  }
}

/** Service account ids: 6 to 30 characters. */
export const SERVICE_ACCOUNT_ID = { pattern: /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, rule: "6 to 30 lowercase letters, digits or hyphens, starting with a letter" } as const;
/** Key ring names: letters, digits, underscores and hyphens, up to 63. */
export const KEY_RING_NAME = { pattern: /^[a-zA-Z0-9_-]{1,63}$/, rule: "1 to 63 letters, digits, underscores or hyphens" } as const;
/** Resource names following RFC 1035 (CA pools, topics, NEGs, Spanner instances). */
export const RFC1035_NAME = { pattern: /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, rule: "1 to 63 lowercase letters, digits or hyphens, starting with a letter" } as const;
/** Bucket names (without dots): 3 to 63 characters. */
export const BUCKET_NAME = { pattern: /^[a-z0-9][-_a-z0-9]{1,61}[a-z0-9]$/, rule: "3 to 63 lowercase letters, digits, hyphens or underscores" } as const;
/** Secret Manager secret ids. */
export const SECRET_ID = { pattern: /^[a-zA-Z0-9_-]{1,255}$/, rule: "1 to 255 letters, digits, underscores or hyphens" } as const;
