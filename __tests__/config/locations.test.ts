import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { parseConfig } from "../../lib/config/load";
import { GCP_LOCATIONS_DATE, GCP_LOCATIONS_SOURCE, GCP_REGION_ZONES } from "../../lib/config/gcp-locations";
import { namePrefixProblem } from "../../lib/config/name-limits";
import { baseConfig, REPO_ROOT, synthDeployment, withConfig } from "../helpers/synth";
import { appCommand } from "../helpers/app-command";
import { problems } from "../helpers/config-problems";

const oneRegion = (region: string, zones: string[]) => (c: any) => (c.regions = [{ region, clusterName: "c", zones }]);

describe("regions and zones", () => {
  it("is a dated list with its source, every zone shaped <region>-<letter>", () => {
    expect(GCP_LOCATIONS_DATE).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(GCP_LOCATIONS_SOURCE).toBe("https://cloud.google.com/compute/docs/regions-zones");
    expect(Object.keys(GCP_REGION_ZONES).length).toBeGreaterThan(40);
    for (const [region, letters] of Object.entries(GCP_REGION_ZONES)) {
      expect([region, /^[a-z]+-[a-z]+\d+$/.test(region), letters.length >= 3, letters.every((l) => /^[a-z]$/.test(l))]).toEqual([region, true, true, true]);
    }
    // Regions whose zones do not start at "a", as Google lists them.
    expect(GCP_REGION_ZONES["us-east1"]).toEqual(["b", "c", "d"]);
    expect(GCP_REGION_ZONES["europe-west1"]).toEqual(["b", "c", "d"]);
    expect(GCP_REGION_ZONES["us-central1"]).toEqual(["a", "b", "c", "f"]);
  });

  it.each([
    ["a region that does not exist", oneRegion("europe-north9", ["europe-north9-a"]), /^regions\[0\]\.region: "europe-north9" is not a Google Cloud region \(list of \d{4}-\d\d-\d\d\); did you mean "europe-north1", "europe-north2", .*additionalLocations/],
    ["a misspelt region", oneRegion("us-esat1", ["us-esat1-b"]), /^regions\[0\]\.region: "us-esat1" is not a Google Cloud region .*did you mean "us-east1"/],
    ["a zone the region does not have", oneRegion("us-east1", ["us-east1-b", "us-east1-a"]), /^regions\[1\]|^regions\[0\]\.zones\[1\]: region "us-east1" has no zone "us-east1-a"; its zones are us-east1-b, us-east1-c, us-east1-d$/],
  ])("rejects %s, naming what would be valid", (_, change, expected) => {
    const found = problems(withConfig(change));
    expect(found).toEqual([expect.stringMatching(expected)]);
  });

  it("accepts a region newer than the list when the configuration declares its zones", () => {
    const config = parseConfig(withConfig((c) => {
      oneRegion("europe-north9", ["europe-north9-a"])(c);
      c.additionalLocations = { "europe-north9": ["a", "b"] };
    }));
    expect(config.regions[0].region).toBe("europe-north9");
    expect(problems(withConfig((c) => (c.additionalLocations = { "Europe North": ["a"] })))).toEqual([expect.stringMatching(/^additionalLocations\.Europe North: "Europe North" is not a GCP region name such as "us-east1"$/)]);
  });
});

describe("namePrefix and long regions", () => {
  // "northamerica-northeast2" is the longest region name; the bucket
  // <project>-<prefix>-rekor-attestations-<region> must stay within 63 characters.
  const long = (prefix: string) => withConfig((c) => {
    c.namePrefix = prefix;
    oneRegion("northamerica-northeast2", ["northamerica-northeast2-a"])(c);
  });

  it("is a field-named error, with the longest prefix that fits, instead of an exception during synth", () => {
    expect(problems(long("abcdefghijkl"))).toEqual([
      expect.stringMatching(/^namePrefix: namePrefix "abcdefghijkl" \(12 characters\) is too long for region "northamerica-northeast2": .*rekor-attestations-northamerica-northeast2.*; use a namePrefix of at most 11 characters for this region \(regions\[0\]\)$/),
    ]);
  });

  it("lets the longest accepted prefix synthesize (the check is not stricter than the names)", () => {
    const config = parseConfig(long("abcdefghijk"));
    expect(() => synthDeployment(config)).not.toThrow();
  });

  it("counts a tiles shard hosted in the region", () => {
    expect(namePrefixProblem("sigstore", "sigstore-test", "us-east1")).toBeUndefined();
    expect(namePrefixProblem("sigstorexyz", "sigstore-test", "us-east1", [{ kind: "rekor", shard: "abcdefghij" }])).toMatch(/Spanner instance id .* use a namePrefix of at most \d+ characters for this region \(or shorter tiles shard names\)$/);
  });
});

describe("project number", () => {
  it("says it is required, and how to find it, when missing", () => {
    expect(problems(withConfig((c) => delete c.project.number))).toEqual([
      'project.number: required: the numeric project number, e.g. "123456789012" (gcloud projects describe <project id> --format="value(projectNumber)")',
    ]);
  });

  it("says what it must look like when malformed", () => {
    expect(problems(withConfig((c) => (c.project.number = "12x")))).toEqual([expect.stringMatching(/^project\.number: must be the numeric project number, e\.g\. "123456789012"/)]);
    expect(problems(withConfig((c) => (c.project.number = true)))).toEqual([expect.stringMatching(/^project\.number: must be the numeric project number/)]);
  });
});

describe("synth with a region that does not exist", () => {
  it("exits non-zero naming the field and writes nothing", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bad-region-"));
    const configFile = path.join(dir, "bad.json");
    const outdir = path.join(dir, "out");
    fs.writeFileSync(configFile, JSON.stringify(withConfig(oneRegion("europe-north9", ["europe-north9-a"]), baseConfig())));
    const app = appCommand();
    const run = spawnSync(app.file, app.args, { cwd: REPO_ROOT, env: { ...process.env, SIGSTORE_CONFIG: configFile, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('regions[0].region: "europe-north9" is not a Google Cloud region');
    expect(fs.existsSync(outdir)).toBe(false);
    fs.rmSync(dir, { recursive: true });
  });
});
