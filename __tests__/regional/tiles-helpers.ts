import { DefaultTokenResolver, StringConcat, Tokenization } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import { TilesLog, TilesLogProps } from "../../lib/regional/tiles-log";
import type { RegionalContext } from "../../lib/regional/context";
import { synthConstruct, testContext, placementOf } from "../helpers/construct";

export const WORKLOAD_POOL = "sigstore-test.svc.id.goog";

/** A TilesLog's props with the test context, for overrides. */
export function logProps(overrides: Partial<TilesLogProps> = {}, context: RegionalContext = testContext()): TilesLogProps {
  return { ...placementOf(context), zones: context.zones, kind: "rekor", shardName: "2026", workloadPool: WORKLOAD_POOL, ...overrides };
}

/** Synthesizes one TilesLog. */
export function synthLog(overrides: Partial<TilesLogProps> = {}, context?: RegionalContext): { json: any; log: TilesLog } {
  let log!: TilesLog;
  const json = synthConstruct((scope: Construct) => {
    log = new TilesLog(scope, "tiles", logProps(overrides, context));
  });
  return { json, log };
}

/** A getter's value as it appears in the synthesized JSON. */
export function resolved(scope: IConstruct, value: unknown): any {
  return Tokenization.resolve(value, { scope, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
}

/** `${type.id.attribute}` of a resource body in `json`. */
export function refTo(json: any, type: string, body: any, attribute: string): string {
  const entry = Object.entries(json.resource?.[type] ?? {}).find(([, b]) => b === body);
  if (!entry) throw new Error(`no ${type} with that body`);
  return `\${${type}.${entry[0]}.${attribute}}`;
}

/** The resource a `${type.id.attribute}` reference points at. */
export function target(json: any, ref: string, type: string): any {
  const m = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z0-9_.]+\}$/.exec(ref);
  if (!m || m[1] !== type) throw new Error(`"${ref}" is not a reference to a ${type}`);
  const body = json.resource?.[type]?.[m[2]];
  if (!body) throw new Error(`"${ref}" points at nothing`);
  return body;
}

/** Every resource body of every type whose name ends with `_iam_member`, with its type. */
export function iamMembers(json: any): { type: string; body: any }[] {
  return Object.entries(json.resource ?? {})
    .filter(([type]) => type.endsWith("_iam_member"))
    .flatMap(([type, bodies]) => Object.values(bodies as object).map((body) => ({ type, body })));
}

/** Every value of a `name`-like attribute of every resource. */
export function namesIn(json: any, attributes = ["name", "account_id", "secret_id"]): { type: string; attribute: string; value: string }[] {
  return Object.entries(json.resource ?? {}).flatMap(([type, bodies]) =>
    Object.values(bodies as object).flatMap((body: any) =>
      attributes.filter((a) => typeof body[a] === "string" && !body[a].includes("${")).map((a) => ({ type, attribute: a, value: body[a] as string })),
    ),
  );
}
