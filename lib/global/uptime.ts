import { Construct } from "constructs";
import type { MonitoringAlertPolicy } from "@cdktf/provider-google/lib/monitoring-alert-policy";
import type { MonitoringUptimeCheckConfig } from "@cdktf/provider-google/lib/monitoring-uptime-check-config";
import { AlertTarget, alertPolicy, DAY, filter, labelIn, metricType, MINUTE, resourceType, seconds } from "../regional/monitoring/policy";
import {
  checkCheckerRegions,
  DEFAULT_CHECKER_REGIONS,
  DEFAULT_UPTIME_PERIOD,
  uptimeCheck,
  UptimeCheckerRegion,
  UptimeCheckPeriod,
  uptimeFailureCondition,
} from "../regional/monitoring/uptime";
import type { ResourceNames } from "../shared/names";

/** A public host name to check, as clients resolve it. */
export interface GlobalUptimeTarget {
  /** Short id, used in construct ids, e.g. "fulcio". */
  readonly id: string;
  /** Human name, e.g. "Fulcio". */
  readonly title: string;
  /** Public host name, e.g. "fulcio.sigstore.example.com". */
  readonly host: string;
  /** Path requested, e.g. "/api/v1/rootCert". */
  readonly path: string;
  /** Text the response must contain. @default none: any 2xx answer passes */
  readonly expectedContent?: string;
}

export interface GlobalUptimeProps {
  readonly project: string;
  /** Names of the deployment; its prefix tells its policies apart from another deployment's. */
  readonly names: ResourceNames;
  readonly targets: readonly GlobalUptimeTarget[];
  /** Notification channel ids (`projects/<p>/notificationChannels/<id>`). */
  readonly notificationChannels: readonly string[];
  /** Alert policies on the checks. @default true */
  readonly alerts?: boolean;
  /**
   * Enable those policies. Before the services serve under their host names
   * with an active certificate they fail and would page, so a new deployment
   * creates them disabled. @default true
   */
  readonly serviceAlerts?: boolean;
  /** @default "60s" */
  readonly period?: UptimeCheckPeriod;
  /** @default every continent: ASIA_PACIFIC, EUROPE, SOUTH_AMERICA, USA */
  readonly checkerRegions?: readonly UptimeCheckerRegion[];
  /** Days before a served certificate expires at which to alert. @default 28 */
  readonly certificateWarningDays?: number;
}

const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/**
 * Uptime checks of the public host names, as clients reach them (through DNS,
 * whichever stack owns the record): the certificate is validated against the
 * host name, and its expiry alerted on. The regional stacks check each
 * region's own ingress in addition (`RegionalMonitoring`).
 */
export class GlobalUptime extends Construct {
  /** Uptime check per target id. */
  readonly checks: { readonly [id: string]: MonitoringUptimeCheckConfig };
  private readonly policies: MonitoringAlertPolicy[] = [];

  constructor(scope: Construct, id: string, props: GlobalUptimeProps) {
    super(scope, id);
    const period = props.period ?? DEFAULT_UPTIME_PERIOD;
    const regions = props.checkerRegions ?? DEFAULT_CHECKER_REGIONS;
    checkCheckerRegions(regions);
    const days = props.certificateWarningDays ?? 28;
    if (!Number.isInteger(days) || days < 1 || days > 90) throw new Error(`certificateWarningDays (${days}) must be a whole number of days from 1 to 90`);
    const seen = new Set<string>();
    for (const t of props.targets) {
      if (seen.has(t.id)) throw new Error(`Uptime target "${t.id}" is listed twice`);
      seen.add(t.id);
      if (!HOST.test(t.host)) throw new Error(`Host of ${t.id} "${t.host}" must be a host name such as fulcio.example.com (no scheme, port, path or trailing dot)`);
    }

    const target: AlertTarget = {
      project: props.project,
      notificationChannels: props.notificationChannels,
      displayPrefix: `[${props.names.prefix} global]`,
    };
    const checks: { [id: string]: MonitoringUptimeCheckConfig } = {};
    for (const t of props.targets) {
      const check = uptimeCheck(this, `${t.id}-uptime`, {
        project: props.project,
        displayName: `${target.displayPrefix} ${t.title} at ${t.host}`,
        target: t.host,
        path: t.path,
        validateCertificate: true,
        expectedContent: t.expectedContent,
        period,
        checkerRegions: regions,
      });
      checks[t.id] = check;
      if (props.alerts ?? true) {
        this.policies.push(
          alertPolicy(this, `${t.id}-uptime-alert`, target, {
            title: `${t.title} down at ${t.host}`,
            severity: "CRITICAL",
            meaning:
              `Uptime checkers in more than one location cannot get a valid 2xx answer from \`https://${t.host}${t.path}\`, ` +
              "the way clients reach it: the service, its certificate, its load balancer or its DNS record is broken for everyone.",
            investigate: [
              "- The uptime check's page in Cloud Monitoring shows which locations fail and the HTTP status or TLS error.",
              `- \`dig ${t.host}\`: does the record point where the DNS ownership phase says (the global load balancer or the primary region)?`,
              "- Each region's own uptime check (`[<prefix> <region>]`) tells whether one region or all of them fail.",
            ].join("\n"),
            conditions: [uptimeFailureCondition(check, period, t.title)],
            autoClose: seconds(30 * MINUTE),
            enabled: props.serviceAlerts ?? true,
          }),
        );
      }
    }
    this.checks = checks;

    if ((props.alerts ?? true) && props.targets.length > 0) {
      this.policies.push(
        alertPolicy(this, "certificate-expiry-alert", target, {
          title: `TLS certificate expires within ${days} days`,
          severity: "WARNING",
          meaning:
            `A certificate served for ${props.targets.map((t) => `\`${t.host}\``).join(", ")} expires within ${days} days. ` +
            "Managed certificates renew about a month before expiry; one that has not renewed by now is stuck, usually on DNS authorization.",
          investigate: [
            "- The incident's `host` label names the host name.",
            "- Certificate Manager > Certificates: the certificate's state and its DNS authorization's CNAME record.",
          ].join("\n"),
          conditions: [
            {
              displayName: `certificate expires within ${days} days`,
              conditionThreshold: {
                filter: filter(
                  metricType("monitoring.googleapis.com/uptime_check/time_until_ssl_cert_expires"),
                  resourceType("uptime_url"),
                  labelIn("metric.labels.check_id", Object.values(checks).map((c) => c.uptimeCheckId)),
                ),
                aggregations: [
                  {
                    alignmentPeriod: "1200s",
                    perSeriesAligner: "ALIGN_NEXT_OLDER",
                    crossSeriesReducer: "REDUCE_MIN",
                    groupByFields: ["resource.label.host"],
                  },
                ],
                comparison: "COMPARISON_LT",
                thresholdValue: days,
                duration: "600s",
              },
            },
          ],
          autoClose: seconds(DAY),
          enabled: props.serviceAlerts ?? true,
        }),
      );
    }
  }

  /** Every alert policy (none when alerts are off). */
  get alertPolicies(): readonly MonitoringAlertPolicy[] {
    return [...this.policies];
  }
}
