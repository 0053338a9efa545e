// Each regional construct in a plain cdktf TerraformStack (not one of ours),
// given only its own props: no RegionalContext, no configuration.
import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import type { Construct } from "constructs";
import { CtLog } from "../../lib/regional/ctlog";
import { Dex } from "../../lib/regional/dex";
import { Fulcio } from "../../lib/regional/fulcio";
import { RegionalMonitoring } from "../../lib/regional/monitoring";
import { Rekor } from "../../lib/regional/rekor";
import { TilesLog } from "../../lib/regional/tiles-log";
import { TimestampAuthority } from "../../lib/regional/timestamp";
import { TrillianMySqlInstance } from "../../lib/regional/trillian-database";
import { testContext, testApp } from "../helpers/construct";
import { databaseSettings } from "./data-helpers";

const POOL = "acme-platform.svc.id.goog";
const ROOT_CA = "projects/acme-platform/locations/us-east1/caPools/root/certificateAuthorities/root";

function plainStack(): TerraformStack {
  return new TerraformStack(testApp(), "plain");
}

// One stack for every construct with its defaults, one with every name given.
const defaults = plainStack();
const fulcio = new Fulcio(defaults, "fulcio", { project: "acme-platform", region: "us-east1", workloadPool: POOL });
const tsa = new TimestampAuthority(defaults, "tsa", { project: "acme-platform", region: "us-east1", workloadPool: POOL });
const rekor = new Rekor(defaults, "rekor", { project: "acme-platform", region: "us-east1", workloadPool: POOL, database: "my-mysql" });
const dex = new Dex(defaults, "dex", { project: "acme-platform", region: "us-east1", workloadPool: POOL, connectorSecrets: ["github"] });
// Grants to someone outside the constructs: an auditors group.
const AUDITORS = { grantId: "auditors", member: "group:auditors@acme.example" };
fulcio.grantIntermediatePublicKeyViewer(AUDITORS);
tsa.grantPublicKeyViewer(AUDITORS);
rekor.grantPublicKeyViewer(AUDITORS);
rekor.grantAttestationReader(AUDITORS);
dex.grantSecretVersionAdder("github", AUDITORS);
new TilesLog(defaults, "rekor-tiles", { project: "acme-platform", region: "us-east1", zones: ["us-east1-b"], kind: "rekor", shardName: "2026", workloadPool: POOL });
new TilesLog(defaults, "ct-tiles", { project: "acme-platform", region: "us-east1", zones: ["us-east1-b"], kind: "ctlog", shardName: "2026", workloadPool: POOL });
/** Your own Cloud SQL instance for Trillian (the one construct here that still takes a RegionalContext). */
function trillianInstance(scope: Construct): TrillianMySqlInstance {
  return new TrillianMySqlInstance(scope, "mysql", {
    context: testContext({ project: "acme-platform" }),
    instanceName: "acme-trillian",
    network: "projects/acme-platform/global/networks/vpc",
    settings: databaseSettings(),
    maintenanceWindow: { day: 7, hour: 3 },
    dependsOn: [],
    requireConnectors: true,
  });
}
const defaultCtLog = new CtLog(defaults, "ctlog", { project: "acme-platform", region: "us-east1", zones: ["us-east1-b", "us-east1-c"], workloadPool: POOL, database: trillianInstance(defaults) });
new RegionalMonitoring(defaults, "monitoring", {
  project: "acme-platform",
  region: "us-east1",
  zones: ["us-east1-b", "us-east1-c"],
  clusterName: "apps",
  services: [{ id: "fulcio", title: "Fulcio", host: "fulcio.acme.example", ingressAddress: "203.0.113.7", healthPath: "/healthz", negNames: ["acme-fulcio-http"] }],
});
const defaultsJson = JSON.parse(Testing.synth(defaults));

const named = plainStack();
new Fulcio(named, "fulcio", {
  project: "acme-platform",
  region: "europe-west1",
  namePrefix: "acme",
  workloadPool: POOL,
  ca: "privateca",
  rootCaId: ROOT_CA,
  serviceAccountId: "signing-ca",
  caPoolName: "code-signing",
  certificateAuthorityName: "code-signing-eu",
});
new TimestampAuthority(named, "tsa", {
  project: "acme-platform",
  region: "europe-west1",
  namePrefix: "acme",
  workloadPool: POOL,
  serviceAccountId: "timestamps",
  keyRingName: "timestamps-eu",
});
new Rekor(named, "rekor", {
  project: "acme-platform",
  region: "europe-west1",
  namePrefix: "acme",
  workloadPool: POOL,
  database: "my-mysql",
  serviceAccountId: "transparency",
  keyRingName: "transparency-eu",
  attestationBucketName: "acme-attestations-eu",
  newEntryTopicName: "rekor-entries",
});
new Dex(named, "dex", { project: "acme-platform", region: "europe-west1", namePrefix: "acme", workloadPool: POOL, connectorSecrets: ["github"], secretIdPrefix: "oidc-eu" });
new TilesLog(named, "rekor-tiles", {
  project: "acme-platform",
  region: "europe-west1",
  namePrefix: "acme",
  zones: ["europe-west1-b"],
  kind: "rekor",
  shardName: "2026",
  workloadPool: POOL,
  serviceAccountId: "rekor-v2",
  spannerInstanceName: "rekor-v2-seq",
  tileBucketName: "acme-rekor-tiles",
  keyRingName: "rekor-v2-keys",
  negNames: { http: "rekor-v2-http", grpc: "rekor-v2-grpc" },
});
new TilesLog(named, "ct-tiles", {
  project: "acme-platform",
  region: "europe-west1",
  namePrefix: "acme",
  zones: ["europe-west1-b"],
  kind: "ctlog",
  shardName: "2026",
  workloadPool: POOL,
  keySecretIds: { privateKey: "ct-priv", publicKey: "ct-pub" },
});
const namedCtLog = new CtLog(named, "ctlog", {
  project: "acme-platform",
  region: "europe-west1",
  namePrefix: "acme",
  zones: ["europe-west1-b"],
  workloadPool: POOL,
  database: trillianInstance(named),
  serviceAccountId: "ct-frontend",
  privateKeySecretId: "ct-signing-key",
  passphraseSecretId: "ct-signing-key-pass",
  negName: "ct-http",
});
const namedJson = JSON.parse(Testing.synth(named));

const bodies = (json: any, type: string): any[] => Object.values(json.resource?.[type] ?? {});
const valuesOf = (json: any, type: string, field: string): string[] => bodies(json, type).map((b) => b[field]).sort();

describe("regional constructs in a plain TerraformStack", () => {
  it("derive every name from the default prefix \"sigstore\", the region and the project", () => {
    expect(valuesOf(defaultsJson, "google_service_account", "account_id")).toEqual([
      "sigstore-ctlog-2026-use1",
      "sigstore-ctlog-use1",
      "sigstore-dex-use1",
      "sigstore-fulcio-use1",
      "sigstore-rekor-2026-use1",
      "sigstore-rekor-use1",
      "sigstore-tsa-use1",
    ]);
    expect(valuesOf(defaultsJson, "google_kms_key_ring", "name")).toEqual(["sigstore-fulcio-us-east1", "sigstore-rekor-tiles-2026-us-east1", "sigstore-rekor-us-east1", "sigstore-tsa-us-east1"]);
    expect(valuesOf(defaultsJson, "google_storage_bucket", "name")).toEqual([
      "acme-platform-sigstore-ctlog-tiles-2026-us-east1",
      "acme-platform-sigstore-rekor-attestations-us-east1",
      "acme-platform-sigstore-rekor-tiles-2026-us-east1",
    ]);
    expect(valuesOf(defaultsJson, "google_spanner_instance", "name")).toEqual(["sigstore-ctlog-2026-use1", "sigstore-rekor-2026-use1"]);
    expect(valuesOf(defaultsJson, "google_pubsub_topic", "name")).toEqual(["sigstore-rekor-us-east1-new-entry"]);
    expect(valuesOf(defaultsJson, "google_secret_manager_secret", "secret_id").filter((id) => !id.startsWith("acme-trillian"))).toEqual([
      "sigstore-ctlog-tiles-2026-us-east1-private-key",
      "sigstore-ctlog-tiles-2026-us-east1-public-key",
      "sigstore-ctlog-us-east1-private-key",
      "sigstore-ctlog-us-east1-private-key-passphrase",
      "sigstore-dex-us-east1-github",
    ]);
    expect(defaultCtLog.negName).toBe("sigstore-ctlog-use1-http");
    expect(defaultCtLog.exported.zones).toEqual(["us-east1-b", "us-east1-c"]);
  });

  it("put every resource in the given project and region", () => {
    for (const type of ["google_service_account", "google_kms_key_ring", "google_storage_bucket", "google_pubsub_topic", "google_secret_manager_secret", "google_sql_database"]) {
      for (const body of bodies(defaultsJson, type)) expect(body.project).toBe("acme-platform");
    }
    for (const ring of bodies(defaultsJson, "google_kms_key_ring")) expect(ring.location).toBe("us-east1");
    expect(bodies(defaultsJson, "google_storage_bucket")[0].location).toBe("us-east1");
    expect(bodies(defaultsJson, "google_secret_manager_secret")[0].replication.user_managed.replicas).toEqual([{ location: "us-east1" }]);
    // Bring your own database: the search index and an IAM user on the instance named.
    expect(bodies(defaultsJson, "google_sql_database").filter((d) => d.name === "searchindexes").map((d) => d.instance)).toEqual(["my-mysql"]);
    expect(bodies(defaultsJson, "google_sql_user").map((u) => [u.instance, u.type])).toEqual([["my-mysql", "CLOUD_IAM_SERVICE_ACCOUNT"]]);
  });

  it("bind each identity to its chart's Kubernetes service account in the given workload pool", () => {
    const members = bodies(defaultsJson, "google_service_account_iam_member").map((m) => m.member).sort();
    expect(members).toEqual([
      `serviceAccount:${POOL}[ctlog-system/ctlog-key-loader]`,
      `serviceAccount:${POOL}[ctlog-system/ctlog]`,
      `serviceAccount:${POOL}[ctlog-tiles-system/ctlog-tiles-2026]`,
      `serviceAccount:${POOL}[dex-system/dex]`,
      `serviceAccount:${POOL}[fulcio-system/fulcio-server]`,
      `serviceAccount:${POOL}[rekor-system/rekor-server]`,
      `serviceAccount:${POOL}[rekor-tiles-system/rekor-tiles-2026]`,
      `serviceAccount:${POOL}[tsa-system/tsa-server]`,
    ]);
  });

  it("monitor a region with only its own props: uptime through the ingress, an SLO over the NEGs in its zones, project-wide metrics", () => {
    const [check] = bodies(defaultsJson, "google_monitoring_uptime_check_config");
    expect(check.project).toBe("acme-platform");
    expect(check.monitored_resource.labels.host).toBe("203.0.113.7");
    expect(check.http_check.path).toBe("/healthz");
    const [slo] = bodies(defaultsJson, "google_monitoring_slo");
    const total: string = slo.request_based_sli.good_total_ratio.total_service_filter;
    expect(total).toContain('resource.labels.backend_name="acme-fulcio-http"');
    expect(total).toContain('resource.labels.backend_scope=one_of("us-east1-b","us-east1-c")');
    expect(valuesOf(defaultsJson, "google_monitoring_custom_service", "service_id")).toEqual(["sigstore-fulcio-us-east1"]);
    // primary defaults to true: the project-wide pod event metrics are created here.
    expect(valuesOf(defaultsJson, "google_logging_metric", "name")).toEqual(["sigstore-k8s-crashloop", "sigstore-k8s-unschedulable"]);
    for (const policy of bodies(defaultsJson, "google_monitoring_alert_policy")) {
      expect(policy.display_name).toMatch(/^\[sigstore us-east1\] /);
      expect(policy.notification_channels).toEqual([]);
    }
  });

  it("grant others narrow roles on one key, bucket or secret each", () => {
    const granted = (type: string) => bodies(defaultsJson, type).filter((m) => m.member === AUDITORS.member);
    const keyGrants = granted("google_kms_crypto_key_iam_member");
    expect(keyGrants.map((m) => m.role)).toEqual(["roles/cloudkms.publicKeyViewer", "roles/cloudkms.publicKeyViewer", "roles/cloudkms.publicKeyViewer"]);
    // One grant on each of the three signing keys, none on a key-encryption key.
    const keyIds = keyGrants.map((m) => m.crypto_key_id as string);
    expect(new Set(keyIds).size).toBe(3);
    const keyNames = Object.entries(defaultsJson.resource.google_kms_crypto_key as Record<string, any>);
    const nameOf = (ref: string) => keyNames.find(([id]) => ref === `\${google_kms_crypto_key.${id}.id}`)![1].name;
    expect(keyIds.map(nameOf).sort()).toEqual(["intermediate", "log-signing", "signing"]);
    expect(granted("google_storage_bucket_iam_member").map((m) => m.role)).toEqual(["roles/storage.objectViewer"]);
    expect(granted("google_secret_manager_secret_iam_member").map((m) => m.role)).toEqual(["roles/secretmanager.secretVersionAdder"]);
    expect(() => dex.grantSecretVersionAdder("gitlab", AUDITORS)).toThrow(/plain\/dex: no connector secret "gitlab" \(have: github\)/);
  });

  it("use the names given instead of the derived ones", () => {
    expect(valuesOf(namedJson, "google_service_account", "account_id")).toEqual(["acme-ctlog-2026-euw1", "acme-dex-euw1", "ct-frontend", "rekor-v2", "signing-ca", "timestamps", "transparency"]);
    expect(valuesOf(namedJson, "google_kms_key_ring", "name")).toEqual(["rekor-v2-keys", "timestamps-eu", "transparency-eu"]);
    expect(valuesOf(namedJson, "google_spanner_instance", "name")).toEqual(["acme-ctlog-2026-euw1", "rekor-v2-seq"]);
    expect(namedCtLog.negName).toBe("ct-http");
    expect(namedCtLog.exported.region).toBe("europe-west1");
    expect(valuesOf(namedJson, "google_privateca_ca_pool", "name")).toEqual(["code-signing"]);
    const [ca] = bodies(namedJson, "google_privateca_certificate_authority");
    expect(ca.certificate_authority_id).toBe("code-signing-eu");
    expect(ca.subordinate_config.certificate_authority).toBe(ROOT_CA);
    expect(ca.config.subject_config.subject).toEqual({ organization: "acme", common_name: "acme-fulcio-europe-west1-intermediate" });
    expect(valuesOf(namedJson, "google_storage_bucket", "name")).toEqual(["acme-attestations-eu", "acme-platform-acme-ctlog-tiles-2026-europe-west1", "acme-rekor-tiles"]);
    expect(valuesOf(namedJson, "google_pubsub_topic", "name")).toEqual(["rekor-entries"]);
    expect(valuesOf(namedJson, "google_secret_manager_secret", "secret_id").filter((id) => !id.startsWith("acme-trillian"))).toEqual(["ct-priv", "ct-pub", "ct-signing-key", "ct-signing-key-pass", "oidc-eu-github"]);
    expect(ca.pool).toMatch(/^\$\{google_privateca_ca_pool\.[\w-]+\.name\}$/);
  });
});

describe("bad props name the construct path and the field", () => {
  const build = (make: (scope: Construct) => void) => () => make(plainStack());
  const base = { project: "acme-platform", region: "us-east1", workloadPool: POOL };

  it.each([
    ["a missing project", (s: Construct) => new Fulcio(s, "ca", { ...base, project: "" }), /Fulcio needs project.*\(plain\/ca\)/],
    ["a malformed project", (s: Construct) => new Rekor(s, "log", { ...base, project: "Acme", database: "db" }), /Rekor project: "Acme" is not a valid GCP project id.*\(plain\/log\)/],
    ["a malformed region", (s: Construct) => new TimestampAuthority(s, "tsa", { ...base, region: "us-east" }), /TimestampAuthority region "us-east" must be a GCP region such as "us-east1".*\(plain\/tsa\)/],
    ["a malformed prefix", (s: Construct) => new Dex(s, "dex", { ...base, namePrefix: "Acme", connectorSecrets: [] }), /Dex namePrefix "Acme".*\(plain\/dex\)/],
    ["a bad service account id", (s: Construct) => new Fulcio(s, "ca", { ...base, serviceAccountId: "ca" }), /serviceAccountId "ca" must be 6 to 30.*\(plain\/ca\)/],
    ["a bad key ring name", (s: Construct) => new TimestampAuthority(s, "tsa", { ...base, keyRingName: "tsa keys" }), /keyRingName "tsa keys" must be.*\(plain\/tsa\)/],
    ["a bad bucket name", (s: Construct) => new Rekor(s, "log", { ...base, database: "db", attestationBucketName: "A" }), /attestationBucketName "A" must be.*\(plain\/log\)/],
    ["a key ring name for a CA Service CA", (s: Construct) => new Fulcio(s, "ca", { ...base, ca: "privateca", rootCaId: ROOT_CA, keyRingName: "ring" }), /Fulcio keyRingName applies only to ca "kms" \(plain\/ca\)/],
    ["a CA pool name for a KMS CA", (s: Construct) => new Fulcio(s, "ca", { ...base, caPoolName: "pool" }), /Fulcio caPoolName applies only to ca "privateca" \(plain\/ca\)/],
    ["a topic name without the topic", (s: Construct) => new Rekor(s, "log", { ...base, database: "db", newEntryTopic: false, newEntryTopicName: "t" }), /newEntryTopicName needs newEntryTopic.*\(plain\/log\)/],
    ["no zones for the CT log's NEGs", (s: Construct) => new CtLog(s, "ct", { ...base, zones: [], database: trillianInstance(s) }), /CtLog needs the zones of its NEGs \(plain\/ct\)/],
    ["a bad CT log NEG name", (s: Construct) => new CtLog(s, "ct", { ...base, zones: ["us-east1-b"], database: trillianInstance(s), negName: "CT" }), /negName "CT" must be.*\(plain\/ct\)/],
    ["key secrets for Rekor v2", (s: Construct) => new TilesLog(s, "t", { ...base, zones: ["us-east1-b"], kind: "rekor", shardName: "1", keySecretIds: { privateKey: "a", publicKey: "b" } }), /TilesLog keySecretIds: Rekor v2 keeps its key as a Tink keyset.*\(plain\/t\)/],
    ["a gRPC NEG for TesseraCT", (s: Construct) => new TilesLog(s, "t", { ...base, zones: ["us-east1-b"], kind: "ctlog", shardName: "1", negNames: { http: "h", grpc: "g" } }), /negNames.grpc is not allowed.*\(plain\/t\)/],
    ["a bad Spanner instance name", (s: Construct) => new TilesLog(s, "t", { ...base, zones: ["us-east1-b"], kind: "ctlog", shardName: "1", spannerInstanceName: "seq" }), /spannerInstanceName "seq" must be 6 to 30.*\(plain\/t\)/],
    ["a bad monitored host", (s: Construct) => new RegionalMonitoring(s, "mon", { ...base, zones: ["us-east1-b"], clusterName: "apps", services: [{ id: "tsa", title: "TSA", host: "https://tsa", ingressAddress: "203.0.113.1", healthPath: "/" }] }), /must be a host name.*\(plain\/mon\)/],
    ["a monitored CT log without its database", (s: Construct) => new RegionalMonitoring(s, "mon", { ...base, zones: ["us-east1-b"], clusterName: "apps", services: [], features: { rekor: false, ctlog: true, tuf: false, rekorTiles: false, ctlogTiles: false } }), /pass databaseInstances.*\(plain\/mon\)/],
    // A derived name over GCP's limit says which prop to set instead.
    ["a prefix too long for the derived service account id", (s: Construct) => new Dex(s, "dex", { ...base, namePrefix: "averyveryverylongprefix", connectorSecrets: [] }), /Service account id "averyveryverylongprefix-dex-use1".*or set serviceAccountId \(plain\/dex\)/],
  ])("rejects %s", (_what, make, message) => {
    expect(build(make)).toThrow(message);
  });

  it("accepts tokens for project and names (checked by the provider at plan time)", () => {
    const stack = plainStack();
    const project = new TerraformVariable(stack, "project", { type: "string" }).stringValue;
    const keyRingName = new TerraformVariable(stack, "ring", { type: "string" }).stringValue;
    new TimestampAuthority(stack, "tsa", { ...base, project, keyRingName });
    const json = JSON.parse(Testing.synth(stack));
    expect(bodies(json, "google_kms_key_ring").map((r) => [r.project, r.name])).toEqual([["${var.project}", "${var.ring}"]]);
  });
});
