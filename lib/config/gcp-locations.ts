/**
 * Google Cloud regions and their zones, as data: a region or zone that is not
 * here fails validation at synth time instead of at apply time ("Unknown
 * region", "Invalid value for zone").
 *
 * Source: https://cloud.google.com/compute/docs/regions-zones (the table of
 * available regions and zones), read on 2026-11-30. Only the general-purpose
 * zones are listed; AI zones and Google Distributed Cloud locations are not,
 * as GKE node pools of this library do not run there.
 *
 * To extend it: when Google opens a region before this list has it, list its
 * zones under `additionalLocations` in the configuration
 * (`additionalLocations: { "xx-newregion1": ["a", "b", "c"] }`), and send a
 * change adding it here (keep the order, update the date above). Check a
 * region's zones with `gcloud compute zones list --filter=region:<region>`.
 */
export const GCP_LOCATIONS_DATE = "2026-11-30";
export const GCP_LOCATIONS_SOURCE = "https://cloud.google.com/compute/docs/regions-zones";

/** Region → zone letters (the zone is `<region>-<letter>`). */
export const GCP_REGION_ZONES: { readonly [region: string]: readonly string[] } = {
  "africa-south1": ["a", "b", "c"],
  "asia-east1": ["a", "b", "c"],
  "asia-east2": ["a", "b", "c"],
  "asia-northeast1": ["a", "b", "c"],
  "asia-northeast2": ["a", "b", "c"],
  "asia-northeast3": ["a", "b", "c"],
  "asia-south1": ["a", "b", "c"],
  "asia-south2": ["a", "b", "c"],
  "asia-southeast1": ["a", "b", "c"],
  "asia-southeast2": ["a", "b", "c"],
  "australia-southeast1": ["a", "b", "c"],
  "australia-southeast2": ["a", "b", "c"],
  "europe-central2": ["a", "b", "c"],
  "europe-north1": ["a", "b", "c"],
  "europe-north2": ["a", "b", "c"],
  "europe-southwest1": ["a", "b", "c"],
  "europe-west1": ["b", "c", "d"],
  "europe-west10": ["a", "b", "c"],
  "europe-west12": ["a", "b", "c"],
  "europe-west2": ["a", "b", "c"],
  "europe-west3": ["a", "b", "c"],
  "europe-west4": ["a", "b", "c"],
  "europe-west6": ["a", "b", "c"],
  "europe-west8": ["a", "b", "c"],
  "europe-west9": ["a", "b", "c"],
  "me-central1": ["a", "b", "c"],
  "me-central2": ["a", "b", "c"],
  "me-west1": ["a", "b", "c"],
  "northamerica-northeast1": ["a", "b", "c"],
  "northamerica-northeast2": ["a", "b", "c"],
  "northamerica-south1": ["a", "b", "c"],
  "southamerica-east1": ["a", "b", "c"],
  "southamerica-west1": ["a", "b", "c"],
  "us-central1": ["a", "b", "c", "f"],
  "us-east1": ["b", "c", "d"],
  "us-east4": ["a", "b", "c"],
  "us-east5": ["a", "b", "c"],
  "us-south1": ["a", "b", "c"],
  "us-west1": ["a", "b", "c"],
  "us-west2": ["a", "b", "c"],
  "us-west3": ["a", "b", "c"],
  "us-west4": ["a", "b", "c"],
};

/** Zones of a region (full names), from the list and the configuration's additions; undefined for an unknown region. */
export function zonesOf(region: string, additional: { readonly [region: string]: readonly string[] } = {}): string[] | undefined {
  const letters = additional[region] ?? GCP_REGION_ZONES[region];
  return letters?.map((letter) => `${region}-${letter}`);
}

/** Known regions closest in spelling to `region`, for "did you mean" hints. */
export function similarRegions(region: string, additional: { readonly [region: string]: readonly string[] } = {}, count = 3): string[] {
  const known = [...new Set([...Object.keys(GCP_REGION_ZONES), ...Object.keys(additional)])];
  return known
    .map((r) => ({ r, d: editDistance(region, r) }))
    .sort((a, b) => a.d - b.d || a.r.localeCompare(b.r))
    .slice(0, count)
    .map(({ r }) => r);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
