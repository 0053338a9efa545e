import { parseConfig } from "../../lib/config/load";
import { DexJwksAggregation, incomingJwksObject, PUBLISHED_JWKS_OBJECT } from "../../lib/global/dex-jwks";
import { jwksMergerSource } from "../../lib/shared/function-packages";
import { ResourceNames } from "../../lib/shared/names";
import { bodiesOf, entriesOf, synthConstruct } from "../helpers/construct";
import { baseConfig } from "../helpers/synth";
import { REVIEWED_PROJECT_ROLES } from "../helpers/roles";

const config = parseConfig(baseConfig());
const names = new ResourceNames("sigstore", "sigstore-test");
const source = jwksMergerSource();

function build(overrides: Partial<ConstructorParameters<typeof DexJwksAggregation>[2]> = {}): any {
  return synthConstruct((scope) => {
    new DexJwksAggregation(scope, "jwks", {
      project: "sigstore-test",
      projectNumber: "123456789012",
      names,
      functionRegion: "us-east1",
      settings: config.dexJwks,
      source,
      publishers: [
        { region: "us-east1", serviceAccountEmail: "pub-use1@sigstore-test.iam.gserviceaccount.com" },
        { region: "europe-west1", serviceAccountEmail: "pub-euw1@sigstore-test.iam.gserviceaccount.com" },
      ],
      cloudArmor: { defaultAction: "allow", adaptiveProtection: true, rules: [{ priority: 10, action: "deny(403)", preview: false, match: { srcIpRanges: ["198.51.100.0/24"] } }, { priority: 20, action: "throttle", preview: false, match: { expression: "true" }, rateLimit: { count: 5, intervalSec: 60, enforceOnKey: "IP", exceedAction: "deny(429)" } }] },
      notificationChannels: ["projects/p/notificationChannels/1"],
      ...overrides,
    });
  });
}

const json = build();
const buckets = bodiesOf(json, "google_storage_bucket");
const bucket = (suffix: string) => buckets.find((b) => b.name === `sigstore-test-sigstore-${suffix}`);
const ref = (type: string, body: any, attr: string) => {
  const [id] = entriesOf(json, type).find(([, b]) => b === body)!;
  return `\${${type}.${id}.${attr}}`;
};

describe("Dex JWKS aggregation", () => {
  it("keeps the incoming bucket private and versioned, and makes only the published bucket public", () => {
    expect(bucket("dex-jwks-incoming")).toMatchObject({ uniform_bucket_level_access: true, public_access_prevention: "enforced", versioning: { enabled: true } });
    expect(bucket("dex-jwks")).toMatchObject({ uniform_bucket_level_access: true, public_access_prevention: "inherited" });
    const publicGrants = bodiesOf(json, "google_storage_bucket_iam_member").filter((g) => g.member === "allUsers");
    expect(publicGrants).toEqual([expect.objectContaining({ role: "roles/storage.objectViewer", bucket: ref("google_storage_bucket", bucket("dex-jwks"), "name") })]);
    for (const b of buckets.filter((b) => b !== bucket("dex-jwks"))) expect(b.public_access_prevention).toBe("enforced");
  });

  it("lets each region's publisher write only its own object", () => {
    const grants = bodiesOf(json, "google_storage_bucket_iam_member").filter((g) => g.member.startsWith("serviceAccount:pub-"));
    const incoming = ref("google_storage_bucket", bucket("dex-jwks-incoming"), "name");
    expect(grants.map((g) => [g.member, g.role, g.bucket, g.condition.expression]).sort()).toEqual([
      ["serviceAccount:pub-euw1@sigstore-test.iam.gserviceaccount.com", "roles/storage.objectUser", incoming, `resource.name == "projects/_/buckets/${incoming}/objects/${incomingJwksObject("europe-west1")}"`],
      ["serviceAccount:pub-use1@sigstore-test.iam.gserviceaccount.com", "roles/storage.objectUser", incoming, `resource.name == "projects/_/buckets/${incoming}/objects/${incomingJwksObject("us-east1")}"`],
    ]);
  });

  it("lets the function read the incoming bucket and write only the published object", () => {
    const fn = bodiesOf(json, "google_cloudfunctions2_function")[0];
    const member = `serviceAccount:${fn.service_config.service_account_email}`;
    const grants = bodiesOf(json, "google_storage_bucket_iam_member").filter((g) => g.member === member);
    expect(grants.map((g) => [g.role, g.bucket, g.condition?.expression])).toEqual([
      ["roles/storage.objectViewer", ref("google_storage_bucket", bucket("dex-jwks-incoming"), "name"), undefined],
      ["roles/storage.objectUser", ref("google_storage_bucket", bucket("dex-jwks"), "name"), `resource.name == "projects/_/buckets/${ref("google_storage_bucket", bucket("dex-jwks"), "name")}/objects/${PUBLISHED_JWKS_OBJECT}"`],
    ]);
  });

  it("deploys a gen2 Node.js function triggered by finalized objects of the incoming bucket, retried on failure", () => {
    const fn = bodiesOf(json, "google_cloudfunctions2_function")[0];
    expect(fn.build_config).toMatchObject({ runtime: "nodejs20", entry_point: "mergeJwks" });
    expect(fn.event_trigger).toMatchObject({
      event_type: "google.cloud.storage.object.v1.finalized",
      trigger_region: "us",
      retry_policy: "RETRY_POLICY_RETRY",
      event_filters: [{ attribute: "bucket", value: ref("google_storage_bucket", bucket("dex-jwks-incoming"), "name") }],
    });
    expect(fn.service_config).toMatchObject({
      max_instance_count: 3,
      ingress_settings: "ALLOW_INTERNAL_ONLY",
      environment_variables: { PUBLISHED_BUCKET: ref("google_storage_bucket", bucket("dex-jwks"), "name"), PUBLISHED_OBJECT: "auth/keys" },
    });
    expect(fn.service_config.service_account_email).toMatch(/google_service_account\..*\.email/);
  });

  it("names the deployed package after its content hash, so an unchanged function is not redeployed", () => {
    const object = bodiesOf(json, "google_storage_bucket_object")[0];
    expect(object.name).toBe(`jwks-merger-${source.sha256.slice(0, 16)}.zip`);
    expect(object.source).toMatch(new RegExp(`^assets/jwks_package[_A-F0-9]*/${source.sha256}/package\\.zip$`));
    expect(build()).toEqual(json);
  });

  it("authorizes event delivery: storage agent publishes, the trigger account receives and invokes", () => {
    const projectGrants = bodiesOf(json, "google_project_iam_member");
    expect(projectGrants.map((g) => [g.role, g.member.replace(/\$\{.*\}/, "<sa>")]).sort()).toEqual([
      ["roles/eventarc.eventReceiver", "serviceAccount:<sa>"],
      ["roles/logging.logWriter", "serviceAccount:<sa>"],
      // The agent as the data source reads (and creates) it.
      ["roles/pubsub.publisher", "<sa>"],
      // Conditional: the Cloud Functions sources bucket only.
      ["roles/storage.objectViewer", "serviceAccount:<sa>"],
    ]);
    const [agentId] = Object.keys(json.data.google_storage_project_service_account);
    expect(projectGrants.find((g) => g.role === "roles/pubsub.publisher").member).toBe(`\${data.google_storage_project_service_account.${agentId}.member}`);
    for (const g of projectGrants.filter((g) => !g.condition)) expect(REVIEWED_PROJECT_ROLES).toContain(g.role);
    expect(projectGrants.find((g) => g.role === "roles/storage.objectViewer").condition.expression).toBe('resource.name == "projects/_/buckets/gcf-v2-sources-123456789012-us-east1" || resource.name.startsWith("projects/_/buckets/gcf-v2-sources-123456789012-us-east1/")');
    const invoker = bodiesOf(json, "google_cloud_run_v2_service_iam_member")[0];
    expect(invoker).toMatchObject({ role: "roles/run.invoker", member: `serviceAccount:${bodiesOf(json, "google_cloudfunctions2_function")[0].event_trigger.service_account_email}` });
  });

  it("serves the published bucket through a CDN that honours the object's Cache-Control, behind an edge policy with the IP rules", () => {
    const backend = bodiesOf(json, "google_compute_backend_bucket")[0];
    expect(backend).toMatchObject({ enable_cdn: true, cdn_policy: { cache_mode: "USE_ORIGIN_HEADERS" }, bucket_name: ref("google_storage_bucket", bucket("dex-jwks"), "name") });
    const edge = bodiesOf(json, "google_compute_security_policy")[0];
    expect(backend.edge_security_policy).toBe(ref("google_compute_security_policy", edge, "self_link"));
    expect(edge.type).toBe("CLOUD_ARMOR_EDGE");
    expect(edge.rule.map((r: any) => [r.priority, r.action])).toEqual([[10, "deny(403)"], [2147483647, "allow"]]);
    expect(edge.adaptive_protection_config).toBeUndefined();
  });

  it("alerts on merge failures and on no successful merge for the configured period", () => {
    const metrics = bodiesOf(json, "google_logging_metric");
    expect(metrics.map((m) => m.filter)).toEqual([
      expect.stringContaining('jsonPayload.event="jwks_merge_failed"'),
      expect.stringContaining('jsonPayload.event="jwks_merge_succeeded"'),
    ]);
    const [failures, stale] = bodiesOf(json, "google_monitoring_alert_policy");
    expect(failures.conditions[0].condition_threshold.comparison).toBe("COMPARISON_GT");
    expect(stale.conditions[0].condition_absent.duration).toBe("3600s");
    for (const p of [failures, stale]) expect(p.notification_channels).toEqual(["projects/p/notificationChannels/1"]);
    expect(bodiesOf(build({ alerts: false }), "google_monitoring_alert_policy")).toEqual([]);
  });
});
