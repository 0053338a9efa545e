import { Construct } from "constructs";
import {
  ComputeSecurityPolicy,
  ComputeSecurityPolicyRule,
} from "@cdktf/provider-google/lib/compute-security-policy";
import type { CloudArmorConfig, CloudArmorRuleConfig } from "../config/schema";
import { throwIfProblems } from "../shared/problems";
import { cloudArmorProblems, DEFAULT_RULE_PRIORITY } from "./cloud-armor-validation";

export { DEFAULT_RULE_PRIORITY } from "./cloud-armor-validation";

export interface CloudArmorPolicyProps {
  readonly name: string;
  readonly description: string;
  /** Default action, adaptive protection and rules; checked as the configuration schema checks services.*.cloudArmor. */
  readonly config: CloudArmorConfig;
  /**
   * An edge policy, for backend buckets (served from the CDN edge). Edge
   * policies only match source IP ranges and cannot rate-limit, redirect or
   * learn (adaptive protection), so only the configured IP allow/deny rules
   * carry over. @default false
   */
  readonly edge?: boolean;
}

/** Rules an edge policy can enforce: IP allow/deny. */
function isEdgeCapable(rule: CloudArmorRuleConfig): boolean {
  return rule.match.srcIpRanges !== undefined && (rule.action === "allow" || rule.action.startsWith("deny("));
}

/**
 * The Cloud Armor policy in front of a public service's backends: the
 * configured rules in priority order, a default rule, layer 7 DDoS adaptive
 * protection and standard JSON parsing (so CEL rules can inspect JSON bodies).
 */
export class CloudArmorPolicy extends Construct {
  readonly policy: ComputeSecurityPolicy;

  constructor(scope: Construct, id: string, props: CloudArmorPolicyProps) {
    super(scope, id);
    throwIfProblems(this, "config", cloudArmorProblems(props.config));
    const configured = props.edge ? props.config.rules.filter(isEdgeCapable) : props.config.rules;
    const rules = [...configured].sort((a, b) => a.priority - b.priority).map(toRule);
    rules.push({
      priority: DEFAULT_RULE_PRIORITY,
      action: props.config.defaultAction,
      description: "default rule",
      match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } },
    });
    this.policy = new ComputeSecurityPolicy(this, "policy", {
      name: props.name,
      description: props.description,
      type: props.edge ? "CLOUD_ARMOR_EDGE" : "CLOUD_ARMOR",
      rule: rules,
      adaptiveProtectionConfig: props.edge
        ? undefined
        : { layer7DdosDefenseConfig: { enable: props.config.adaptiveProtection } },
      advancedOptionsConfig: props.edge ? undefined : { jsonParsing: "STANDARD", logLevel: "NORMAL" },
    });
  }

  /** Reference for a backend service's `security_policy`. */
  get selfLink(): string {
    return this.policy.selfLink;
  }
}

function toRule(rule: CloudArmorRuleConfig): ComputeSecurityPolicyRule {
  const { match, rateLimit, redirect } = rule;
  return {
    priority: rule.priority,
    action: rule.action,
    description: rule.description,
    preview: rule.preview || undefined,
    match: match.srcIpRanges
      ? { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: [...match.srcIpRanges] } }
      : { expr: { expression: match.expression! } },
    rateLimitOptions: rateLimit && {
      conformAction: "allow",
      exceedAction: rateLimit.exceedAction,
      enforceOnKey: rateLimit.enforceOnKey,
      enforceOnKeyName: rateLimit.enforceOnKeyName,
      rateLimitThreshold: { count: rateLimit.count!, intervalSec: rateLimit.intervalSec! },
      banDurationSec: rateLimit.banDurationSec,
      banThreshold: rateLimit.banThreshold && {
        count: rateLimit.banThreshold.count,
        intervalSec: rateLimit.banThreshold.intervalSec,
      },
    },
    redirectOptions: redirect && { type: redirect.type, target: redirect.target },
  };
}
