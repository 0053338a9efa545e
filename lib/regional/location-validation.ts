import { GCP_LOCATIONS_DATE, similarRegions, zonesOf } from "../config/gcp-locations";
import { REGION_NAME, REGION_NAME_HINT, regionNameProblem } from "../shared/names";
import type { Problem } from "../shared/problems";

// Regions and zones, checked against the dated list of Google Cloud locations
// (lib/config/gcp-locations.ts). GkeCluster checks its region and zones with
// these functions; the configuration schema checks regions[] with the same
// ones, so both reject what Google would reject only at apply time.

/** Regions Google does not list yet, with their zone letters: `{ "xx-newregion1": ["a", "b"] }`. */
export type AdditionalLocations = { readonly [region: string]: readonly string[] };

// The shape of a region name lives with the names derived from it (shared/names.ts); re-exported for the schema.
export { REGION_NAME, REGION_NAME_HINT, regionNameProblem };
const ZONE_NAME = /^([a-z]+-[a-z]+[0-9]+)-[a-z]$/;

/** The region exists (in the list, or among the additional locations). */
export function regionProblem(region: string, additional: AdditionalLocations = {}): string | undefined {
  if (zonesOf(region, additional)) return undefined;
  const similar = similarRegions(region, additional).map((x) => `"${x}"`).join(", ");
  return (
    `"${region}" is not a Google Cloud region (list of ${GCP_LOCATIONS_DATE}); did you mean ${similar}? ` +
    "A region newer than the list goes under additionalLocations with its zone letters"
  );
}

export function zoneCountProblem(zones: readonly string[]): string | undefined {
  return zones.length === 0 ? 'list at least one zone of the region, e.g. ["us-east1-b"]' : undefined;
}

/**
 * The zones are zones of the region, each once. Paths are indexes into
 * `zones`; a region that does not exist (see regionProblem) only has its
 * zones' names checked.
 */
export function zoneProblems(region: string, zones: readonly string[], additional: AdditionalLocations = {}): Problem[] {
  const problems: Problem[] = [];
  const count = zoneCountProblem(zones);
  if (count) problems.push({ path: [], message: count });
  const known = zonesOf(region, additional);
  const seen = new Set<string>();
  zones.forEach((zone, j) => {
    const m = ZONE_NAME.exec(zone);
    if (!m || m[1] !== region) {
      problems.push({ path: [j], message: `zone "${zone}" is not in region "${region}"; use zones named "${region}-<letter>", e.g. "${region}-b"` });
    } else if (known && !known.includes(zone)) {
      problems.push({ path: [j], message: `region "${region}" has no zone "${zone}"; its zones are ${known.join(", ")}` });
    } else if (seen.has(zone)) {
      problems.push({ path: [j], message: `zone "${zone}" is listed twice` });
    }
    seen.add(zone);
  });
  return problems;
}
