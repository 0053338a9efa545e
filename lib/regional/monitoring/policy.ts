import type { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import {
  MonitoringAlertPolicy,
  MonitoringAlertPolicyConditions,
} from "@cdktf/provider-google/lib/monitoring-alert-policy";

/** How loud an incident is; shown on the incident and in notifications. */
export type AlertSeverity = "CRITICAL" | "ERROR" | "WARNING";

/** What every alert policy of one stack shares. */
export interface AlertTarget {
  readonly project: string;
  /** Notification channel ids (`projects/<p>/notificationChannels/<id>`). */
  readonly notificationChannels: readonly string[];
  /**
   * Prefix of every display name, e.g. `[sigstore us-east1]`, so that the
   * policies of several regions (and deployments) sharing a project are
   * told apart in the console and in notifications.
   */
  readonly displayPrefix: string;
}

export interface AlertSpec {
  /** Display name without the prefix. */
  readonly title: string;
  readonly severity: AlertSeverity;
  /** Markdown: what the incident means for users. */
  readonly meaning: string;
  /** Markdown: where the on-call looks first (consoles, commands). */
  readonly investigate: string;
  readonly conditions: MonitoringAlertPolicyConditions[];
  /** @default "OR" */
  readonly combiner?: "OR" | "AND";
  /**
   * How long an incident whose data stopped arriving stays open. Incidents
   * whose condition clears close on their own regardless.
   */
  readonly autoClose: Duration;
  /** A disabled policy exists but opens no incident and notifies nobody. @default true */
  readonly enabled?: boolean;
  /** Resources the policy must wait for, e.g. a `LogMetricsReady`. @default none */
  readonly dependsOn?: ITerraformDependable[];
}

/** A duration in the `<seconds>s` form the Monitoring API takes. */
export type Duration = `${number}s`;

export const MINUTE = 60;
export const HOUR = 3600;
export const DAY = 86400;

export function seconds(n: number): Duration {
  return `${n}s`;
}

/**
 * An alert policy with the configured notification channels, markdown
 * documentation in two parts (what it means, where to look) and an
 * auto-close, the same way for every policy of the library.
 */
export function alertPolicy(scope: Construct, id: string, target: AlertTarget, spec: AlertSpec): MonitoringAlertPolicy {
  if (spec.conditions.length === 0) throw new Error(`Alert policy "${spec.title}" needs at least one condition`);
  const displayName = `${target.displayPrefix} ${spec.title}`;
  return new MonitoringAlertPolicy(scope, id, {
    project: target.project,
    displayName,
    severity: spec.severity,
    combiner: spec.combiner ?? "OR",
    conditions: spec.conditions,
    notificationChannels: [...target.notificationChannels],
    documentation: {
      mimeType: "text/markdown",
      subject: displayName,
      content: `${spec.meaning}\n\n**Where to look**\n\n${spec.investigate}`,
    },
    alertStrategy: { autoClose: spec.autoClose },
    enabled: spec.enabled,
    dependsOn: spec.dependsOn,
  });
}

/** Monitoring filter clauses joined with AND; empty clauses are dropped. */
export function filter(...clauses: (string | undefined | false)[]): string {
  return clauses.filter((c): c is string => typeof c === "string" && c.length > 0).join(" AND ");
}

/** `label="value"`, or `label=one_of("a","b")` for several values. */
export function labelIn(label: string, values: readonly string[]): string {
  if (values.length === 0) throw new Error(`labelIn(${label}) needs at least one value`);
  return values.length === 1 ? `${label}="${values[0]}"` : `${label}=one_of(${values.map((v) => `"${v}"`).join(",")})`;
}

export function metricType(type: string): string {
  return `metric.type="${type}"`;
}

export function resourceType(type: string): string {
  return `resource.type="${type}"`;
}
