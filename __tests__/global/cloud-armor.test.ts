import { TerraformStack, Testing } from "cdktf";
import { validateConfig } from "../../lib/config/load";
import { CloudArmorPolicy } from "../../lib/global/cloud-armor-policy";
import { baseConfig } from "../helpers/synth";
import { testApp } from "../helpers/construct";

function policyFor(cloudArmor: unknown): any {
  const config = validateConfig({ ...baseConfig(), services: { fulcio: { cloudArmor } } });
  const stack = new TerraformStack(testApp(), "test");
  new CloudArmorPolicy(stack, "armor", { name: "p", description: "d", config: config.services.fulcio.cloudArmor });
  const json = JSON.parse(Testing.synth(stack));
  return Object.values(json.resource.google_compute_security_policy)[0];
}

describe("Cloud Armor policy", () => {
  const policy = policyFor({
    defaultAction: "deny(403)",
    adaptiveProtection: false,
    rules: [
      { priority: 300, action: "redirect", match: { expression: "request.path == '/old'" }, redirect: { target: "https://example.com/new" } },
      { priority: 100, action: "allow", description: "office", match: { srcIpRanges: ["203.0.113.0/24"] } },
      { priority: 200, action: "throttle", match: { srcIpRanges: ["*"] }, rateLimit: { count: 60, intervalSec: 60, enforceOnKey: "HTTP_HEADER", enforceOnKeyName: "x-client" } },
      { priority: 250, action: "rate_based_ban", preview: true, match: { expression: "true" }, rateLimit: { count: 600, intervalSec: 60, banDurationSec: 600, banThreshold: { count: 1000, intervalSec: 120 } } },
    ],
  });

  it("lists rules in priority order, then the default rule with the configured action", () => {
    expect(policy.rule.map((r: any) => [r.priority, r.action])).toEqual([
      [100, "allow"],
      [200, "throttle"],
      [250, "rate_based_ban"],
      [300, "redirect"],
      [2147483647, "deny(403)"],
    ]);
  });

  it("maps IP ranges to SRC_IPS_V1 and expressions to CEL", () => {
    expect(policy.rule[0].match).toEqual({ versioned_expr: "SRC_IPS_V1", config: { src_ip_ranges: ["203.0.113.0/24"] } });
    expect(policy.rule[0].description).toBe("office");
    expect(policy.rule[3].match).toEqual({ expr: { expression: "request.path == '/old'" } });
  });

  it("turns a throttle into rate-limit options with its threshold and key", () => {
    expect(policy.rule[1].rate_limit_options).toEqual({
      conform_action: "allow",
      exceed_action: "deny(429)",
      enforce_on_key: "HTTP_HEADER",
      enforce_on_key_name: "x-client",
      rate_limit_threshold: { count: 60, interval_sec: 60 },
    });
  });

  it("gives a rate-based ban its duration and ban threshold, and keeps preview", () => {
    expect(policy.rule[2].preview).toBe(true);
    expect(policy.rule[2].rate_limit_options).toMatchObject({
      ban_duration_sec: 600,
      ban_threshold: { count: 1000, interval_sec: 120 },
      rate_limit_threshold: { count: 600, interval_sec: 60 },
    });
  });

  it("redirects with an external 302 to the target", () => {
    expect(policy.rule[3].redirect_options).toEqual({ type: "EXTERNAL_302", target: "https://example.com/new" });
  });

  it("can switch adaptive protection off, and always parses JSON bodies", () => {
    expect(policy.adaptive_protection_config).toEqual({ layer_7_ddos_defense_config: { enable: false } });
    expect(policy.advanced_options_config).toEqual({ json_parsing: "STANDARD", log_level: "NORMAL" });
    expect(policy.type).toBe("CLOUD_ARMOR");
  });
});
