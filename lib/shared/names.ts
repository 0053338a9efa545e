import { createHash } from "crypto";

/** GCP resource-name shape (an RFC 1035 label); the configuration schema checks names with it too. */
/** Shape of a region name ("us-east1"), for fields where any region may be named. */
export const REGION_NAME = /^[a-z]+-[a-z]+[0-9]+$/;
export const REGION_NAME_HINT = 'must be a GCP region such as "us-east1"';

/** The region's name has a region's shape. */
export function regionNameProblem(region: string): string | undefined {
  return REGION_NAME.test(region) ? undefined : REGION_NAME_HINT;
}

export const GCP_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const MAX_LENGTH = 63;
const SERVICE_ACCOUNT_ID_MAX = 30;
const BUCKET_MAX = 63;

const CONTINENTS: { readonly [part: string]: string } = {
  africa: "af", asia: "as", australia: "au", europe: "eu", me: "me",
  northamerica: "na", southamerica: "sa", us: "us",
};
const DIRECTIONS: { readonly [part: string]: string } = {
  central: "c", east: "e", north: "n", northeast: "ne", northwest: "nw",
  south: "s", southeast: "se", southwest: "sw", west: "w",
};

/**
 * Short, stable code of a region for names with tight limits (service account
 * ids have 30 characters): us-east1 → use1, europe-west1 → euw1,
 * northamerica-northeast2 → nane2. Unknown shapes get a hash-based code.
 */
export function regionCode(region: string): string {
  const m = /^([a-z]+)-([a-z]+)(\d+)$/.exec(region);
  if (m && CONTINENTS[m[1]] && DIRECTIONS[m[2]]) return `${CONTINENTS[m[1]]}${DIRECTIONS[m[2]]}${m[3]}`;
  return `r${shortHash(region, 5)}`;
}

function shortHash(text: string, length: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/**
 * Derives every GCP resource name from the deployment's prefix, so that two
 * deployments can share a project, two regions never collide, and a rename
 * is a visible change of configuration rather than a side effect of code.
 */
export class ResourceNames {
  constructor(
    readonly prefix: string,
    /** Needed for globally unique names (buckets). */
    readonly projectId?: string,
  ) {}

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

  /**
   * Service account id `<prefix>-<role>[-<region code>]`, at most 30
   * characters. Service accounts are project-wide, so per-region accounts
   * carry the region code.
   */
  serviceAccountId(role: string, region?: string): string {
    const id = [this.prefix, role, ...(region ? [regionCode(region)] : [])].join("-");
    if (id.length > SERVICE_ACCOUNT_ID_MAX || id.length < 6 || !GCP_NAME.test(id)) {
      throw new Error(
        `Service account id "${id}" must be 6 to ${SERVICE_ACCOUNT_ID_MAX} lowercase letters, digits or hyphens; shorten namePrefix or the role "${role}"`,
      );
    }
    return id;
  }

  /**
   * Bucket name `<project>-<prefix>-<part>…`. Bucket names are global across
   * all of Cloud Storage, hence the project id. When that is over 63
   * characters, the project id is shortened and a hash of the full name
   * added, so the meaningful tail (prefix, role, region) stays readable.
   */
  bucket(...parts: string[]): string {
    if (!this.projectId) throw new Error("ResourceNames needs the project id to name buckets");
    const tail = [this.prefix, ...parts].join("-");
    const full = `${this.projectId}-${tail}`;
    if (full.length <= BUCKET_MAX) return full;
    const hash = shortHash(full, 8);
    const head = this.projectId.slice(0, Math.max(0, BUCKET_MAX - tail.length - hash.length - 2)).replace(/-+$/, "");
    const name = [head, hash, tail].filter(Boolean).join("-");
    if (name.length > BUCKET_MAX) {
      throw new Error(`Bucket name for "${tail}" cannot fit in ${BUCKET_MAX} characters; shorten namePrefix`);
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
