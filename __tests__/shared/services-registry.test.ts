// One entry in the registry of public services must be enough for every
// consumer: the configuration schema, the NEG names, the regional endpoints,
// the global front ends, the A records and the uptime checks. This file adds
// a fake service to the registry BEFORE the library is loaded (so the schema,
// built at load time, sees it too) and synthesizes one deployment with it
// (synthInSandbox: with this file's modules, not synthDeployment's shared ones).
import type * as ServicesModule from "../../lib/shared/services";
import type * as SynthHelpers from "../helpers/synth";
import type * as LoadModule from "../../lib/config/load";
import type * as PlacementModule from "../../lib/shared/placement";
import type * as RetiredModule from "../../lib/regional/retired-state";

const registry: typeof ServicesModule = require("../../lib/shared/services");
const ECHO = {
  id: "echo",
  title: "Echo",
  defaultSubdomain: "echo",
  healthCheckPath: "/echo/healthz",
  grpcServicePaths: ["/dev.example.Echo"],
  ports: { http: 8080, grpc: 9090 },
  placement: "every-region",
  backend: "neg",
};
(registry.PUBLIC_SERVICE_IDS as unknown as string[]).push("echo");
(registry.PUBLIC_SERVICES as unknown as Record<string, unknown>).echo = ECHO;

const { baseConfig, resources, synthInSandbox, withConfig } = require("../helpers/synth") as typeof SynthHelpers;
const { parseConfig } = require("../../lib/config/load") as typeof LoadModule;
const { frozenRekorLogs, rekorRegionOf, regionsServing } = require("../../lib/shared/placement") as typeof PlacementModule;
const { RETIRED_REGIONAL_TUF_ADDRESSES, RETIRED_REKOR_ADDRESSES } = require("../../lib/regional/retired-state") as typeof RetiredModule;

const DOMAIN = "sigstore.test.example";
const PROJECT_NUMBER = "123456789012";
const EAST = { region: "us-east1", zones: ["us-east1-b", "us-east1-c"] };
const WEST = { region: "europe-west1", zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"] };

// Two regions (us-east1 primary); the fake service on its own host, owned by
// the global stack; Rekor v1 placed in the non-primary region, so that
// "one region" cannot pass by being "the primary region".
const input = withConfig((c) => {
  c.services = {
    echo: { subdomain: "ping", maxRatePerEndpoint: 7, dns: { owner: "global", adoptExisting: false } },
    rekor: { region: WEST.region },
  };
});
// In this file's sandbox, where the registry has the fake service.
const { stacks } = synthInSandbox(input);
const global = stacks.global;
const regional = { [EAST.region]: stacks[`regional-${EAST.region}`], [WEST.region]: stacks[`regional-${WEST.region}`] };
const allStacks = Object.entries(stacks);

/** `${type.name}` → body of every resource of a stack. */
function addressesOf(stack: SynthHelpers.StackJson): Map<string, any> {
  return new Map(Object.entries(stack.resource ?? {}).flatMap(([type, byId]) => Object.entries(byId).map(([id, body]) => [`${type}.${id}`, body] as [string, any])));
}

/** The body a `${type.id.attr}` reference points at. */
function deref(stack: SynthHelpers.StackJson, ref: string): any {
  const m = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}$/.exec(ref);
  if (!m) throw new Error(`not a resource reference: ${ref}`);
  const body = resources(stack, m[1])[m[2]];
  if (!body) throw new Error(`no ${m[1]}.${m[2]}`);
  return body;
}

function removed(stack: SynthHelpers.StackJson): string[] {
  return (stack.removed ?? []).map((r) => {
    expect(r.lifecycle).toEqual({ destroy: false });
    return r.from;
  });
}

describe("a service added as one registry entry", () => {
  it("gets its configuration section from the registry, with the registry's defaults and strict keys", () => {
    const config = parseConfig(baseConfig());
    expect((config.services as Record<string, unknown>).echo).toMatchObject({ subdomain: "echo", exposeGlobally: true, maxRatePerEndpoint: 100, dns: { owner: "regional", ttl: 60 } });
    expect(() => parseConfig(withConfig((c) => (c.services = { echo: { location: "US" } })))).toThrow(
      /services\.echo: unknown key "location"; valid keys are: subdomain, exposeGlobally, maxRatePerEndpoint, dns, cloudArmor/,
    );
    expect(() => parseConfig(withConfig((c) => (c.services = { echo: { subdomain: "fulcio" } })))).toThrow(/services\.echo\.subdomain: subdomain "fulcio" is already used by fulcio/);
  });

  it("publishes deterministic HTTP and gRPC NEG names in every region", () => {
    for (const { region, zones } of [EAST, WEST]) {
      expect(resources(regional[region], "terraform_data").echo_negs.input).toEqual({ http: "sigstore-echo-http", grpc: "sigstore-echo-grpc", zones });
      expect(resources(regional[region], "google_compute_global_address").echo_ingress_address.name).toBe(`sigstore-echo-${region}-ingress`);
    }
  });

  it("gets a global front end over every region's NEGs, with Cloud Armor, TLS 1.2+ and a certificate for its host", () => {
    const http = resources(global, "google_compute_backend_service").echo_backend_http;
    const grpc = resources(global, "google_compute_backend_service").echo_backend_grpc;
    expect(http.backend.map((b: any) => b.group.replace(/\$\{.*\}/, "<neg>"))).toEqual(
      [...EAST.zones, ...WEST.zones].map((z) => `projects/sigstore-test/zones/${z}/networkEndpointGroups/<neg>`),
    );
    expect(http.backend.every((b: any) => b.max_rate_per_endpoint === 7)).toBe(true);
    expect(grpc.protocol).toBe("H2C");
    expect(deref(global, http.security_policy).name).toBe("sigstore-echo-armor");
    const urlMap = resources(global, "google_compute_url_map").echo_url_map;
    expect(urlMap.host_rule).toEqual([{ hosts: [`ping.${DOMAIN}`], path_matcher: "echo" }]);
    expect(urlMap.path_matcher[0].path_rule[0].paths).toEqual(["/dev.example.Echo", "/dev.example.Echo/*"]);
    const proxy = resources(global, "google_compute_target_https_proxy").echo_https_proxy;
    expect(deref(global, proxy.ssl_policy)).toMatchObject({ min_tls_version: "TLS_1_2", profile: "MODERN" });
    expect(proxy.certificate_map).toContain("google_certificate_manager_certificate_map.echo_tls_map");
    expect(resources(global, "google_certificate_manager_dns_authorization").echo_tls_dns_authorization.domain).toBe(`ping.${DOMAIN}`);
  });

  it("gets an A record owned by exactly one stack (here the global one), released by the others", () => {
    const owners = allStacks.filter(([, s]) => resources(s, "google_dns_record_set").echo_a_record);
    expect(owners.map(([id]) => id)).toEqual(["global"]);
    const record = resources(global, "google_dns_record_set").echo_a_record;
    expect(record).toMatchObject({ name: `ping.${DOMAIN}.`, type: "A" });
    // The address as the :443 rule serves it (the global address), never before the rule exists or its certificate is ACTIVE.
    expect(record.rrdatas).toEqual(["${google_compute_global_forwarding_rule.echo_https_forwarding_rule.ip_address}"]);
    expect(resources(global, "google_compute_global_forwarding_rule").echo_https_forwarding_rule).toMatchObject({
      ip_address: "${google_compute_global_address.echo_address.address}",
      port_range: "443",
    });
    expect(record.depends_on).toContain("google_compute_global_forwarding_rule.echo_https_forwarding_rule");
    expect(record.lifecycle.precondition.map((p: any) => p.condition)).toEqual(['${("ACTIVE" == google_certificate_manager_certificate.echo_tls_certificate.managed[0].state)}']);
    for (const stack of Object.values(regional)) expect(removed(stack)).toContain("google_dns_record_set.echo_a_record");
  });

  it("gets uptime checks through each region's ingress and through its public host", () => {
    for (const region of [EAST.region, WEST.region]) {
      const check = resources(regional[region], "google_monitoring_uptime_check_config").monitoring_echo_uptime;
      expect(check.http_check).toMatchObject({ path: "/echo/healthz", headers: { Host: `ping.${DOMAIN}` } });
      expect(check.monitored_resource.labels.host).toBe(`\${google_compute_global_address.echo_ingress_address.address}`);
    }
    const check = resources(global, "google_monitoring_uptime_check_config").uptime_echo_uptime;
    expect(check.monitored_resource.labels.host).toBe(`ping.${DOMAIN}`);
    expect(check.http_check).toMatchObject({ path: "/echo/healthz", validate_ssl: true });
  });
});

describe("Rekor v1: one log in one region", () => {
  const searchIndexes = allStacks.flatMap(([id, s]) => Object.values(resources(s, "google_sql_database")).filter((d) => d.name === "searchindexes").map(() => id));

  it("defaults to the primary region and follows services.rekor.region", () => {
    expect(rekorRegionOf(parseConfig(baseConfig()))).toBe(EAST.region);
    expect(rekorRegionOf(parseConfig(withConfig((c) => (c.primaryRegion = WEST.region))))).toBe(WEST.region);
    expect(regionsServing(parseConfig(input), "rekor")).toEqual([WEST.region]);
    expect(regionsServing(parseConfig(withConfig((c) => (c.features = { rekor: false, rekorTiles: true }))), "rekor")).toEqual([]);
  });

  it("exists exactly once across all stacks: one search index, key ring, attestation bucket and topic, in its region", () => {
    expect(searchIndexes).toEqual([`regional-${WEST.region}`]);
    const rekorOwned = allStacks.flatMap(([id, s]) => [
      ...Object.values(resources(s, "google_kms_key_ring")).filter((r) => /-rekor-/.test(r.name) && !/tiles/.test(r.name)).map(() => `${id} key ring`),
      ...Object.values(resources(s, "google_storage_bucket")).filter((b) => /rekor-attestations/.test(b.name)).map(() => `${id} bucket`),
      ...Object.values(resources(s, "google_pubsub_topic")).filter((t) => /rekor/.test(t.name)).map(() => `${id} topic`),
    ]);
    expect(rekorOwned.sort()).toEqual([`regional-${WEST.region} bucket`, `regional-${WEST.region} key ring`, `regional-${WEST.region} topic`]);
    expect(resources(regional[EAST.region], "terraform_data").rekor_negs).toBeUndefined();
  });

  it("is served at rekor.<domain> by the global load balancer, from its region's NEGs only, behind Cloud Armor and TLS 1.2+", () => {
    const http = resources(global, "google_compute_backend_service").rekor_backend_http;
    expect(http.backend.map((b: any) => b.group.split("/")[3])).toEqual(WEST.zones);
    expect(deref(global, http.security_policy)).toMatchObject({ name: "sigstore-rekor-armor", type: "CLOUD_ARMOR" });
    expect(resources(global, "google_compute_health_check").rekor_health_check_http.http_health_check.request_path).toBe("/ping");
    expect(resources(global, "google_compute_url_map").rekor_url_map.host_rule[0].hosts).toEqual([`rekor.${DOMAIN}`]);
    const proxy = resources(global, "google_compute_target_https_proxy").rekor_https_proxy;
    expect(deref(global, proxy.ssl_policy).min_tls_version).toBe("TLS_1_2");
    expect(resources(global, "google_certificate_manager_dns_authorization").rekor_tls_dns_authorization.domain).toBe(`rekor.${DOMAIN}`);
    expect(resources(global, "google_compute_backend_service").rekor_backend_grpc).toBeUndefined();
  });

  it("answers in the regional DNS phase from its own region's ingress, not the primary's", () => {
    const owners = allStacks.filter(([, s]) => resources(s, "google_dns_record_set").rekor_a_record).map(([id]) => id);
    expect(owners).toEqual([`regional-${WEST.region}`]);
    const record = resources(regional[WEST.region], "google_dns_record_set").rekor_a_record;
    // Its own region's front end: the :443 rule on that region's ingress address, which the record waits for.
    expect(record.rrdatas).toEqual(["${google_compute_global_forwarding_rule.rekor_frontend_https_forwarding_rule.ip_address}"]);
    expect(record.depends_on).toContain("google_compute_global_forwarding_rule.rekor_frontend_https_forwarding_rule");
    expect(resources(regional[WEST.region], "google_compute_global_forwarding_rule").rekor_frontend_https_forwarding_rule).toMatchObject({
      ip_address: "${google_compute_global_address.rekor_ingress_address.address}",
      port_range: "443",
    });
  });

  it("has its regional certificate issued by its own region, not the primary (which does not serve it)", () => {
    const certificates = (region: string) => Object.values(resources(regional[region], "google_certificate_manager_certificate")).map((c) => c.managed.domains[0]);
    expect(certificates(WEST.region)).toEqual([`rekor.${DOMAIN}`]);
    expect(certificates(EAST.region)).not.toContain(`rekor.${DOMAIN}`);
    const entry = Object.values(resources(regional[WEST.region], "google_certificate_manager_certificate_map_entry")).find((e) => e.hostname === `rekor.${DOMAIN}`);
    expect(entry.certificates).toEqual(["${google_certificate_manager_certificate.rekor_regional_tls_certificate.id}"]);
  });

  it("lives next to the endpoint of the same id without a construct-id collision, and keeps its addresses", () => {
    const west = addressesOf(regional[WEST.region]);
    expect(west.has("google_kms_key_ring.rekor_keys_key_ring")).toBe(true);
    expect(west.has("google_compute_global_address.rekor_ingress_address")).toBe(true);
    // What the other region forgets is what the Rekor region declares: the list cannot drift from the construct.
    for (const address of RETIRED_REKOR_ADDRESSES) expect(west.has(address)).toBe(true);
  });

  it("leaves a region that no longer runs it with removed blocks that keep the frozen log's data and key", () => {
    expect(removed(regional[EAST.region])).toEqual(expect.arrayContaining([...RETIRED_REKOR_ADDRESSES]));
    expect(removed(regional[WEST.region]).filter((a) => RETIRED_REKOR_ADDRESSES.includes(a))).toEqual([]);
    expect(RETIRED_REKOR_ADDRESSES).toEqual(
      expect.arrayContaining(["google_kms_crypto_key.rekor_keys_signing_key", "google_sql_database.rekor_search_index", "google_storage_bucket.rekor_attestations_bucket"]),
    );
  });

  it("keeps frozen logs of other regions as trust material, checking their public data", () => {
    const { generateKeyPairSync } = require("crypto") as typeof import("crypto");
    const pem = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString();
    const frozen = { region: EAST.region, baseUrl: "https://rekor-us-east1.example.com", publicKeyPem: pem, validFrom: "2025-01-01T00:00:00Z", validUntil: "2026-06-01T00:00:00Z" };
    const config = parseConfig(withConfig((c) => (c.services = { rekor: { region: WEST.region, frozenLogs: [frozen] } })));
    expect(frozenRekorLogs(config)).toEqual([
      { baseUrl: frozen.baseUrl, region: EAST.region, publicKeyPem: pem, validFor: { start: frozen.validFrom, end: frozen.validUntil } },
    ]);
    expect(frozenRekorLogs(parseConfig(baseConfig()))).toEqual([]);
    const bad = (change: object) => () => parseConfig(withConfig((c) => (c.services = { rekor: { region: WEST.region, frozenLogs: [{ ...frozen, ...change }] } })));
    expect(bad({ publicKeyPem: "not a key" })).toThrow(/services\.rekor\.frozenLogs\[0\]\.publicKeyPem: must be a PEM public key/);
    expect(bad({ validUntil: "2024-01-01T00:00:00Z" })).toThrow(/services\.rekor\.frozenLogs\[0\]\.validUntil: validFrom must be before validUntil/);
    expect(bad({ region: WEST.region })).toThrow(/services\.rekor\.frozenLogs\[0\]\.region: europe-west1 runs the live Rekor log/);
  });

  it("rejects an unknown region or a list of regions, naming the field", () => {
    expect(() => parseConfig(withConfig((c) => (c.services = { rekor: { region: "asia-east1" } })))).toThrow(
      /services\.rekor\.region: "asia-east1" is not one of the configured regions \(us-east1, europe-west1\)/,
    );
    expect(() => parseConfig(withConfig((c) => (c.services = { rekor: { region: ["us-east1", "europe-west1"] } })))).toThrow(
      /services\.rekor\.region: Rekor runs in exactly one region/,
    );
  });
});

describe("the one TUF repository", () => {
  const servingBuckets = allStacks.flatMap(([id, s]) =>
    Object.values(resources(s, "google_compute_backend_bucket")).map((b) => [id, deref(s, b.bucket_name)] as [string, any]),
  ).filter(([, bucket]) => /-tuf$/.test(bucket.name));
  const [, serving] = servingBuckets[0] ?? [];

  it("has exactly one serving bucket across all stacks, in the global stack, in a multi-region", () => {
    expect(servingBuckets.map(([id]) => id)).toEqual(["global"]);
    expect(serving).toMatchObject({ name: "sigstore-test-sigstore-tuf", location: "US", lifecycle: { prevent_destroy: true }, versioning: { enabled: true } });
    for (const [id, stack] of allStacks) {
      if (id === "global") continue;
      const tufNamed = [...addressesOf(stack)].filter(([, body]) => /tuf/.test(String(body.name ?? body.account_id ?? "")));
      expect(tufNamed).toEqual([]);
    }
  });

  it("keeps the bucket private: no allUsers, only the load balancer's CDN service agent reads it", () => {
    expect(serving.public_access_prevention).toBe("enforced");
    const grants = allStacks.flatMap(([, s]) => Object.values(resources(s, "google_storage_bucket_iam_member")));
    expect(grants.filter((g) => /^all(Authenticated)?Users$/.test(g.member) && /tuf/.test(String(g.bucket)))).toEqual([]);
    const readers = Object.values(resources(global, "google_storage_bucket_iam_member")).filter((g) => deref(global, g.bucket) === serving);
    expect(readers.map((g) => [g.role, g.member]).sort()).toEqual([
      ["roles/storage.objectAdmin", "serviceAccount:${google_service_account.tuf_repository_publisher_account.email}"],
      ["roles/storage.objectViewer", `serviceAccount:service-${PROJECT_NUMBER}@cloud-cdn-fill.iam.gserviceaccount.com`],
    ]);
  });

  it("is served at tuf.<domain> through Cloud CDN, behind an edge Cloud Armor policy, TLS 1.2+ and a certificate", () => {
    const backend = resources(global, "google_compute_backend_bucket").tuf_backend_bucket;
    expect(backend.enable_cdn).toBe(true);
    expect(deref(global, backend.edge_security_policy).type).toBe("CLOUD_ARMOR_EDGE");
    const urlMap = resources(global, "google_compute_url_map").tuf_url_map;
    expect(urlMap.host_rule).toEqual([{ hosts: [`tuf.${DOMAIN}`], path_matcher: "tuf" }]);
    expect(deref(global, urlMap.default_service)).toBe(backend);
    const proxy = resources(global, "google_compute_target_https_proxy").tuf_https_proxy;
    expect(deref(global, proxy.ssl_policy).min_tls_version).toBe("TLS_1_2");
    expect(resources(global, "google_certificate_manager_dns_authorization").tuf_tls_dns_authorization.domain).toBe(`tuf.${DOMAIN}`);
    // A new host: the global stack creates its record, with nothing to adopt.
    const record = resources(global, "google_dns_record_set").tuf_a_record;
    expect(record.rrdatas).toEqual(["${google_compute_global_forwarding_rule.tuf_https_forwarding_rule.ip_address}"]);
    expect(resources(global, "google_compute_global_forwarding_rule").tuf_https_forwarding_rule).toMatchObject({ ip_address: "${google_compute_global_address.tuf_address.address}", port_range: "443" });
    expect(record.depends_on).toEqual(expect.arrayContaining(["google_compute_global_forwarding_rule.tuf_https_forwarding_rule", "terraform_data.tuf_a_record_no_overwrite"]));
    expect((global.import ?? []).map((i) => i.to)).not.toContain("google_dns_record_set.tuf_a_record");
    expect(resources(global, "google_monitoring_uptime_check_config").uptime_tuf_uptime.http_check.path).toBe("/timestamp.json");
  });

  it("signs snapshot and timestamp with one online KMS key in the matching multi-region; root and targets are not here", () => {
    const keys = Object.values(resources(global, "google_kms_crypto_key"));
    expect(keys).toEqual([expect.objectContaining({ name: "online", purpose: "ASYMMETRIC_SIGN", version_template: { algorithm: "EC_SIGN_P256_SHA256", protection_level: "HSM" } })]);
    expect(deref(global, keys[0].key_ring).location).toBe("us");
    const grants = Object.values(resources(global, "google_kms_crypto_key_iam_member")).map((g) => [g.role, g.member]);
    expect(grants.sort()).toEqual([
      ["roles/cloudkms.publicKeyViewer", "serviceAccount:${google_service_account.tuf_repository_signer_account.email}"],
      ["roles/cloudkms.signerVerifier", "serviceAccount:${google_service_account.tuf_repository_signer_account.email}"],
    ]);
    const bindings = Object.values(resources(global, "google_service_account_iam_member")).filter((b) => /tuf-system/.test(b.member)).map((b) => b.member.replace(/^.*\[/, "["));
    expect(bindings.sort()).toEqual(["[tuf-system/tuf-publisher]", "[tuf-system/tuf-signer]"]);
  });

  it("makes every region forget its old TUF buckets and key instead of destroying them", () => {
    for (const stack of Object.values(regional)) expect(removed(stack)).toEqual(expect.arrayContaining([...RETIRED_REGIONAL_TUF_ADDRESSES]));
    expect(RETIRED_REGIONAL_TUF_ADDRESSES).toEqual(
      expect.arrayContaining(["google_storage_bucket.tuf_serving_bucket", "google_storage_bucket.tuf_preprod_bucket", "google_kms_crypto_key.tuf_keys_signing_key", "google_kms_crypto_key_version.tuf_signing_version"]),
    );
  });

  it("takes only the fields of a bucket service, and its record only in the global stack", () => {
    expect(() => parseConfig(withConfig((c) => (c.services = { tuf: { maxRatePerEndpoint: 5 } })))).toThrow(/services\.tuf: unknown key "maxRatePerEndpoint"/);
    expect(() => parseConfig(withConfig((c) => (c.services = { tuf: { dns: { owner: "regional" } } })))).toThrow(/services\.tuf\.dns\.owner: TUF repository is served only by the global stack/);
    expect(() => parseConfig(withConfig((c) => (c.services = { tuf: { location: "us-east1" } })))).toThrow(/services\.tuf\.location: must be a Cloud Storage multi-region: US, EU, ASIA/);
  });
});
