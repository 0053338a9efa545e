import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { sigstoreConfigSchema } from "../../lib/config/schema";
import { PUBLIC_SERVICE_IDS } from "../../lib/shared/services";
import { REPO_ROOT } from "../helpers/synth";

/** Every leaf field path of the schema, e.g. "services.fulcio.dns.owner" (lists as "[]"). */
function fieldPaths(schema: z.ZodType, prefix = ""): string[] {
  const def = (schema as any)._zod.def;
  switch (def.type) {
    case "default":
    case "prefault":
    case "optional":
    case "nullable":
    case "readonly":
      return fieldPaths(def.innerType, prefix);
    case "pipe":
      return fieldPaths(def.in, prefix);
    case "object":
      return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([key, value]) =>
        fieldPaths(value, prefix ? `${prefix}.${key}` : key),
      );
    case "array":
      return [prefix, ...fieldPaths(def.element, `${prefix}[]`).filter((p) => p !== `${prefix}[]`)];
    case "union":
      return [...new Set(def.options.flatMap((o: z.ZodType) => fieldPaths(o, prefix)))] as string[];
    default:
      return [prefix];
  }
}

describe("docs/configuration.md", () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, "docs/configuration.md"), "utf8");
  // A row may document several fields: "| `a`, `b` | …".
  const documented = new Set([...doc.matchAll(/^\| (`[^|]+`) \|/gm)].flatMap((m) => [...m[1].matchAll(/`([^`]+)`/g)].map((x) => x[1])));

  it("documents every field of the schema", () => {
    const paths = fieldPaths(sigstoreConfigSchema);
    expect(paths.length).toBeGreaterThan(40);
    const missing = paths.filter((p) => {
      // Service fields are documented once under services.<id>, for every service of the registry.
      const ids = PUBLIC_SERVICE_IDS.join("|");
      const service = new RegExp(`^services\\.(${ids})\\.(.*)$`).exec(p);
      const rule = new RegExp(`^services\\.(${ids})\\.cloudArmor\\.rules\\[\\]\\.(.*)$`).exec(p);
      // Per-region overrides take the fields documented under regional.<section>.
      const override = /^regions\[\]\.(network|gke|database)\.(.*)$/.exec(p);
      // Cloud Armor fields of tiles logs and the CT logs' host are those of services.<id>.cloudArmor.
      const tilesArmor = /^(tiles\.rekor|tiles\.ctlog|ctlog)\.cloudArmor(\.rules\[\])?\.(.*)$/.exec(p);
      const candidates = [p, service?.[2], rule?.[2], override && `regional.${override[1]}.${override[2]}`, tilesArmor && (tilesArmor[2] ? tilesArmor[3] : `cloudArmor.${tilesArmor[3]}`)].filter(Boolean) as string[];
      return !candidates.some((c) => documented.has(c));
    });
    expect(missing).toEqual([]);
  });
});
