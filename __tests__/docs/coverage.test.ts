import * as fs from "fs";
import * as path from "path";
import { fullConfig, REPO_ROOT, synthDeployment } from "../helpers/synth";

// Inventory of sigstore/terraform-modules gcp/modules at 2e904d9 (resource types per module), kept here so the test runs anywhere.
const inventory = JSON.parse(fs.readFileSync(path.join(__dirname, "../fixtures/terraform-modules-inventory.json"), "utf8")).modules as Record<
  string,
  { resources: Record<string, string[]>; data: Record<string, string[]>; modules: string[] }
>;

/** A module and every module it calls, following the relative sources. */
function closure(module: string, seen = new Set<string>()): Set<string> {
  if (seen.has(module)) return seen;
  seen.add(module);
  for (const call of inventory[module]?.modules ?? []) {
    const parts = module.split("/");
    for (const step of call.split(" <- ")[1].split("/")) {
      if (step === "..") parts.pop();
      else if (step !== ".") parts.push(step);
    }
    closure(parts.join("/"), seen);
  }
  return seen;
}

const doc = fs.readFileSync(path.join(REPO_ROOT, "docs/coverage.md"), "utf8");
const rows = new Map([...doc.matchAll(/^\| `([^`]+)` \| [^|]+ \| (covered|left out) \| ([^|]+) \|$/gm)].map((m) => [m[1], { status: m[2], note: m[3].trim() }]));

describe("docs/coverage.md", () => {
  const modules = [...closure("sigstore")];
  const types = new Set(modules.flatMap((m) => [...Object.keys(inventory[m]?.resources ?? {}), ...Object.keys(inventory[m]?.data ?? {}).map((t) => `data.${t}`)]));

  it("has a row for every resource and data-source type of the regional composite and the modules it calls", () => {
    expect(modules.length).toBeGreaterThan(30);
    expect([...types].filter((t) => !rows.has(t)).sort()).toEqual([]);
    for (const [type, row] of rows) expect([type, row.note.length > 5]).toEqual([type, true]);
  });

  it("claims coverage only for types the deployment actually synthesizes", () => {
    const synthesized = new Set<string>();
    for (const ca of ["kms", "privateca"] as const) {
      for (const stack of Object.values(synthDeployment(fullConfig(ca)).stacks)) {
        Object.keys(stack.resource ?? {}).forEach((t) => synthesized.add(t));
        Object.keys(stack.data ?? {}).forEach((t) => synthesized.add(`data.${t}`));
      }
    }
    const claimed = [...rows].filter(([, row]) => row.status === "covered").map(([type]) => type);
    expect(claimed.length).toBeGreaterThan(40);
    expect(claimed.filter((t) => !synthesized.has(t))).toEqual([]);
    // And nothing marked as left out is quietly created.
    expect([...rows].filter(([type, row]) => row.status === "left out" && synthesized.has(type)).map(([t]) => t)).toEqual([]);
  });
});
