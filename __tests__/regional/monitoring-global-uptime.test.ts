import { GlobalUptime, GlobalUptimeProps } from "../../lib/global/uptime";
import { ResourceNames } from "../../lib/shared/names";
import { bodiesOf, entriesOf, synthConstruct } from "../helpers/construct";

const CHANNELS = ["projects/sigstore-test/notificationChannels/111"];
const TARGETS: GlobalUptimeProps["targets"] = [
  { id: "fulcio", title: "Fulcio", host: "fulcio.sigstore.example.com", path: "/api/v1/rootCert" },
  { id: "tsa", title: "Timestamp Authority", host: "timestamp.sigstore.example.com", path: "/api/v1/timestamp/certchain", expectedContent: "BEGIN CERTIFICATE" },
];

function build(overrides: Partial<GlobalUptimeProps> = {}): any {
  return synthConstruct((scope) => {
    new GlobalUptime(scope, "uptime", {
      project: "sigstore-test",
      names: new ResourceNames("sigstore", "sigstore-test"),
      targets: TARGETS,
      notificationChannels: CHANNELS,
      ...overrides,
    });
  });
}

describe("GlobalUptime", () => {
  const json = build();

  it("checks each public host name over HTTPS and validates its certificate", () => {
    const checks = bodiesOf(json, "google_monitoring_uptime_check_config");
    expect(checks.map((c) => [c.monitored_resource.labels.host, c.http_check.path])).toEqual([
      ["fulcio.sigstore.example.com", "/api/v1/rootCert"],
      ["timestamp.sigstore.example.com", "/api/v1/timestamp/certchain"],
    ]);
    for (const c of checks) {
      expect(c.monitored_resource).toMatchObject({ type: "uptime_url", labels: { project_id: "sigstore-test" } });
      expect(c.http_check).toMatchObject({ use_ssl: true, validate_ssl: true, port: 443, accepted_response_status_codes: [{ status_class: "STATUS_CLASS_2XX" }] });
      // The host name is the target: no Host override.
      expect(c.http_check.headers).toBeUndefined();
      expect(c.display_name).toMatch(/^\[sigstore global\] /);
    }
    expect(checks[1].content_matchers).toEqual([{ content: "BEGIN CERTIFICATE", matcher: "CONTAINS_STRING" }]);
  });

  it("alerts on each check and on certificates close to expiry, to the configured channels", () => {
    const policies = bodiesOf(json, "google_monitoring_alert_policy");
    expect(policies.map((p) => p.display_name)).toEqual([
      "[sigstore global] TLS certificate expires within 28 days",
      "[sigstore global] Fulcio down at fulcio.sigstore.example.com",
      "[sigstore global] Timestamp Authority down at timestamp.sigstore.example.com",
    ]);
    for (const p of policies) {
      expect(p.notification_channels).toEqual(CHANNELS);
      expect(p.documentation.mime_type).toBe("text/markdown");
      expect(p.documentation.content).toContain("**Where to look**");
      expect(p.alert_strategy.auto_close).toMatch(/^[0-9]+s$/);
    }
    const checkIds = entriesOf(json, "google_monitoring_uptime_check_config").map(([id]) => `\${google_monitoring_uptime_check_config.${id}.uptime_check_id}`);
    const expiry = policies[0].conditions[0].condition_threshold;
    expect(expiry.filter).toBe(
      `metric.type="monitoring.googleapis.com/uptime_check/time_until_ssl_cert_expires" AND resource.type="uptime_url" AND metric.labels.check_id=one_of(${checkIds.map((i) => `"${i}"`).join(",")})`,
    );
    expect(expiry).toMatchObject({ comparison: "COMPARISON_LT", threshold_value: 28 });
    for (const [i, p] of policies.slice(1).entries()) {
      expect(p.conditions[0].condition_threshold.filter).toContain(`metric.labels.check_id="${checkIds[i]}"`);
      expect(p.conditions[0].condition_threshold.filter).toContain('metric.type="monitoring.googleapis.com/uptime_check/check_passed"');
    }
  });

  it("creates checks but no alert policy with alerts off", () => {
    const quiet = build({ alerts: false });
    expect(bodiesOf(quiet, "google_monitoring_uptime_check_config")).toHaveLength(2);
    expect(quiet.resource.google_monitoring_alert_policy).toBeUndefined();
  });

  it("refuses bad host names, duplicates, too few checkers and odd warning periods", () => {
    expect(() => build({ targets: [{ ...TARGETS[0], host: "fulcio.sigstore.example.com/x" }] })).toThrow(/must be a host name/);
    expect(() => build({ targets: [TARGETS[0], TARGETS[0]] })).toThrow(/listed twice/);
    expect(() => build({ checkerRegions: ["EUROPE"] })).toThrow(/at least three checkers/);
    expect(() => build({ certificateWarningDays: 0 })).toThrow(/certificateWarningDays/);
    expect(() => build({ targets: [{ ...TARGETS[0], path: "api" }] })).toThrow(/must start with "\/"/);
  });
});
