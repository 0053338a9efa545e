import * as fs from "fs";
import * as path from "path";
import { loadConfigFile, parseConfig } from "../../lib/config/load";
import { baseConfig, EXAMPLE_CONFIG, withConfig } from "../helpers/synth";
import { tempDir } from "../helpers/temp";
import { problems } from "../helpers/config-problems";

describe("valid configuration", () => {
  it("fills in documented defaults", () => {
    const config = parseConfig(baseConfig());
    expect(config.namePrefix).toBe("sigstore");
    expect(config.backend).toEqual({ type: "local", directory: "." });
    expect(config.services.fulcio).toMatchObject({
      subdomain: "fulcio",
      exposeGlobally: true,
      maxRatePerEndpoint: 100,
      dns: { owner: "regional", ttl: 60 },
      cloudArmor: { defaultAction: "allow", adaptiveProtection: true, rules: [] },
    });
    expect(config.services.tsa.subdomain).toBe("timestamp");
    expect(config.services.dex.subdomain).toBe("oauth2");
    expect(config.logging).toEqual({ loadBalancer: true, loadBalancerSampleRate: 1, healthChecks: false });
  });

  it("accepts the project number as a YAML number and keeps it a string", () => {
    expect(parseConfig(withConfig((c) => (c.project.number = 123456789012))).project.number).toBe("123456789012");
  });

  it("loads the shipped example, which has three regions", () => {
    const config = loadConfigFile(EXAMPLE_CONFIG);
    expect(config.regions.map((r) => r.region)).toEqual(["us-east1", "europe-west1", "asia-northeast1"]);
  });

  it("loads the same configuration from JSON", () => {
    const dir = tempDir("cfg-");
    const file = path.join(dir, "c.json");
    fs.writeFileSync(file, JSON.stringify(baseConfig()));
    expect(loadConfigFile(file)).toEqual(parseConfig(baseConfig()));
  });

  it("accepts every kind of Cloud Armor rule", () => {
    const config = parseConfig(
      withConfig((c) => {
        c.services = {
          fulcio: {
            cloudArmor: {
              defaultAction: "deny(403)",
              rules: [
                { priority: 0, action: "allow", match: { srcIpRanges: ["203.0.113.0/24", "2001:db8::/32"] } },
                { priority: 10, action: "deny(404)", match: { expression: "origin.region_code == 'XX'" } },
                { priority: 20, action: "throttle", match: { srcIpRanges: ["*"] }, rateLimit: { count: 100, intervalSec: 60 } },
                { priority: 30, action: "rate_based_ban", match: { srcIpRanges: ["*"] }, rateLimit: { count: 100, intervalSec: 60, banDurationSec: 300 } },
                { priority: 40, action: "redirect", match: { expression: "true" }, redirect: { target: "https://example.com" } },
                { priority: 2147483646, action: "deny(502)", match: { srcIpRanges: ["192.0.2.1"] }, preview: true },
              ],
            },
          },
        };
      }),
    );
    expect(config.services.fulcio.cloudArmor.rules).toHaveLength(6);
  });
});

describe("rejected configuration names the field and the fix", () => {
  it.each([
    ["an unknown top-level key", (c: any) => (c.regionz = []), /^: unknown key "regionz"; valid keys are: project, namePrefix, dns, regions/],
    ["an unknown nested key", (c: any) => (c.services = { dex: { maxRps: 5 } }), /^services\.dex: unknown key "maxRps"; valid keys are: .*maxRatePerEndpoint/],
    ["an unknown key in a region", (c: any) => (c.regions[0].zone = "x"), /^regions\[0\]: unknown key "zone"; valid keys are: region, clusterName, zones/],
    ["an empty region list", (c: any) => (c.regions = []), /^regions: list at least one region$/],
    ["a duplicate region", (c: any) => c.regions.push({ ...c.regions[0] }), /^regions\[2\]\.region: region "us-east1" is already listed at regions\[0\]/],
    ["a zone that is not in its region", (c: any) => (c.regions[0].zones = ["us-east1-b", "us-west1-a"]), /^regions\[0\]\.zones\[1\]: zone "us-west1-a" is not in region "us-east1"; use zones named "us-east1-<letter>"/],
    ["a domain without its trailing dot", (c: any) => (c.dns.domain = "sigstore.example.com"), /^dns\.domain: "sigstore\.example\.com" must end with a trailing dot.*use "sigstore\.example\.com\."/],
    ["a project id with capitals", (c: any) => (c.project.id = "My-Project"), /^project\.id: "My-Project" is not a valid GCP project id: use 6 to 30 lowercase letters/],
    ["a project id too short", (c: any) => (c.project.id = "abc"), /^project\.id: "abc" is not a valid GCP project id/],
    ["a project id ending with a hyphen", (c: any) => (c.project.id = "sigstore-prod-"), /^project\.id: .* not ending with a hyphen/],
    ["a project id with a restricted word", (c: any) => (c.project.id = "my-google-proj"), /^project\.id: .* may not contain the restricted word "google"/],
    ["a Cloud Armor priority above the range", (c: any) => (c.services = { tsa: { cloudArmor: { rules: [{ priority: 2147483647, action: "allow", match: { expression: "true" } }] } } }), /^services\.tsa\.cloudArmor\.rules\[0\]\.priority: must be between 0 and 2147483646/],
    ["a negative Cloud Armor priority", (c: any) => (c.services = { tsa: { cloudArmor: { rules: [{ priority: -1, action: "allow", match: { expression: "true" } }] } } }), /^services\.tsa\.cloudArmor\.rules\[0\]\.priority: must be between 0 and 2147483646/],
    [
      "a Cloud Armor priority used twice",
      (c: any) =>
        (c.services = {
          fulcio: {
            cloudArmor: {
              rules: [
                { priority: 100, action: "allow", match: { expression: "true" } },
                { priority: 100, action: "deny(403)", match: { srcIpRanges: ["192.0.2.0/24"] } },
              ],
            },
          },
        }),
      /^services\.fulcio\.cloudArmor\.rules\[1\]\.priority: priority 100 is already used by rules\[0\]/,
    ],
    ["a rate-limit rule without its threshold", (c: any) => (c.services = { fulcio: { cloudArmor: { rules: [{ priority: 1, action: "throttle", match: { expression: "true" } }] } } }), /^services\.fulcio\.cloudArmor\.rules\[0\]\.rateLimit: action "throttle" needs its threshold: set rateLimit\.count and rateLimit\.intervalSec/],
    ["a rate-limit rule with half a threshold", (c: any) => (c.services = { fulcio: { cloudArmor: { rules: [{ priority: 1, action: "throttle", match: { expression: "true" }, rateLimit: { count: 10 } }] } } }), /rateLimit: action "throttle" needs its threshold: set rateLimit\.intervalSec/],
    ["an unsupported rate-limit interval", (c: any) => (c.services = { fulcio: { cloudArmor: { rules: [{ priority: 1, action: "throttle", match: { expression: "true" }, rateLimit: { count: 10, intervalSec: 7 } }] } } }), /rateLimit\.intervalSec: must be one of 10, 30, 60/],
    ["a ban without its duration", (c: any) => (c.services = { fulcio: { cloudArmor: { rules: [{ priority: 1, action: "rate_based_ban", match: { expression: "true" }, rateLimit: { count: 10, intervalSec: 60 } }] } } }), /rateLimit\.banDurationSec: action "rate_based_ban" needs rateLimit\.banDurationSec/],
    ["a redirect without a target", (c: any) => (c.services = { fulcio: { cloudArmor: { rules: [{ priority: 1, action: "redirect", match: { expression: "true" }, redirect: { type: "EXTERNAL_302" } }] } } }), /redirect\.target: an EXTERNAL_302 redirect needs a target URL/],
    ["a rule matching both ranges and an expression", (c: any) => (c.services = { fulcio: { cloudArmor: { rules: [{ priority: 1, action: "allow", match: { expression: "true", srcIpRanges: ["*"] } }] } } }), /rules\[0\]\.match: set exactly one of srcIpRanges \(IP allow\/deny\) or expression \(CEL\)/],
    ["an invalid CIDR", (c: any) => (c.services = { fulcio: { cloudArmor: { rules: [{ priority: 1, action: "allow", match: { srcIpRanges: ["10.0.0.0/33"] } }] } } }), /srcIpRanges\[0\]: "10\.0\.0\.0\/33" is not an IP address or CIDR range/],
    ["more than ten ranges in one rule", (c: any) => (c.services = { fulcio: { cloudArmor: { rules: [{ priority: 1, action: "allow", match: { srcIpRanges: Array.from({ length: 11 }, (_, i) => `10.0.${i}.0/24`) } }] } } }), /srcIpRanges: Cloud Armor allows at most 10 ranges per rule/],
    ["the global phase for a service the global stack does not expose", (c: any) => (c.services = { tsa: { exposeGlobally: false, dns: { owner: "global" } } }), /^services\.tsa\.dns\.owner: ownership phase "global" needs the global stack to expose tsa: set services\.tsa\.exposeGlobally to true/],
    ["a weight without the global phase", (c: any) => (c.services = { dex: { dns: { owner: "regional", globalWeight: 0.5 } } }), /^services\.dex\.dns\.globalWeight: a weighted hand-off is owned by the global stack/],
    ["a weight of 1", (c: any) => (c.services = { dex: { dns: { owner: "global", globalWeight: 1 } } }), /^services\.dex\.dns\.globalWeight: must be between 0 and 1 \(exclusive\)/],
    ["an unknown ownership phase", (c: any) => (c.services = { dex: { dns: { owner: "both" } } }), /^services\.dex\.dns\.owner: must be "regional" or "global"/],
    ["a primary region that is not configured", (c: any) => (c.primaryRegion = "asia-east1"), /^primaryRegion: "asia-east1" is not one of the configured regions \(us-east1, europe-west1\)/],
    ["two services on one host name", (c: any) => (c.services = { tsa: { subdomain: "fulcio" } }), /^services\.tsa\.subdomain: subdomain "fulcio" is already used by fulcio/],
    ["a name prefix too long for GCP names", (c: any) => (c.namePrefix = "prefix-of-13c"), /^namePrefix: at most 12 characters, so that derived names fit GCP's limits \(30 for service account ids\)/],
    ["overlapping ranges in a region", (c: any) => (c.regional = { network: { podsCidr: "10.0.8.0/21" } }), /^regional\.network\.podsCidr: podsCidr 10\.0\.8\.0\/21 overlaps subnetCidr 10\.0\.0\.0\/20 in us-east1; the ranges of a region must be disjoint/],
    ["an overlapping per-region override, named at the region", (c: any) => (c.regions[1].network = { servicesCidr: "10.16.0.0/20" }), /^regions\[1\]\.network\.servicesCidr: servicesCidr 10\.16\.0\.0\/20 overlaps podsCidr 10\.16\.0\.0\/14 in europe-west1/],
    ["a control-plane range that is not a /28", (c: any) => (c.regional = { network: { masterCidr: "172.16.0.0/24" } }), /^regional\.network\.masterCidr: the GKE control plane range must be a \/28/],
    ["more minimum than maximum nodes", (c: any) => (c.regions[0].gke = { minNodesPerZone: 5 }), /^regions\[0\]\.gke\.minNodesPerZone: minNodesPerZone \(5\) is above maxNodesPerZone \(3\) for us-east1/],
    ["an unknown key in a region override", (c: any) => (c.regions[0].gke = { nodes: 5 }), /^regions\[0\]\.gke: unknown key "nodes"; valid keys are: releaseChannel, machineType/],
    ["a breakglass member that is not a group", (c: any) => (c.regional = { database: { breakglassGroup: "user:a@example.com" } }), /^regional\.database\.breakglassGroup: must be a group/],
    ["a notification channel that is not a channel id", (c: any) => (c.monitoring = { notificationChannels: ["oncall@example.com"] }), /^monitoring\.notificationChannels\[0\]: must be a notification channel id/],
    ["a publisher image not pinned by digest", (c: any) => (c.dexJwks = { publisher: { image: "gcr.io/distroless/nodejs20-debian12:nonroot" } }), /^dexJwks\.publisher\.image: must be an image pinned by digest/],
    ["Dex across regions without key aggregation", (c: any) => (c.dexJwks = { enabled: false }), /^dexJwks\.enabled: Dex is exposed globally over 2 regions, so \/auth\/keys must serve every region's keys/],
    ["a role binding with a malformed role", (c: any) => (c.project.roleBindings = [{ role: "viewer", members: ["group:a@example.com"] }]), /^project\.roleBindings\[0\]\.role: must be a role such as "roles\/viewer"/],
    ["a tiles log on a host name already used", (c: any) => ((c.features = { rekorTiles: true }), (c.tiles = { rekor: { subdomain: "fulcio" } })), /^tiles\.rekor\.subdomain: subdomain "fulcio" is already used by fulcio/],
    ["a tiles log in a region that is not configured", (c: any) => ((c.features = { ctlogTiles: true }), (c.tiles = { ctlog: { region: "asia-east1" } })), /^tiles\.ctlog\.region: "asia-east1" is not one of the configured regions/],
    ["Spanner capacity Spanner does not sell", (c: any) => (c.tiles = { rekor: { processingUnits: 1500 } }), /^tiles\.rekor\.processingUnits: Spanner takes 100 to 900 processing units in steps of 100/],
    ["an unknown feature", (c: any) => (c.features = { rekorV3: true }), /^features: unknown key "rekorV3"; valid keys are: rekor, ctlog, tuf, rekorTiles, ctlogTiles/],
    ["an absolute local state directory", (c: any) => (c.backend = { type: "local", directory: "/var/state" }), /^backend\.directory: must be a relative path/],
    ["a GCS backend without a bucket", (c: any) => (c.backend = { type: "gcs" }), /^backend\.bucket: /],
  ])("%s", (_name, change, expected) => {
    const found = problems(withConfig(change));
    expect(found.some((p) => expected.test(p))).toBe(true);
  });

  it("reports every problem at once, not only the first", () => {
    const found = problems(
      withConfig((c) => {
        c.dns.domain = "no-dot.example.com";
        c.project.id = "BAD";
        c.regions[1].zones = ["us-east1-b"];
      }),
    );
    expect(found.map((p) => p.split(":")[0]).sort()).toEqual(["dns.domain", "project.id", "regions[1].zones[0]"]);
  });

  it("rejects YAML with a key written twice", () => {
    const dir = tempDir("cfg-");
    const file = path.join(dir, "dup.yaml");
    fs.writeFileSync(file, "namePrefix: a\nnamePrefix: b\n");
    expect(() => loadConfigFile(file)).toThrow(/YAML syntax: Map keys must be unique/);
  });

  it("names the file in the error", () => {
    expect(() => loadConfigFile("config/missing.yaml")).toThrow(/Invalid sigstore configuration in config\/missing\.yaml:\n {2}- \(document\): cannot read the file/);
  });
});

describe("missing sections", () => {
  it("say required and where to look, not zod's type words", () => {
    expect(problems({ project: { id: "sigstore-test", number: "123456789012" } })).toEqual([
      "dns: required: a section, as in config/example.yaml (docs/configuration.md)",
      "regions: required: a list, as in config/example.yaml (docs/configuration.md)",
    ]);
  });
});

describe("features", () => {
  it("refuses an instance without a live transparency log, naming the feature to keep", () => {
    expect(problems(withConfig((c) => (c.features = { rekor: false })))).toEqual([
      "features.rekor: an instance needs a transparency log: keep features.rekor (Rekor v1) or enable features.rekorTiles (Rekor v2)",
    ]);
    expect(parseConfig(withConfig((c) => (c.features = { rekor: false, rekorTiles: true }))).features).toMatchObject({ rekor: false, rekorTiles: true });
  });
});

