import { TerraformStack, Testing } from "cdktf";
import type { CloudArmorConfig } from "../../lib/config/schema";
import { CloudArmorPolicy } from "../../lib/global/cloud-armor-policy";
import { GkeCluster, GkeClusterProps } from "../../lib/regional/gke";
import { testContext, testApp } from "../helpers/construct";
import { problems } from "../helpers/config-problems";
import { withConfig } from "../helpers/synth";
import { gkeDefaults, standaloneGkeProps } from "../regional/platform-helpers";

// A construct used on its own, in a plain cdktf stack, rejects bad props with
// the same rule (and the same words) as the configuration schema does for the
// field they come from: one validator, two callers.

/** The construct's error, as [path after the construct path, message]. */
function constructError(build: (stack: TerraformStack) => void): [string, string] {
  const stack = new TerraformStack(testApp(), "plain");
  try {
    build(stack);
  } catch (e) {
    const m = /^plain\/[^:]+: ([^:]+): ([\s\S]*)$/.exec((e as Error).message);
    if (!m) throw new Error(`unexpected error shape: ${(e as Error).message}`);
    return [m[1], m[2]];
  }
  throw new Error("expected the construct to reject its props");
}

/** The schema's one problem, as [config path, message]. */
function schemaError(change: (c: any) => void): [string, string] {
  const found = problems(withConfig(change));
  expect(found).toHaveLength(1);
  const at = found[0].indexOf(": ");
  return [found[0].slice(0, at), found[0].slice(at + 2)];
}

describe("Cloud Armor rules: CloudArmorPolicy and services.*.cloudArmor", () => {
  const armor = (rules: unknown[]): CloudArmorConfig => ({ defaultAction: "allow", adaptiveProtection: true, rules } as unknown as CloudArmorConfig);
  const rule = (extra: object) => ({ priority: 100, action: "allow", preview: false, match: { expression: "true" }, ...extra });
  // The schema fills in defaults the construct's typed props already have.
  const inFile = (rules: unknown[]) => (c: any) => (c.services = { fulcio: { cloudArmor: { rules } } });

  it.each([
    ["a priority above the range", [rule({ priority: 2147483647 })], "rules[0].priority", /^must be between 0 and 2147483646 \(2147483647 is the default rule's\)$/],
    ["a negative priority", [rule({ priority: -1 })], "rules[0].priority", /^must be between 0 and 2147483646/],
    ["a fractional priority", [rule({ priority: 1.5 })], "rules[0].priority", /^must be a whole number$/],
    ["a priority used twice", [rule({}), rule({ action: "deny(403)" })], "rules[1].priority", /^priority 100 is already used by rules\[0\]; priorities must be unique within a policy$/],
    ["an invalid CIDR", [rule({ match: { srcIpRanges: ["10.0.0.0/33"] } })], "rules[0].match.srcIpRanges[0]", /^"10\.0\.0\.0\/33" is not an IP address or CIDR range/],
    ["eleven ranges", [rule({ match: { srcIpRanges: Array.from({ length: 11 }, (_, i) => `10.0.${i}.0/24`) } })], "rules[0].match.srcIpRanges", /^Cloud Armor allows at most 10 ranges per rule; split the list over several rules$/],
    ["both ranges and an expression", [rule({ match: { srcIpRanges: ["*"], expression: "true" } })], "rules[0].match", /^set exactly one of srcIpRanges \(IP allow\/deny\) or expression \(CEL\)$/],
    ["an empty expression", [rule({ match: { expression: "" } })], "rules[0].match.expression", /^must be a non-empty CEL expression$/],
    ["a throttle without its threshold", [rule({ action: "throttle" })], "rules[0].rateLimit", /^action "throttle" needs its threshold: set rateLimit\.count and rateLimit\.intervalSec/],
    ["an unsupported interval", [rule({ action: "throttle", rateLimit: { count: 10, intervalSec: 7, enforceOnKey: "IP", exceedAction: "deny(429)" } })], "rules[0].rateLimit.intervalSec", /^must be one of 10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600 seconds$/],
    ["a header key without its name", [rule({ action: "throttle", rateLimit: { count: 10, intervalSec: 60, enforceOnKey: "HTTP_HEADER", exceedAction: "deny(429)" } })], "rules[0].rateLimit.enforceOnKeyName", /^enforceOnKey "HTTP_HEADER" needs enforceOnKeyName/],
    ["a rate limit on an allow rule", [rule({ rateLimit: { count: 10, intervalSec: 60, enforceOnKey: "IP", exceedAction: "deny(429)" } })], "rules[0].rateLimit", /^rateLimit only applies to actions "throttle" and "rate_based_ban", not "allow"$/],
    ["a redirect without a target", [rule({ action: "redirect", redirect: { type: "EXTERNAL_302" } })], "rules[0].redirect.target", /^an EXTERNAL_302 redirect needs a target URL$/],
    ["a redirect to a non-http URL", [rule({ action: "redirect", redirect: { type: "EXTERNAL_302", target: "ftp://example.com" } })], "rules[0].redirect.target", /^must be an http\(s\) URL$/],
  ])("%s: the construct and the schema reject it with the same message", (_, rules, path, message) => {
    const [constructPath, constructMessage] = constructError((stack) => new CloudArmorPolicy(stack, "armor", { name: "p", description: "d", config: armor(rules) }));
    const [configPath, configMessage] = schemaError(inFile(rules));
    expect(constructPath).toBe(`config.${path}`);
    expect(configPath).toBe(`services.fulcio.cloudArmor.${path}`);
    expect(constructMessage).toMatch(message);
    expect(configMessage).toBe(constructMessage);
  });

  it("names the construct path, and lists every problem at once", () => {
    const stack = new TerraformStack(testApp(), "plain");
    expect(() => new CloudArmorPolicy(stack, "edge", { name: "p", description: "d", config: armor([rule({ priority: -1 }), rule({ priority: -1, action: "block" })]) })).toThrow(
      /^plain\/edge: invalid config:\n {2}- plain\/edge: config\.rules\[0\]\.priority: must be between[\s\S]*config\.rules\[1\]\.action: must be one of allow, deny\(403\)[\s\S]*not "block"[\s\S]*config\.rules\[1\]\.priority: priority -1 is already used by rules\[0\]/,
    );
  });

  it("accepts what the schema accepts, and synthesizes it", () => {
    const stack = new TerraformStack(testApp(), "plain");
    new CloudArmorPolicy(stack, "armor", { name: "p", description: "d", config: armor([rule({ priority: 2147483646, match: { srcIpRanges: ["2001:db8::/32", "*"] } })]) });
    const policy: any = Object.values(JSON.parse(Testing.synth(stack)).resource.google_compute_security_policy)[0];
    expect(policy.rule.map((r: any) => r.priority)).toEqual([2147483646, 2147483647]);
  });
});

describe("regions and zones: GkeCluster and regions[]", () => {
  const cluster = (region: string, zones: string[], extra: Partial<GkeClusterProps> = {}) => (stack: TerraformStack) =>
    new GkeCluster(stack, "gke", standaloneGkeProps({ context: testContext({ region, zones }), ...extra }));
  const inFile = (region: string, zones: string[]) => (c: any) => (c.regions = [{ region, clusterName: "c", zones }]);

  it.each([
    ["a misspelt region", "us-esat1", ["us-esat1-b"], "region", /^"us-esat1" is not a Google Cloud region \(list of \d{4}-\d\d-\d\d\); did you mean "us-east1".*additionalLocations/],
    ["a zone the region does not have", "us-east1", ["us-east1-b", "us-east1-a"], "zones[1]", /^region "us-east1" has no zone "us-east1-a"; its zones are us-east1-b, us-east1-c, us-east1-d$/],
    ["a zone of another region", "us-east1", ["us-west1-a"], "zones[0]", /^zone "us-west1-a" is not in region "us-east1"; use zones named "us-east1-<letter>"/],
    ["a zone listed twice", "us-east1", ["us-east1-b", "us-east1-b"], "zones[1]", /^zone "us-east1-b" is listed twice$/],
    ["no zone at all", "us-east1", [], "zones", /^list at least one zone of the region/],
  ])("%s: the construct and the schema reject it with the same message", (_, region, zones, path, message) => {
    const [constructPath, constructMessage] = constructError(cluster(region, zones));
    const [configPath, configMessage] = schemaError(inFile(region, zones));
    expect(constructPath).toBe(`context.${path}`);
    expect(configPath).toBe(`regions[0].${path}`);
    expect(constructMessage).toMatch(message);
    expect(configMessage).toBe(constructMessage);
  });

  it("accepts a region newer than the list when given its zones, as the configuration does", () => {
    const stack = () => new TerraformStack(testApp(), "plain");
    expect(() => cluster("europe-north9", ["europe-north9-a"])(stack())).toThrow(/not a Google Cloud region/);
    expect(() => cluster("europe-north9", ["europe-north9-a"], { additionalLocations: { "europe-north9": ["a", "b"] } })(stack())).not.toThrow();
  });

  it("checks the control plane range and the node bounds as the schema does", () => {
    const [cidrPath, cidrMessage] = constructError(cluster("us-east1", ["us-east1-b"], { masterCidr: "172.16.0.0/24" }));
    expect([cidrPath, cidrMessage]).toEqual(["masterCidr", 'the GKE control plane range must be a /28, not "172.16.0.0/24"']);
    expect(schemaError((c) => (c.regional = { network: { masterCidr: "172.16.0.0/24" } }))).toEqual(["regional.network.masterCidr", cidrMessage]);
    const [nodesPath, nodesMessage] = constructError(cluster("us-east1", ["us-east1-b"], { settings: { ...gkeDefaults, minNodesPerZone: 4, maxNodesPerZone: 2 } }));
    expect([nodesPath, nodesMessage]).toEqual(["settings.minNodesPerZone", "minNodesPerZone (4) is above maxNodesPerZone (2)"]);
    expect(schemaError((c) => (c.regions[0].gke = { minNodesPerZone: 4, maxNodesPerZone: 2 }))).toEqual(["regions[0].gke.minNodesPerZone", `${nodesMessage} for us-east1`]);
  });
});

// Dex and TilesLog check these with the same functions; their own tests
// (__tests__/regional/trust-dex.test.ts, tiles-log.test.ts) cover the construct side.
describe("rules folded into the constructs' modules, applied by the schema", () => {
  it("names a bad or repeated Dex connector secret at its index", () => {
    expect(schemaError((c) => (c.regional = { dex: { connectorSecrets: ["github", "GitHub_Secret"] } }))).toEqual([
      "regional.dex.connectorSecrets[1]",
      'connector secret "GitHub_Secret" must be 1 to 41 lowercase letters, digits or hyphens, starting with a letter',
    ]);
    expect(schemaError((c) => (c.regional = { dex: { connectorSecrets: ["github", "github"] } }))).toEqual(["regional.dex.connectorSecrets[1]", 'connector secret "github" is listed twice']);
  });

  it("says what a tiles shard name may be", () => {
    expect(schemaError((c) => (c.tiles = { rekor: { shardName: "-2026" } }))).toEqual([
      "tiles.rekor.shardName",
      "must be 1 to 10 lowercase letters, digits or hyphens, not starting or ending with a hyphen",
    ]);
    expect(schemaError((c) => (c.tiles = { rekor: { processingUnits: 250 } }))[0]).toBe("tiles.rekor.processingUnits");
  });
});
