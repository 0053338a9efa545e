import type { Construct } from "constructs";
import type { MonitoringAlertPolicyConditions } from "@cdktf/provider-google/lib/monitoring-alert-policy";
import { MonitoringUptimeCheckConfig } from "@cdktf/provider-google/lib/monitoring-uptime-check-config";
import { filter, metricType, resourceType } from "./policy";

/** Regions uptime checkers run from. */
export type UptimeCheckerRegion =
  | "USA"
  | "EUROPE"
  | "SOUTH_AMERICA"
  | "ASIA_PACIFIC"
  | "USA_OREGON"
  | "USA_IOWA"
  | "USA_VIRGINIA";

/** Seconds between checks; the only values the API accepts. */
export type UptimeCheckPeriod = "60s" | "300s" | "600s" | "900s";

// "USA" stands for three checkers, every other region for one; the API wants
// at least three checkers.
const CHECKERS: { readonly [R in UptimeCheckerRegion]: number } = {
  USA: 3, EUROPE: 1, SOUTH_AMERICA: 1, ASIA_PACIFIC: 1, USA_OREGON: 1, USA_IOWA: 1, USA_VIRGINIA: 1,
};

/** Every continent, so that a failure seen from one network does not page on its own. */
export const DEFAULT_CHECKER_REGIONS: readonly UptimeCheckerRegion[] = ["ASIA_PACIFIC", "EUROPE", "SOUTH_AMERICA", "USA"];

export const DEFAULT_UPTIME_PERIOD: UptimeCheckPeriod = "60s";

export const UPTIME_CHECK_PASSED = "monitoring.googleapis.com/uptime_check/check_passed";

export interface UptimeCheckSpec {
  readonly project: string;
  readonly displayName: string;
  /** Host label of the `uptime_url` resource: a host name or an IP address. */
  readonly target: string;
  /** `Host` header to send, when `target` is an address that serves the host by name. */
  readonly hostHeader?: string;
  readonly path: string;
  /**
   * Whether the check fails on a certificate that is invalid for `target`.
   * Only meaningful when `target` is the host name the certificate names.
   */
  readonly validateCertificate: boolean;
  /** Text the response body must contain. */
  readonly expectedContent?: string;
  readonly period: UptimeCheckPeriod;
  readonly checkerRegions: readonly UptimeCheckerRegion[];
}

/** Validates checker regions: known, distinct, and at least three checkers. */
export function checkCheckerRegions(regions: readonly UptimeCheckerRegion[]): void {
  const unknown = regions.filter((r) => !(r in CHECKERS));
  if (unknown.length > 0) throw new Error(`Unknown uptime checker regions: ${unknown.join(", ")}; use ${Object.keys(CHECKERS).join(", ")}`);
  if (new Set(regions).size !== regions.length) throw new Error(`Uptime checker regions are listed twice: ${regions.join(", ")}`);
  const checkers = regions.reduce((n, r) => n + CHECKERS[r], 0);
  if (checkers < 3) {
    throw new Error(`Uptime checks need at least three checkers; ${regions.join(", ") || "no region"} give ${checkers} ("USA" counts three, every other region one)`);
  }
}

/** An HTTPS uptime check that expects a 2xx (and, optionally, some content). */
export function uptimeCheck(scope: Construct, id: string, spec: UptimeCheckSpec): MonitoringUptimeCheckConfig {
  if (!spec.path.startsWith("/")) throw new Error(`Uptime check path "${spec.path}" must start with "/"`);
  return new MonitoringUptimeCheckConfig(scope, id, {
    project: spec.project,
    displayName: spec.displayName,
    period: spec.period,
    timeout: "10s",
    selectedRegions: [...spec.checkerRegions],
    monitoredResource: {
      type: "uptime_url",
      labels: { project_id: spec.project, host: spec.target },
    },
    httpCheck: {
      requestMethod: "GET",
      path: spec.path,
      port: 443,
      useSsl: true,
      validateSsl: spec.validateCertificate,
      headers: spec.hostHeader ? { Host: spec.hostHeader } : undefined,
      maskHeaders: false,
      acceptedResponseStatusCodes: [{ statusClass: "STATUS_CLASS_2XX" }],
    },
    contentMatchers: spec.expectedContent ? [{ content: spec.expectedContent, matcher: "CONTAINS_STRING" }] : undefined,
  });
}

/**
 * Condition of an uptime alert: more than one checker location failing for
 * a while. One location alone can be the checker's own network.
 */
export function uptimeFailureCondition(check: MonitoringUptimeCheckConfig, period: UptimeCheckPeriod, what: string): MonitoringAlertPolicyConditions {
  const periodSeconds = Number(period.replace("s", ""));
  return {
    displayName: `${what}: uptime check failing from more than one location`,
    conditionThreshold: {
      filter: filter(metricType(UPTIME_CHECK_PASSED), resourceType("uptime_url"), `metric.labels.check_id="${check.uptimeCheckId}"`),
      aggregations: [
        {
          alignmentPeriod: period,
          perSeriesAligner: "ALIGN_NEXT_OLDER",
          crossSeriesReducer: "REDUCE_COUNT_FALSE",
          groupByFields: ["resource.label.host"],
        },
      ],
      comparison: "COMPARISON_GT",
      thresholdValue: 1,
      // Five minutes, or two checks when they run less often.
      duration: `${Math.max(300, 2 * periodSeconds)}s`,
      trigger: { count: 1 },
    },
  };
}
