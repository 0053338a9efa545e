import type { CloudArmorConfig, CloudArmorRuleConfig } from "../config/schema";
import type { Problem } from "../shared/problems";

// Cloud Armor's rules for a policy, in one place: CloudArmorPolicy checks its
// props with them and the configuration schema refines services.*.cloudArmor
// with the same functions (lib/config/schema.ts), so a rule that synthesizes
// from a TypeScript app is exactly a rule that validates from a file.

/** Priority of the rule that matches what no configured rule did. */
export const DEFAULT_RULE_PRIORITY = 2147483647;
/** Highest priority a configured rule may use; 2147483647 is the default rule's. */
export const CLOUD_ARMOR_MAX_RULE_PRIORITY = 2147483646;
export const CLOUD_ARMOR_DENY_ACTIONS = ["deny(403)", "deny(404)", "deny(429)", "deny(502)"] as const;
export const CLOUD_ARMOR_DEFAULT_ACTIONS = ["allow", ...CLOUD_ARMOR_DENY_ACTIONS] as const;
export const CLOUD_ARMOR_RULE_ACTIONS = ["allow", ...CLOUD_ARMOR_DENY_ACTIONS, "throttle", "rate_based_ban", "redirect"] as const;
/** Cloud Armor accepts only these intervals for rate_limit_threshold.interval_sec. */
export const CLOUD_ARMOR_RATE_LIMIT_INTERVALS = [10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600] as const;
export const CLOUD_ARMOR_ENFORCE_ON_KEYS = [
  "ALL", "IP", "HTTP_HEADER", "XFF_IP", "HTTP_COOKIE", "HTTP_PATH", "SNI", "REGION_CODE", "TLS_JA3_FINGERPRINT", "USER_IP",
] as const;
export const CLOUD_ARMOR_REDIRECT_TYPES = ["EXTERNAL_302", "GOOGLE_RECAPTCHA"] as const;
/** Source IP ranges one rule may match. */
export const CLOUD_ARMOR_MAX_RANGES_PER_RULE = 10;
export const CLOUD_ARMOR_MAX_DESCRIPTION = 64;
const RATE_LIMIT_ACTIONS: ReadonlySet<string> = new Set(["throttle", "rate_based_ban"]);

const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(\/(3[0-2]|[12]?\d))?$/;
const IPV6_CIDR = /^[0-9a-fA-F:]+:[0-9a-fA-F:]*(\/(12[0-8]|1[01]\d|[1-9]?\d))?$/;

const oneOf = (values: readonly (string | number)[]) => values.join(", ");

/** A configured rule's priority: a whole number from 0 to 2147483646. */
export function cloudArmorPriorityProblem(priority: number): string | undefined {
  if (!Number.isInteger(priority)) return "must be a whole number";
  if (priority < 0 || priority > CLOUD_ARMOR_MAX_RULE_PRIORITY) return `must be between 0 and ${CLOUD_ARMOR_MAX_RULE_PRIORITY} (${DEFAULT_RULE_PRIORITY} is the default rule's)`;
  return undefined;
}

/** One source range: an IPv4 or IPv6 address or CIDR range, or "*". */
export function srcIpRangeProblem(range: string): string | undefined {
  return range === "*" || IPV4_CIDR.test(range) || IPV6_CIDR.test(range)
    ? undefined
    : `"${range}" is not an IP address or CIDR range (use e.g. "203.0.113.0/24", "2001:db8::/32" or "*")`;
}

/** The list of a rule's source ranges: 1 to 10. */
export function srcIpRangeCountProblem(ranges: readonly string[]): string | undefined {
  if (ranges.length === 0) return "list at least one range, or match with an expression instead";
  if (ranges.length > CLOUD_ARMOR_MAX_RANGES_PER_RULE) return `Cloud Armor allows at most ${CLOUD_ARMOR_MAX_RANGES_PER_RULE} ranges per rule; split the list over several rules`;
  return undefined;
}

export function expressionProblem(expression: string): string | undefined {
  return expression.length === 0 ? "must be a non-empty CEL expression" : undefined;
}

/** A rule matches by source ranges or by a CEL expression, never both. */
export function matchProblem(match: { readonly srcIpRanges?: readonly string[]; readonly expression?: string }): string | undefined {
  return (match.srcIpRanges === undefined) === (match.expression === undefined)
    ? "set exactly one of srcIpRanges (IP allow/deny) or expression (CEL)"
    : undefined;
}

export function requestCountProblem(count: number): string | undefined {
  return Number.isInteger(count) && count > 0 ? undefined : "must be a positive whole number of requests";
}

export function rateLimitIntervalProblem(seconds: number): string | undefined {
  return (CLOUD_ARMOR_RATE_LIMIT_INTERVALS as readonly number[]).includes(seconds) ? undefined : `must be one of ${oneOf(CLOUD_ARMOR_RATE_LIMIT_INTERVALS)} seconds`;
}

export function banDurationProblem(seconds: number): string | undefined {
  return Number.isInteger(seconds) && seconds > 0 ? undefined : "must be a positive whole number of seconds";
}

export function descriptionProblem(description: string): string | undefined {
  return description.length > CLOUD_ARMOR_MAX_DESCRIPTION ? `at most ${CLOUD_ARMOR_MAX_DESCRIPTION} characters` : undefined;
}

export function redirectTargetProblem(target: string): string | undefined {
  try {
    const url = new URL(target);
    if (url.protocol === "https:" || url.protocol === "http:") return undefined;
  } catch {
    // not a URL
  }
  return "must be an http(s) URL";
}

/**
 * How a rule's fields go together: rate limits with the rate-based actions
 * and their thresholds, header or cookie keys with their name, redirects with
 * their target. Paths are relative to the rule.
 */
export function cloudArmorRuleRelationProblems(rule: CloudArmorRuleConfig): Problem[] {
  const problems: Problem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  if (RATE_LIMIT_ACTIONS.has(rule.action)) {
    const missing = (["count", "intervalSec"] as const).filter((k) => rule.rateLimit?.[k] === undefined);
    if (missing.length > 0) {
      add(["rateLimit"], `action "${rule.action}" needs its threshold: set rateLimit.${missing.join(" and rateLimit.")}, e.g. rateLimit: { count: 600, intervalSec: 60 }`);
    }
    if (rule.action === "rate_based_ban" && rule.rateLimit?.banDurationSec === undefined) {
      add(["rateLimit", "banDurationSec"], 'action "rate_based_ban" needs rateLimit.banDurationSec');
    }
  } else if (rule.rateLimit !== undefined) {
    add(["rateLimit"], `rateLimit only applies to actions "throttle" and "rate_based_ban", not "${rule.action}"`);
  }
  const key = rule.rateLimit?.enforceOnKey;
  if ((key === "HTTP_HEADER" || key === "HTTP_COOKIE") && !rule.rateLimit?.enforceOnKeyName) {
    add(["rateLimit", "enforceOnKeyName"], `enforceOnKey "${key}" needs enforceOnKeyName (the header or cookie to count by)`);
  }
  if (rule.action === "redirect") {
    if (!rule.redirect) add(["redirect"], 'action "redirect" needs redirect: { type, target }');
    else if (rule.redirect.type === "EXTERNAL_302" && !rule.redirect.target) add(["redirect", "target"], "an EXTERNAL_302 redirect needs a target URL");
  } else if (rule.redirect !== undefined) {
    add(["redirect"], `redirect only applies to action "redirect", not "${rule.action}"`);
  }
  return problems;
}

/** Priorities are unique within a policy. Paths are relative to the policy. */
export function cloudArmorPriorityClashes(rules: readonly { readonly priority: number }[]): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<number, number>();
  rules.forEach((rule, i) => {
    const first = seen.get(rule.priority);
    if (first !== undefined) {
      problems.push({ path: ["rules", i, "priority"], message: `priority ${rule.priority} is already used by rules[${first}]; priorities must be unique within a policy` });
    } else {
      seen.set(rule.priority, i);
    }
  });
  return problems;
}

/**
 * Every rule above, on a whole policy's settings: what CloudArmorPolicy
 * checks its `config` prop with. The schema applies the same checks field by
 * field, so a configuration file gets each one at its own path.
 */
export function cloudArmorProblems(config: CloudArmorConfig): Problem[] {
  const problems: Problem[] = [];
  const add = (path: (string | number)[], message: string | undefined) => {
    if (message !== undefined) problems.push({ path, message });
  };
  const member = (values: readonly (string | number)[], value: unknown) =>
    values.includes(value as string | number) ? undefined : `must be one of ${oneOf(values)}, not ${JSON.stringify(value)}`;
  add(["defaultAction"], member(CLOUD_ARMOR_DEFAULT_ACTIONS, config.defaultAction));
  config.rules.forEach((rule, i) => {
    const at = (...path: (string | number)[]) => ["rules", i, ...path];
    add(at("priority"), cloudArmorPriorityProblem(rule.priority));
    add(at("action"), member(CLOUD_ARMOR_RULE_ACTIONS, rule.action));
    if (rule.description !== undefined) add(at("description"), descriptionProblem(rule.description));
    add(at("match"), matchProblem(rule.match));
    if (rule.match.srcIpRanges !== undefined) {
      add(at("match", "srcIpRanges"), srcIpRangeCountProblem(rule.match.srcIpRanges));
      rule.match.srcIpRanges.forEach((range, j) => add(at("match", "srcIpRanges", j), srcIpRangeProblem(range)));
    }
    if (rule.match.expression !== undefined) add(at("match", "expression"), expressionProblem(rule.match.expression));
    const limit = rule.rateLimit;
    if (limit) {
      if (limit.count !== undefined) add(at("rateLimit", "count"), requestCountProblem(limit.count));
      if (limit.intervalSec !== undefined) add(at("rateLimit", "intervalSec"), rateLimitIntervalProblem(limit.intervalSec));
      add(at("rateLimit", "enforceOnKey"), member(CLOUD_ARMOR_ENFORCE_ON_KEYS, limit.enforceOnKey));
      add(at("rateLimit", "exceedAction"), member(CLOUD_ARMOR_DENY_ACTIONS, limit.exceedAction));
      if (limit.banDurationSec !== undefined) add(at("rateLimit", "banDurationSec"), banDurationProblem(limit.banDurationSec));
      if (limit.banThreshold) {
        add(at("rateLimit", "banThreshold", "count"), requestCountProblem(limit.banThreshold.count));
        add(at("rateLimit", "banThreshold", "intervalSec"), rateLimitIntervalProblem(limit.banThreshold.intervalSec));
      }
    }
    if (rule.redirect) {
      add(at("redirect", "type"), member(CLOUD_ARMOR_REDIRECT_TYPES, rule.redirect.type));
      if (rule.redirect.target !== undefined) add(at("redirect", "target"), redirectTargetProblem(rule.redirect.target));
    }
    for (const p of cloudArmorRuleRelationProblems(rule)) problems.push({ path: at(...p.path), message: p.message });
  });
  problems.push(...cloudArmorPriorityClashes(config.rules));
  return problems;
}
