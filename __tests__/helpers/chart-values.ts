// What Helm does with a release's values, for checking them against a chart's values.yaml and values.schema.json.

/** Helm's coalescing of values onto defaults: maps merge key by key, anything else replaces. */
export function coalesce(defaults: unknown, values: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
  if (!isMap(defaults) || !isMap(values)) return values === undefined ? defaults : values;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(values)) out[k] = coalesce(defaults[k], v);
  return out;
}

/**
 * Paths set in `values` that values.yaml does not have. A key whose default
 * is an empty map (annotations, config) or a scalar/list is a leaf: below it
 * anything goes; a key with a non-empty map default is descended into.
 */
export function unknownPaths(values: unknown, defaults: unknown, at = ""): string[] {
  if (!values || typeof values !== "object" || Array.isArray(values)) return [];
  const out: string[] = [];
  for (const [key, v] of Object.entries(values)) {
    const p = at ? `${at}.${key}` : key;
    const d = defaults && typeof defaults === "object" && !Array.isArray(defaults) ? (defaults as any)[key] : undefined;
    if (d === undefined && !(defaults && typeof defaults === "object" && key in (defaults as object))) {
      out.push(p);
      continue;
    }
    if (d && typeof d === "object" && !Array.isArray(d) && Object.keys(d).length > 0) out.push(...unknownPaths(v, d, p));
  }
  return out;
}
