import { DefaultTokenResolver, StringConcat, Tokenization } from "cdktf";
import type { IConstruct } from "constructs";
import type { DatabaseSettings } from "../../lib/config/schema";

/** The schema's defaults for `regional.database`, with overrides. */
export function databaseSettings(overrides: Partial<DatabaseSettings> = {}): DatabaseSettings {
  return {
    tier: "db-custom-2-7680",
    diskSizeGb: 50,
    highAvailability: true,
    backupRetentionCount: 30,
    transactionLogRetentionDays: 7,
    readReplica: false,
    ctlogShards: [],
    ...overrides,
  };
}

export const NETWORK = "projects/sigstore-test/global/networks/sigstore-us-east1";
export const WORKLOAD_POOL = "sigstore-test.svc.id.goog";

/** Every object key anywhere in a JSON value, with its path. */
export function keysOf(value: unknown, path = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keysOf(v, `${path}[${i}]`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => [`${path}.${k}`, ...keysOf(v, `${path}.${k}`)]);
  }
  return [];
}

/** A getter's value as it appears in the synthesized JSON (`${type.id.attribute}` for a reference). */
export function resolved(scope: IConstruct, value: string): string {
  return Tokenization.resolve(value, { scope, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
}
