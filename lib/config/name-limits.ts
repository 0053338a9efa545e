import { regionCode, ResourceNames } from "../shared/names";

/**
 * The longest names the stacks derive from (namePrefix, region): checked at
 * validation so that a prefix too long for a region is a configuration error
 * naming the field, not an exception from deep inside synthesis. They are the
 * same `ResourceNames` calls the constructs make; a longer name added to a
 * construct belongs here too (__tests__/config/locations.test.ts synthesizes the tightest
 * accepted configuration to catch a miss).
 */
function regionalNames(names: ResourceNames, region: string): void {
  names.bucket("rekor-attestations", region);
  names.bucket("tuf-preprod", region);
  names.of("trillian", region, "replica");
  names.of(region, "allow-health-checks");
  for (const role of ["logsigner", "logserver", "jwks-pub", "tuf-sign", "gke-node"]) names.serviceAccountId(role, region);
}

/** A tiles log shard hosted in a region. */
export interface TilesShard {
  readonly kind: "rekor" | "ctlog";
  readonly shard: string;
}

// Spanner instance ids and service account ids: 6 to 30 characters.
const SHORT_ID = /^[a-z]([-a-z0-9]{4,28}[a-z0-9])$/;

function tilesNames(names: ResourceNames, region: string, log: TilesShard): void {
  names.bucket(`${log.kind}-tiles`, log.shard, region);
  names.of(`${log.kind}-tiles`, log.shard, region);
  const shortId = [names.prefix, log.kind, log.shard, regionCode(region)].join("-");
  if (!SHORT_ID.test(shortId)) throw new Error(`Spanner instance id "${shortId}" is over 30 characters`);
  names.serviceAccountId(`${log.kind}-${log.shard}`, region);
}

function fits(prefix: string, projectId: string, region: string, tiles: readonly TilesShard[]): string | undefined {
  const names = new ResourceNames(prefix, projectId);
  try {
    regionalNames(names, region);
    for (const log of tiles) tilesNames(names, region, log);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Why `prefix` cannot name the resources of `region` (with its tiles
 * shards), and the longest prefix that can; undefined when it fits.
 */
export function namePrefixProblem(prefix: string, projectId: string, region: string, tiles: readonly TilesShard[] = []): string | undefined {
  const problem = fits(prefix, projectId, region, tiles);
  if (problem === undefined) return undefined;
  let longest = 0;
  for (let n = prefix.length - 1; n >= 1; n--) {
    if (fits("a".repeat(n), projectId, region, tiles) === undefined) {
      longest = n;
      break;
    }
  }
  const fix =
    longest > 0
      ? `use a namePrefix of at most ${longest} characters for this region${tiles.length > 0 ? " (or shorter tiles shard names)" : ""}`
      : `no namePrefix fits this region${tiles.length > 0 ? "; shorten the tiles shard names" : ""}`;
  return `namePrefix "${prefix}" (${prefix.length} characters) is too long for region "${region}": ${problem.replace(/; shorten .*$/, "")}; ${fix}`;
}
