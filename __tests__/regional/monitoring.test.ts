import { Construct } from "constructs";
import { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import { PrivatecaCaPool } from "@cdktf/provider-google/lib/privateca-ca-pool";
import type { RegionalContext } from "../../lib/regional/context";
import { MonitoredService, RegionalMonitoring, RegionalMonitoringProps } from "../../lib/regional/monitoring";
import { ResourceNames } from "../../lib/shared/names";
import { bodiesOf, entriesOf, synthConstruct, testContext, placementOf } from "../helpers/construct";

const CHANNELS = ["projects/sigstore-test/notificationChannels/111", "projects/sigstore-test/notificationChannels/222"];
const ALL_FEATURES = { rekor: true, ctlog: true, tuf: true, rekorTiles: true, ctlogTiles: true };
const NO_FEATURES = { rekor: false, ctlog: false, tuf: false, rekorTiles: false, ctlogTiles: false };

// Metric types of Cloud Monitoring that alert conditions, SLOs and charts may
// name (from the Google Cloud metrics lists); log-based metrics are checked
// against the google_logging_metric resources of the stack instead.
const KNOWN_METRIC_TYPES = new Set([
  "monitoring.googleapis.com/uptime_check/check_passed",
  "monitoring.googleapis.com/uptime_check/time_until_ssl_cert_expires",
  "cloudsql.googleapis.com/database/cpu/utilization",
  "cloudsql.googleapis.com/database/memory/utilization",
  "cloudsql.googleapis.com/database/disk/utilization",
  "cloudsql.googleapis.com/database/mysql/aborted_connects_count",
  "kubernetes.io/node/cpu/allocatable_utilization",
  "kubernetes.io/node/memory/allocatable_utilization",
  "serviceruntime.googleapis.com/api/request_count",
  "serviceruntime.googleapis.com/quota/exceeded",
  "spanner.googleapis.com/instance/cpu/utilization_by_priority",
  "spanner.googleapis.com/instance/cpu/smoothed_utilization",
  "spanner.googleapis.com/instance/storage/utilization",
  "privateca.googleapis.com/ca/cert_expiration",
  "loadbalancing.googleapis.com/https/backend_request_count",
  "kubernetes.io/container/cpu/core_usage_time",
  "kubernetes.io/container/memory/used_bytes",
]);
// Resource types the metrics above are written against.
const RESOURCE_OF: { [metric: string]: string } = {
  "monitoring.googleapis.com/uptime_check/check_passed": "uptime_url",
  "cloudsql.googleapis.com/database/cpu/utilization": "cloudsql_database",
  "cloudsql.googleapis.com/database/memory/utilization": "cloudsql_database",
  "cloudsql.googleapis.com/database/disk/utilization": "cloudsql_database",
  "cloudsql.googleapis.com/database/mysql/aborted_connects_count": "cloudsql_database",
  "kubernetes.io/node/cpu/allocatable_utilization": "k8s_node",
  "kubernetes.io/node/memory/allocatable_utilization": "k8s_node",
  "serviceruntime.googleapis.com/api/request_count": "consumed_api",
  "serviceruntime.googleapis.com/quota/exceeded": "consumer_quota",
  "spanner.googleapis.com/instance/cpu/utilization_by_priority": "spanner_instance",
  "spanner.googleapis.com/instance/cpu/smoothed_utilization": "spanner_instance",
  "spanner.googleapis.com/instance/storage/utilization": "spanner_instance",
  "privateca.googleapis.com/ca/cert_expiration": "privateca.googleapis.com/CertificateAuthority",
  "loadbalancing.googleapis.com/https/backend_request_count": "https_lb_rule",
  "kubernetes.io/container/cpu/core_usage_time": "k8s_container",
  "kubernetes.io/container/memory/used_bytes": "k8s_container",
};
const ALIGNERS = new Set(["ALIGN_MEAN", "ALIGN_SUM", "ALIGN_RATE", "ALIGN_NEXT_OLDER", "ALIGN_COUNT_TRUE", "ALIGN_FRACTION_TRUE", "ALIGN_MAX", "ALIGN_MIN"]);
const REDUCERS = new Set(["REDUCE_SUM", "REDUCE_MEAN", "REDUCE_MAX", "REDUCE_MIN", "REDUCE_COUNT_FALSE"]);
const DURATION = /^[0-9]+s$/;

function services(scope: Construct): MonitoredService[] {
  const ip = (id: string) =>
    ((scope.node.tryFindChild(`${id}-ip`) as ComputeGlobalAddress | undefined) ?? new ComputeGlobalAddress(scope, `${id}-ip`, { name: `sigstore-${id}-ingress` })).address;
  return [
    {
      id: "fulcio",
      title: "Fulcio",
      host: "fulcio.sigstore.example.com",
      ingressAddress: ip("fulcio"),
      healthPath: "/healthz",
      negNames: ["sigstore-fulcio-http", "sigstore-fulcio-grpc"],
    },
    {
      id: "tsa",
      title: "Timestamp Authority",
      host: "timestamp.sigstore.example.com",
      ingressAddress: ip("tsa"),
      healthPath: "/ping",
      expectedContent: "pong",
      negNames: ["sigstore-tsa-http"],
    },
    { id: "dex", title: "Dex", host: "oauth2.sigstore.example.com", ingressAddress: ip("dex"), healthPath: "/auth/healthz" },
  ];
}

/** What the construct takes from a regional context. */
function contextProps(context: RegionalContext): Pick<RegionalMonitoringProps, "project" | "region" | "namePrefix" | "zones" | "primary"> {
  return { ...placementOf(context), zones: context.zones, primary: context.primary };
}

type Overrides = Partial<Omit<RegionalMonitoringProps, "services">> & { services?: (scope: Construct) => MonitoredService[] };

function props(scope: Construct, overrides: Overrides = {}): RegionalMonitoringProps {
  const { services: makeServices, ...rest } = overrides;
  return {
    ...contextProps(testContext()),
    notificationChannels: CHANNELS,
    services: (makeServices ?? services)(scope),
    clusterName: "sigstore-use1",
    features: ALL_FEATURES,
    databaseInstances: ["sigstore-trillian-us-east1"],
    spannerInstances: ["sigstore-tiles-us-east1"],
    ...rest,
  };
}

function build(overrides: Overrides = {}): any {
  return synthConstruct((scope) => {
    new RegionalMonitoring(scope, "monitoring", props(scope, overrides));
  });
}

/** Logical id of the resource whose reference `${type.<id>.attr}` appears in text. */
function referencedIds(text: string, type: string): string[] {
  return [...text.matchAll(new RegExp(`\\$\\{${type}\\.([^.}]+)\\.`, "g"))].map((m) => m[1]);
}

function policyNamed(json: any, fragment: string): any {
  const found = bodiesOf(json, "google_monitoring_alert_policy").filter((p) => p.display_name.includes(fragment));
  if (found.length !== 1) throw new Error(`${found.length} policies named like "${fragment}"`);
  return found[0];
}

const full = build({ privateCaPoolId: "fulcio-ca-pool" });

describe("RegionalMonitoring uptime checks", () => {
  const checks = entriesOf(full, "google_monitoring_uptime_check_config");

  it("checks every service through the region's own ingress IP over HTTPS, asking for the service's host", () => {
    expect(checks).toHaveLength(3);
    const byPath = Object.fromEntries(checks.map(([, c]) => [c.http_check.path, c]));
    expect(Object.keys(byPath).sort()).toEqual(["/auth/healthz", "/healthz", "/ping"]);
    const expected: [string, string, string][] = [
      ["/healthz", "fulcio.sigstore.example.com", "fulcio-ip"],
      ["/ping", "timestamp.sigstore.example.com", "tsa-ip"],
      ["/auth/healthz", "oauth2.sigstore.example.com", "dex-ip"],
    ];
    for (const [path, host, address] of expected) {
      const check = byPath[path];
      expect(check.monitored_resource).toEqual({
        type: "uptime_url",
        labels: { project_id: "sigstore-test", host: `\${google_compute_global_address.${address}.address}` },
      });
      expect(check.http_check).toMatchObject({
        use_ssl: true,
        port: 443,
        request_method: "GET",
        headers: { Host: host },
        accepted_response_status_codes: [{ status_class: "STATUS_CLASS_2XX" }],
      });
      // The certificate names the host, not the address the check connects to.
      expect(check.http_check.validate_ssl).toBe(false);
      expect(check.period).toBe("60s");
      expect(check.timeout).toBe("10s");
      expect(check.selected_regions).toEqual(["ASIA_PACIFIC", "EUROPE", "SOUTH_AMERICA", "USA"]);
      expect(check.display_name).toMatch(/^\[sigstore us-east1\] .* via the us-east1 ingress$/);
    }
    expect(byPath["/ping"].content_matchers).toEqual([{ content: "pong", matcher: "CONTAINS_STRING" }]);
    expect(byPath["/healthz"].content_matchers).toBeUndefined();
  });

  it("alerts on each check when more than one checker location fails", () => {
    for (const [id] of checks) {
      const uptimeAlerts = bodiesOf(full, "google_monitoring_alert_policy").filter(
        (p) => p.display_name.includes(" down through the us-east1 ingress") && referencedIds(JSON.stringify(p.conditions), "google_monitoring_uptime_check_config").includes(id),
      );
      expect(uptimeAlerts).toHaveLength(1);
      const threshold = uptimeAlerts[0].conditions[0].condition_threshold;
      expect(threshold).toMatchObject({ comparison: "COMPARISON_GT", threshold_value: 1, duration: "300s" });
      expect(threshold.aggregations).toEqual([
        { alignment_period: "60s", per_series_aligner: "ALIGN_NEXT_OLDER", cross_series_reducer: "REDUCE_COUNT_FALSE", group_by_fields: ["resource.label.host"] },
      ]);
      expect(uptimeAlerts[0].severity).toBe("CRITICAL");
    }
  });

  it("takes the period and checker regions it is given, and refuses fewer than three checkers", () => {
    const json = build({ uptimeCheckPeriod: "300s", checkerRegions: ["EUROPE", "USA_IOWA", "USA_OREGON"] });
    for (const check of bodiesOf(json, "google_monitoring_uptime_check_config")) {
      expect(check.period).toBe("300s");
      expect(check.selected_regions).toEqual(["EUROPE", "USA_IOWA", "USA_OREGON"]);
    }
    const alert = policyNamed(json, "Fulcio down");
    expect(alert.conditions[0].condition_threshold.duration).toBe("600s");
    expect(() => build({ checkerRegions: ["EUROPE", "ASIA_PACIFIC"] })).toThrow(/at least three checkers/);
    expect(() => build({ checkerRegions: ["USA", "USA"] })).toThrow(/listed twice/);
  });
});

describe("RegionalMonitoring alert policies", () => {
  const policies = entriesOf(full, "google_monitoring_alert_policy");
  const logMetricIds = new Set(entriesOf(full, "google_logging_metric").map(([id]) => id));
  const sloIds = new Set(entriesOf(full, "google_monitoring_slo").map(([id]) => id));

  it("covers uptime, SLO burn, pods, nodes, Cloud SQL, Spanner, KMS and the CA", () => {
    const names = policies.map(([, p]) => p.display_name);
    for (const fragment of [
      "Fulcio down through the us-east1 ingress",
      "Fulcio burning its 99.5% availability budget",
      "Sigstore containers crash-looping",
      "Sigstore pods unschedulable",
      "GKE node CPU above 90%",
      "GKE node memory above 90%",
      "Cloud SQL CPU above 80%",
      "Cloud SQL CPU above 90%",
      "Cloud SQL memory above 95%",
      "Cloud SQL disk above 98%",
      "Cloud SQL connections failing",
      "Spanner high-priority CPU above 65%",
      "Spanner 24-hour CPU above 90%",
      "Spanner storage above 80%",
      "Cloud KMS requests failing",
      "Cloud KMS quota exceeded",
      "Fulcio CA certificate expires within 10 weeks",
    ]) {
      expect(names.filter((n) => n.includes(fragment))).toHaveLength(1);
    }
  });

  it.each(policies.map(([id, p]) => [id, p]))("%s: channels, documentation, auto-close, region, severity", (_id, policy: any) => {
    expect(policy.notification_channels).toEqual(CHANNELS);
    expect(policy.display_name).toMatch(/^\[sigstore us-east1\] /);
    expect(policy.documentation.mime_type).toBe("text/markdown");
    expect(policy.documentation.subject).toBe(policy.display_name);
    const [meaning, where] = policy.documentation.content.split("\n\n**Where to look**\n\n");
    expect(meaning.length).toBeGreaterThan(60);
    expect(where).toMatch(/^- /);
    expect(policy.documentation.content).not.toMatch(/%\{|\$\{(?!google_)/);
    expect(policy.alert_strategy.auto_close).toMatch(DURATION);
    expect(Number(policy.alert_strategy.auto_close.slice(0, -1))).toBeGreaterThanOrEqual(1800);
    expect(["CRITICAL", "ERROR", "WARNING"]).toContain(policy.severity);
    expect(policy.combiner).toBe("OR");
    expect(policy.project).toBe("sigstore-test");
  });

  it.each(policies.map(([id, p]) => [id, p]))("%s: conditions are well-formed and name real metrics", (_id, policy: any) => {
    expect(policy.conditions.length).toBeGreaterThan(0);
    for (const condition of policy.conditions) {
      expect(condition.display_name).toBeTruthy();
      const threshold = condition.condition_threshold;
      expect(Object.keys(condition).sort()).toEqual(["condition_threshold", "display_name"]);
      expect(["COMPARISON_GT", "COMPARISON_LT"]).toContain(threshold.comparison);
      expect(threshold.duration).toMatch(DURATION);
      expect(typeof threshold.threshold_value).toBe("number");
      const burn = /^select_slo_burn_rate\("\$\{google_monitoring_slo\.([^.]+)\.name\}", "(1h|6h)"\)$/.exec(threshold.filter);
      if (burn) {
        expect(sloIds.has(burn[1])).toBe(true);
        continue;
      }
      const type = /metric\.type="([^"]+)"/.exec(threshold.filter)?.[1];
      expect(type).toBeDefined();
      const resource = /resource\.type="([^"]+)"/.exec(threshold.filter)?.[1];
      const logMetric = /^logging\.googleapis\.com\/user\/\$\{google_logging_metric\.([^.]+)\.name\}$/.exec(type!);
      if (logMetric) {
        expect(logMetricIds.has(logMetric[1])).toBe(true);
        expect(resource).toBe("k8s_pod");
      } else {
        expect(KNOWN_METRIC_TYPES.has(type!)).toBe(true);
        expect(resource).toBe(RESOURCE_OF[type!]);
      }
      for (const a of threshold.aggregations ?? []) {
        expect(a.alignment_period).toMatch(DURATION);
        expect(ALIGNERS.has(a.per_series_aligner)).toBe(true);
        if (a.cross_series_reducer) expect(REDUCERS.has(a.cross_series_reducer)).toBe(true);
      }
    }
  });

  it("keeps a warning and a critical level where upstream has both, with the matching thresholds", () => {
    expect(policyNamed(full, "Cloud SQL CPU above 80%")).toMatchObject({ severity: "WARNING", conditions: [{ condition_threshold: { threshold_value: 0.8 } }] });
    expect(policyNamed(full, "Cloud SQL CPU above 90%")).toMatchObject({ severity: "CRITICAL", conditions: [{ condition_threshold: { threshold_value: 0.9 } }] });
    const memory = policyNamed(full, "Cloud SQL memory");
    expect(memory.conditions[0].condition_threshold.filter).toContain('resource.labels.database_id="sigstore-test:sigstore-trillian-us-east1"');
  });

  it("watches the region's cluster nodes only", () => {
    for (const what of ["CPU", "memory"]) {
      const filter = policyNamed(full, `GKE node ${what}`).conditions[0].condition_threshold.filter;
      expect(filter).toContain('resource.labels.cluster_name="sigstore-use1"');
      expect(filter).toContain('resource.labels.location="us-east1"');
    }
  });

  it("alerts on each SLO's burn rate over one and six hours", () => {
    const burn = policyNamed(full, "Fulcio burning");
    expect(burn.conditions.map((c: any) => [c.condition_threshold.threshold_value, /"(\d+h)"\)$/.exec(c.condition_threshold.filter)?.[1]])).toEqual([
      [14.4, "1h"],
      [6, "6h"],
    ]);
  });

  it("declares the project-wide KMS alerts in the primary region only", () => {
    const secondary = build(contextProps(testContext({ region: "europe-west1", zones: ["europe-west1-b"], primary: false })));
    const names = bodiesOf(secondary, "google_monitoring_alert_policy").map((p) => p.display_name);
    expect(names.filter((n) => n.includes("KMS"))).toEqual([]);
    const kms = policyNamed(full, "KMS requests failing").conditions[0].condition_threshold.filter;
    expect(kms).toContain('resource.labels.service="cloudkms.googleapis.com"');
    expect(kms).toContain('metric.labels.response_code_class=one_of("4xx","5xx")');
  });

  it("alerts on the Fulcio CA's expiry only when it lives in Certificate Authority Service", () => {
    const ca = policyNamed(full, "Fulcio CA certificate").conditions[0].condition_threshold;
    expect(ca.filter).toContain('resource.labels.ca_pool_id="fulcio-ca-pool"');
    expect(ca.filter).toContain('resource.labels.location="us-east1"');
    expect(ca.threshold_value).toBe(10 * 7 * 86400);
    expect(bodiesOf(build(), "google_monitoring_alert_policy").some((p) => p.display_name.includes("CA certificate"))).toBe(false);
    const byId = (pool: string) => policyNamed(build({ privateCaPoolId: pool }), "Fulcio CA certificate").conditions[0].condition_threshold.filter;
    expect(byId("projects/sigstore-test/locations/us-east1/caPools/fulcio-ca-pool")).toContain('resource.labels.ca_pool_id="fulcio-ca-pool"');
    const referenced = synthConstruct((scope) => {
      const pool = new PrivatecaCaPool(scope, "pool", { name: "fulcio-ca-pool", location: "us-east1", tier: "DEVOPS" });
      new RegionalMonitoring(scope, "monitoring", props(scope, { privateCaPoolId: pool.id }));
    });
    expect(policyNamed(referenced, "Fulcio CA certificate").conditions[0].condition_threshold.filter).toContain(
      'resource.labels.ca_pool_id="${element(split(\"/\", google_privateca_ca_pool.pool.id), 5)}"',
    );
  });
});

describe("RegionalMonitoring pod-health log metrics", () => {
  const metrics = bodiesOf(full, "google_logging_metric");
  const namespaces = ["fulcio-system", "tsa-system", "dex-system", "rekor-system", "ctlog-system", "trillian-system", "tuf-system", "rekor-tiles-system", "ctlog-tiles-system"];
  const podAlerts = (json: any) => bodiesOf(json, "google_monitoring_alert_policy").filter((p) => /crash-looping|unschedulable/.test(p.display_name));

  it("counts crash-looping and unschedulable pods in two project-wide metrics, created by the primary region", () => {
    expect(metrics.map((m) => m.name).sort()).toEqual(["sigstore-k8s-crashloop", "sigstore-k8s-unschedulable"]);
    const crash = metrics.find((m) => m.name.endsWith("-crashloop"))!;
    const unschedulable = metrics.find((m) => m.name.endsWith("-unschedulable"))!;
    expect(crash.filter).toContain('jsonPayload.reason="BackOff"');
    expect(crash.filter).toContain('jsonPayload.message:"restarting failed container"');
    expect(unschedulable.filter).toContain('jsonPayload.reason="FailedScheduling"');
    for (const m of metrics) {
      expect(m.filter).toContain('logName="projects/sigstore-test/logs/events"');
      expect(m.filter).toContain('resource.type="k8s_pod"');
      // Not tied to a region or namespace: alerts pick those from the time series' labels.
      expect(m.filter).not.toMatch(/location|namespace_name|cluster_name/);
      expect(m.metric_descriptor).toEqual({ metric_kind: "DELTA", value_type: "INT64", unit: "1" });
    }
    const secondary = build(contextProps(testContext({ region: "europe-west1", zones: ["europe-west1-b"], primary: false })));
    expect(bodiesOf(secondary, "google_logging_metric")).toEqual([]);
    expect(podAlerts(secondary).length).toBe(podAlerts(full).length);
  });

  const secondaryAlerts = podAlerts(build(contextProps(testContext({ region: "europe-west1", zones: ["europe-west1-b"], primary: false }))));

  it("alerts on each kind of event in any watched namespace of this region's cluster, one incident per namespace, after ten minutes", () => {
    const alerts = podAlerts(full);
    expect(alerts).toHaveLength(2);
    for (const alert of alerts) {
      const condition = alert.conditions[0].condition_threshold;
      expect(condition.filter).toContain(`resource.label.namespace_name=one_of(${namespaces.map((n) => `"${n}"`).join(", ")})`);
      expect(condition.aggregations[0].group_by_fields).toEqual(["resource.label.namespace_name", "resource.label.pod_name"]);
      for (const ns of namespaces) expect(alert.documentation.content).toContain(`\`${ns}\``);
      expect(condition.filter).toContain('resource.label.location="us-east1"');
      expect(condition.filter).toContain('resource.label.cluster_name="sigstore-use1"');
      expect(condition.filter).toMatch(/metric\.type="logging\.googleapis\.com\/user\/\$\{google_logging_metric\.[A-Za-z0-9_-]+\.name\}"/);
      expect(condition).toMatchObject({ comparison: "COMPARISON_GT", threshold_value: 0, duration: "600s", evaluation_missing_data: "EVALUATION_MISSING_DATA_INACTIVE" });
    }
    expect(secondaryAlerts.length).toBe(2);
    // Other regions refer to the primary's metrics by name (they deploy after it).
    for (const alert of secondaryAlerts) {
      expect(alert.conditions[0].condition_threshold.filter).toMatch(/metric\.type="logging\.googleapis\.com\/user\/sigstore-k8s-(crashloop|unschedulable)"/);
      expect(alert.conditions[0].condition_threshold.filter).toContain('resource.label.location="europe-west1"');
    }
  });

  it("watches only the namespaces of the workloads that run, under their configured names", () => {
    const json = build({ features: { ...NO_FEATURES, tuf: true }, databaseInstances: [], spannerInstances: [], namespaces: { tuf: "tuf-jobs" } });
    for (const alert of podAlerts(json)) {
      const list = /namespace_name=one_of\(([^)]*)\)/.exec(alert.conditions[0].condition_threshold.filter)![1];
      expect(list.split(", ").map((n: string) => JSON.parse(n)).sort()).toEqual(["dex-system", "fulcio-system", "tsa-system", "tuf-jobs"]);
    }
    const names = bodiesOf(json, "google_monitoring_alert_policy").map((p) => p.display_name);
    expect(names.some((n) => n.includes("Cloud SQL") || n.includes("Spanner"))).toBe(false);
  });
});

describe("RegionalMonitoring SLOs", () => {
  it("defines a custom service per public service, named after the region and linked to its namespace", () => {
    const services = bodiesOf(full, "google_monitoring_custom_service");
    expect(services.map((s) => s.service_id).sort()).toEqual(["sigstore-dex-us-east1", "sigstore-fulcio-us-east1", "sigstore-tsa-us-east1"]);
    const fulcio = services.find((s) => s.service_id === "sigstore-fulcio-us-east1");
    expect(fulcio.telemetry.resource_name).toBe("//container.googleapis.com/projects/sigstore-test/locations/us-east1/clusters/sigstore-use1/k8s/namespaces/fulcio-system");
    expect(fulcio.display_name).toBe("[sigstore us-east1] Fulcio");
  });

  it("measures requests the region's NEGs answered, counting 5xx as bad", () => {
    const [, fulcio] = entriesOf(full, "google_monitoring_slo").find(([id]) => id.includes("fulcio"))!;
    expect(fulcio).toMatchObject({ goal: 0.995, rolling_period_days: 30, slo_id: "availability" });
    const ratio = fulcio.request_based_sli.good_total_ratio;
    expect(ratio.total_service_filter).toContain('metric.type="loadbalancing.googleapis.com/https/backend_request_count"');
    expect(ratio.total_service_filter).toContain('resource.labels.backend_name=one_of("sigstore-fulcio-http","sigstore-fulcio-grpc")');
    expect(ratio.total_service_filter).toContain('resource.labels.backend_scope=one_of("us-east1-b","us-east1-c","us-east1-d")');
    expect(ratio.bad_service_filter).toBe(`${ratio.total_service_filter} AND metric.labels.response_code_class=500`);
    expect(referencedIds(fulcio.service, "google_monitoring_custom_service")).toHaveLength(1);
  });

  it("falls back on the uptime check for a service without NEGs, and has no SLO without either", () => {
    const [, dex] = entriesOf(full, "google_monitoring_slo").find(([id]) => id.includes("dex"))!;
    expect(dex.windows_based_sli.window_period).toBe("300s");
    expect(referencedIds(dex.windows_based_sli.good_bad_metric_filter, "google_monitoring_uptime_check_config")).toHaveLength(1);
    const noUptime = build({ uptimeChecks: false });
    expect(entriesOf(noUptime, "google_monitoring_slo").map(([id]) => id.split("_")[1])).toEqual(["fulcio-slo", "tsa-slo"]);
  });

  it("validates the availability goal", () => {
    const withGoal = (goal: number) => build({ services: (scope) => services(scope).map((s) => ({ ...s, availabilityGoal: goal })) });
    expect(bodiesOf(withGoal(0.999), "google_monitoring_slo").every((s) => s.goal === 0.999)).toBe(true);
    expect(() => withGoal(1)).toThrow(/at most 0.9999/);
    expect(() => withGoal(0)).toThrow(/above 0/);
  });
});

describe("RegionalMonitoring switches", () => {
  it("creates no alert policy with alerts off, but keeps checks, log metrics, SLOs and the dashboard", () => {
    const json = build({ alerts: false });
    expect(json.resource.google_monitoring_alert_policy).toBeUndefined();
    expect(bodiesOf(json, "google_monitoring_uptime_check_config")).toHaveLength(3);
    expect(bodiesOf(json, "google_logging_metric")).toHaveLength(2);
    expect(bodiesOf(json, "google_monitoring_slo")).toHaveLength(3);
    const dashboard = JSON.parse(bodiesOf(json, "google_monitoring_dashboard")[0].dashboard_json);
    expect(JSON.stringify(dashboard)).not.toContain("incidentList");
  });

  it("creates no uptime check, and no alert on one, with uptime checks off", () => {
    const json = build({ uptimeChecks: false });
    expect(json.resource.google_monitoring_uptime_check_config).toBeUndefined();
    const text = JSON.stringify(json.resource.google_monitoring_alert_policy);
    expect(text).not.toContain("uptime_check");
    expect(text).not.toContain("google_monitoring_uptime_check_config");
    expect(bodiesOf(json, "google_monitoring_dashboard")[0].dashboard_json).not.toContain("uptime_check");
  });
});

describe("RegionalMonitoring dashboard", () => {
  const dashboardOf = (json: any) => bodiesOf(json, "google_monitoring_dashboard")[0].dashboard_json as string;

  it("is one per region, named after it", () => {
    expect(bodiesOf(full, "google_monitoring_dashboard")).toHaveLength(1);
    expect(JSON.parse(dashboardOf(full)).displayName).toBe("[sigstore us-east1] Sigstore");
  });

  it("gives the same JSON for the same input, with keys in a fixed order", () => {
    const again = build({ privateCaPoolId: "fulcio-ca-pool" });
    expect(dashboardOf(again)).toBe(dashboardOf(full));
    const tiles = JSON.parse(dashboardOf(full)).mosaicLayout.tiles;
    for (const tile of tiles) expect(Object.keys(tile)).toEqual(["xPos", "yPos", "width", "height", "widget"]);
    expect(Object.keys(JSON.parse(dashboardOf(full)))).toEqual(["displayName", "mosaicLayout"]);
  });

  it("lays tiles out on the 48-column grid without overlap", () => {
    const tiles: any[] = JSON.parse(dashboardOf(full)).mosaicLayout.tiles;
    const cells = new Set<string>();
    for (const t of tiles) {
      expect(t.xPos + t.width).toBeLessThanOrEqual(48);
      for (let x = t.xPos; x < t.xPos + t.width; x++) {
        for (let y = t.yPos; y < t.yPos + t.height; y++) {
          const cell = `${x},${y}`;
          expect(cells.has(cell)).toBe(false);
          cells.add(cell);
        }
      }
    }
  });

  it("summarises uptime, responses, budgets, pods, nodes, databases and open incidents", () => {
    const dashboard = JSON.parse(dashboardOf(full));
    const titles: string[] = dashboard.mosaicLayout.tiles.map((t: any) => t.widget.title);
    expect(titles.slice(0, 2)).toEqual(["About", "Open incidents in us-east1"]);
    for (const title of [
      "Fulcio: uptime via the us-east1 ingress",
      "Fulcio: responses of the us-east1 backends",
      "Fulcio: remaining error budget",
      "Dex: uptime via the us-east1 ingress",
      "Pods: containers crash-looping, by namespace",
      "Pods: pods unschedulable, by namespace",
      "GKE sigstore-use1: node CPU of allocatable",
      "Cloud SQL disk",
      "Spanner storage",
    ]) {
      expect(titles).toContain(title);
    }
    expect(titles).not.toContain("Dex: responses of the us-east1 backends");
    const incidents = dashboard.mosaicLayout.tiles[1].widget.incidentList.policyNames;
    expect(incidents).toHaveLength(entriesOf(full, "google_monitoring_alert_policy").length);
    for (const name of incidents) expect(name).toMatch(/^\$\{google_monitoring_alert_policy\.[^.]+\.name\}$/);
  });

  it("charts real metrics of the resources they are written against, and this region's SLOs", () => {
    const logMetricIds = new Set(entriesOf(full, "google_logging_metric").map(([id]) => id));
    const sloIds = new Set(entriesOf(full, "google_monitoring_slo").map(([id]) => id));
    const filters: string[] = JSON.parse(dashboardOf(full)).mosaicLayout.tiles.flatMap((t: any) =>
      (t.widget.xyChart?.dataSets ?? []).map((d: any) => d.timeSeriesQuery.timeSeriesFilter.filter),
    );
    expect(filters.length).toBeGreaterThan(15);
    for (const f of filters) {
      const slo = /^select_slo_budget_fraction\("\$\{google_monitoring_slo\.([^.]+)\.name\}"\)$/.exec(f);
      if (slo) {
        expect(sloIds.has(slo[1])).toBe(true);
        continue;
      }
      const type = /metric\.type="([^"]+)"/.exec(f)![1];
      const log = /^logging\.googleapis\.com\/user\/\$\{google_logging_metric\.([^.]+)\.name\}$/.exec(type);
      if (log) expect(logMetricIds.has(log[1])).toBe(true);
      else expect(/resource\.type="([^"]+)"/.exec(f)![1]).toBe(RESOURCE_OF[type]);
    }
    const workloads = filters.find((f) => f.includes("core_usage_time"))!;
    expect(workloads).toContain('resource.labels.namespace_name=one_of("fulcio-system","tsa-system","dex-system","rekor-system","ctlog-system","trillian-system","tuf-system","rekor-tiles-system","ctlog-tiles-system")');
  });

  it("contains no Terraform template syntax other than references to resources", () => {
    const text = dashboardOf(full);
    expect(text).not.toMatch(/%\{/);
    const interpolations = [...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]);
    expect(interpolations.length).toBeGreaterThan(0);
    for (const i of interpolations) expect(i).toMatch(/^google_[a-z_]+\.[^.]+\.[a-z_]+$/);
  });
});

describe("RegionalMonitoring names", () => {
  it("keeps two regions' resources apart in one project", () => {
    const regionProps = (scope: Construct, region: string, primary: boolean): RegionalMonitoringProps => ({
      ...props(scope),
      ...contextProps(testContext({ region, zones: [`${region}-b`], primary })),
      services: services(scope).map((s) => ({ ...s, ingressAddress: `203.0.113.${primary ? 1 : 2}` })),
    });
    const json = synthConstruct((scope) => {
      new RegionalMonitoring(scope, "us-east1", regionProps(scope, "us-east1", true));
      new RegionalMonitoring(scope, "europe-west1", regionProps(scope, "europe-west1", false));
    });
    const unique = (values: string[]) => expect(new Set(values).size).toBe(values.length);
    unique(bodiesOf(json, "google_monitoring_alert_policy").map((p) => p.display_name));
    unique(bodiesOf(json, "google_monitoring_uptime_check_config").map((c) => c.display_name));
    unique(bodiesOf(json, "google_logging_metric").map((m) => m.name));
    unique(bodiesOf(json, "google_monitoring_custom_service").map((s) => s.service_id));
    unique(bodiesOf(json, "google_monitoring_dashboard").map((d) => JSON.parse(d.dashboard_json).displayName));
    for (const p of bodiesOf(json, "google_monitoring_alert_policy")) expect(p.display_name).toMatch(/^\[sigstore (us-east1|europe-west1)\] /);
  });

  it("carries the deployment's prefix so two deployments can share a project", () => {
    const context: RegionalContext = testContext({ names: new ResourceNames("staging", "sigstore-test") });
    const json = build(contextProps(context));
    for (const p of bodiesOf(json, "google_monitoring_alert_policy")) expect(p.display_name).toMatch(/^\[staging us-east1\] /);
    for (const m of bodiesOf(json, "google_logging_metric")) expect(m.name).toMatch(/^staging-/);
  });
});

describe("RegionalMonitoring props", () => {
  it("refuses duplicate services, bad host names and paths", () => {
    const one = (patch: Partial<MonitoredService>) => (scope: Construct) => [{ ...services(scope)[0], ...patch }];
    expect(() => build({ services: (scope) => [...services(scope), services(scope)[0]] })).toThrow(/"fulcio" is listed twice/);
    expect(() => build({ services: one({ host: "https://fulcio.example.com" }) })).toThrow(/must be a host name/);
    expect(() => build({ services: one({ host: "fulcio.example.com." }) })).toThrow(/must be a host name/);
    expect(() => build({ services: one({ healthPath: "healthz" }) })).toThrow(/must start with "\/"/);
    expect(() => build({ services: one({ id: "Fulcio" }) })).toThrow(/short lowercase name/);
  });

  it("requires the databases of the logs it is told run here", () => {
    expect(() => build({ databaseInstances: [] })).toThrow(/pass databaseInstances/);
    expect(() => build({ spannerInstances: [] })).toThrow(/pass spannerInstances/);
    expect(() => build({ features: NO_FEATURES, databaseInstances: [], spannerInstances: [] })).not.toThrow();
  });

  it("refuses a cluster name GKE would refuse", () => {
    expect(() => build({ clusterName: "Sigstore_1" })).toThrow(/not a GKE cluster name/);
  });
});
