import type { DatabaseSettings, GkeSettings, NetworkSettings, RegionConfig, SigstoreConfig } from "./schema";

/** Settings of one region: `regional.*` with the region's own overrides applied. */
export interface ResolvedRegionalSettings {
  readonly network: NetworkSettings;
  readonly gke: GkeSettings;
  readonly database: SigstoreConfig["regional"]["database"];
}

function defined<T extends object>(overrides: Partial<T> | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(overrides ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function resolveRegionalSettings(
  regional: Pick<SigstoreConfig["regional"], "network" | "gke" | "database">,
  region: Pick<RegionConfig, "network" | "gke" | "database">,
): ResolvedRegionalSettings {
  return {
    network: { ...regional.network, ...defined<NetworkSettings>(region.network) },
    gke: { ...regional.gke, ...defined<GkeSettings>(region.gke) },
    database: { ...regional.database, ...defined<DatabaseSettings>(region.database) },
  };
}

/** [first, last] address of an IPv4 CIDR as numbers. */
export function cidrRange(cidr: string): [number, number] {
  const [ip, bits] = cidr.split("/");
  const base = ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(bits));
  const first = base - (base % size);
  return [first, first + size - 1];
}

export function cidrsOverlap(a: string, b: string): boolean {
  const [a0, a1] = cidrRange(a);
  const [b0, b1] = cidrRange(b);
  return a0 <= b1 && b0 <= a1;
}
