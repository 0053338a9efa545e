import { parseConfig } from "../../lib/config/load";
import { allResources, exampleConfig, resources, StackJson, synthDeployment } from "../helpers/synth";

const config = exampleConfig();
const { stacks } = synthDeployment(config);
const global = stacks.global;
const project = config.project.id;

/** The remote-state output a region's NEG name of a service resolves to. */
function remoteOutput(region: string, service: string, attribute: string): string {
  const source = `cross_stack_reference_input_regional_${region.replace(/-/g, "_")}`;
  return `\${data.terraform_remote_state.${source}.outputs.cross_stack_output_terraform_data_${service}_negs_output_${attribute}}`;
}

function byName(stack: StackJson, type: string, name: string): any {
  const found = Object.values(resources(stack, type)).filter((r) => r.name === name);
  expect(found).toHaveLength(1);
  return found[0];
}

function ref(type: string, stack: StackJson, name: string, attribute = "id"): string {
  const entry = Object.entries(resources(stack, type)).find(([, r]) => r.name === name);
  expect(entry).toBeDefined();
  return `\${${type}.${entry![0]}.${attribute}}`;
}

describe.each(["fulcio", "tsa", "dex"])("global front end of %s", (service) => {
  const settings = config.services[service as "fulcio"];
  const host = `${settings.subdomain}.sigstore.example.com`;

  it("has one backend per region and zone, each the region's standalone NEG, balanced by rate", () => {
    const backend = byName(global, "google_compute_backend_service", `sigstore-${service}-http-backend`);
    const expected = config.regions.flatMap((r) =>
      r.zones.map((zone) => ({
        group: `projects/${project}/zones/${zone}/networkEndpointGroups/${remoteOutput(r.region, service, "http")}`,
        balancing_mode: "RATE",
        max_rate_per_endpoint: settings.maxRatePerEndpoint,
        capacity_scaler: 1,
      })),
    );
    expect(backend.backend).toEqual(expected);
    expect(backend.backend).toHaveLength(9);
    expect(backend.load_balancing_scheme).toBe("EXTERNAL_MANAGED");
    expect(backend.protocol).toBe("HTTP");
  });

  it("checks that every regional stack serves the zones it routes to", () => {
    const backend = byName(global, "google_compute_backend_service", `sigstore-${service}-http-backend`);
    const conditions = backend.lifecycle.precondition.map((p: any) => p.condition);
    expect(conditions).toEqual(
      config.regions.map(
        (r) =>
          `\${(0 == length(setsubtract(${JSON.stringify(r.zones).replace(/,/g, ", ")}, ${remoteOutput(r.region, service, "zones").slice(2, -1)})))}`,
      ),
    );
  });

  it("puts Cloud Armor with the configured rules, a default rule and adaptive protection in front of the backend", () => {
    const policy = byName(global, "google_compute_security_policy", `sigstore-${service}-armor`);
    const priorities = policy.rule.map((r: any) => r.priority);
    expect(priorities).toEqual([...settings.cloudArmor.rules.map((r) => r.priority).sort((a, b) => a - b), 2147483647]);
    expect(policy.rule.at(-1)).toMatchObject({
      action: "allow",
      match: { versioned_expr: "SRC_IPS_V1", config: { src_ip_ranges: ["*"] } },
    });
    expect(policy.adaptive_protection_config.layer_7_ddos_defense_config.enable).toBe(true);
    expect(policy.advanced_options_config.json_parsing).toBe("STANDARD");
    const backend = byName(global, "google_compute_backend_service", `sigstore-${service}-http-backend`);
    expect(backend.security_policy).toBe(ref("google_compute_security_policy", global, `sigstore-${service}-armor`, "self_link"));
  });

  it("issues a managed certificate through DNS authorization and serves it from a certificate map", () => {
    const auth = byName(global, "google_certificate_manager_dns_authorization", `sigstore-${service}-dns-auth`);
    expect(auth.domain).toBe(host);
    const authRef = ref("google_certificate_manager_dns_authorization", global, `sigstore-${service}-dns-auth`, "dns_resource_record[0]");
    const cname = Object.values(resources(global, "google_dns_record_set")).find((r) => r.name === `${authRef.slice(0, -1)}.name}`);
    expect(cname).toMatchObject({
      managed_zone: config.dns.zoneName,
      type: `${authRef.slice(0, -1)}.type}`,
      rrdatas: [`${authRef.slice(0, -1)}.data}`],
    });
    const cert = byName(global, "google_certificate_manager_certificate", `sigstore-${service}-cert`);
    expect(cert.managed).toEqual({
      domains: [host],
      dns_authorizations: [ref("google_certificate_manager_dns_authorization", global, `sigstore-${service}-dns-auth`)],
    });
    const entry = byName(global, "google_certificate_manager_certificate_map_entry", `sigstore-${service}-cert-map-entry`);
    expect(entry).toMatchObject({
      hostname: host,
      map: ref("google_certificate_manager_certificate_map", global, `sigstore-${service}-cert-map`, "name"),
      certificates: [ref("google_certificate_manager_certificate", global, `sigstore-${service}-cert`)],
    });
    const proxy = byName(global, "google_compute_target_https_proxy", `sigstore-${service}-https-proxy`);
    expect(proxy.certificate_map).toBe(
      `//certificatemanager.googleapis.com/${ref("google_certificate_manager_certificate_map", global, `sigstore-${service}-cert-map`)}`,
    );
  });

  it("terminates TLS 1.2 or newer with the MODERN profile", () => {
    const ssl = byName(global, "google_compute_ssl_policy", `sigstore-${service}-ssl-policy`);
    expect(ssl).toMatchObject({ profile: "MODERN", min_tls_version: "TLS_1_2" });
    const proxy = byName(global, "google_compute_target_https_proxy", `sigstore-${service}-https-proxy`);
    expect(proxy.ssl_policy).toBe(ref("google_compute_ssl_policy", global, `sigstore-${service}-ssl-policy`));
  });

  it("serves HTTPS on 443 and redirects port 80 to HTTPS, both on the global address", () => {
    const address = ref("google_compute_global_address", global, `sigstore-${service}-global-ip`, "address");
    const https = byName(global, "google_compute_global_forwarding_rule", `sigstore-${service}-https-rule`);
    expect(https).toMatchObject({ ip_address: address, port_range: "443", load_balancing_scheme: "EXTERNAL_MANAGED" });
    expect(https.target).toBe(ref("google_compute_target_https_proxy", global, `sigstore-${service}-https-proxy`));
    const http = byName(global, "google_compute_global_forwarding_rule", `sigstore-${service}-http-rule`);
    expect(http).toMatchObject({ ip_address: address, port_range: "80", load_balancing_scheme: "EXTERNAL_MANAGED" });
    const redirect = byName(global, "google_compute_url_map", `sigstore-${service}-http-redirect`);
    expect(redirect.default_url_redirect).toEqual({
      https_redirect: true,
      redirect_response_code: "MOVED_PERMANENTLY_DEFAULT",
      strip_query: false,
    });
    expect(redirect.default_service).toBeUndefined();
  });

  it("routes its host to the HTTP backend by default", () => {
    const urlMap = byName(global, "google_compute_url_map", `sigstore-${service}-url-map`);
    const httpBackend = ref("google_compute_backend_service", global, `sigstore-${service}-http-backend`);
    expect(urlMap.default_service).toBe(httpBackend);
    expect(urlMap.host_rule).toEqual([{ hosts: [host], path_matcher: service }]);
    expect(urlMap.path_matcher[0].default_service).toBe(httpBackend);
  });

  it("health-checks the serving port over HTTP", () => {
    const hc = byName(global, "google_compute_health_check", `sigstore-${service}-http-hc`);
    expect(hc.http_health_check.port_specification).toBe("USE_SERVING_PORT");
    expect(hc.http_health_check.request_path).toBe({ fulcio: "/healthz", tsa: "/ping", dex: "/auth/healthz" }[service]);
    expect(hc.log_config.enable).toBe(false);
  });
});

describe("Fulcio's gRPC API", () => {
  it("routes /dev.sigstore.fulcio.v2.CA and everything below it to an HTTP/2 backend", () => {
    const urlMap = byName(global, "google_compute_url_map", "sigstore-fulcio-url-map");
    const grpcBackend = ref("google_compute_backend_service", global, "sigstore-fulcio-grpc-backend");
    expect(urlMap.path_matcher[0].path_rule).toEqual([
      { paths: ["/dev.sigstore.fulcio.v2.CA", "/dev.sigstore.fulcio.v2.CA/*"], service: grpcBackend },
    ]);
    const backend = byName(global, "google_compute_backend_service", "sigstore-fulcio-grpc-backend");
    // Cleartext HTTP/2: the chart's gRPC port has no TLS (HTTP2 would open TLS to it).
    expect(backend.protocol).toBe("H2C");
    expect(backend.backend.map((b: any) => b.group)).toEqual(
      config.regions.flatMap((r) =>
        r.zones.map((z) => `projects/${project}/zones/${z}/networkEndpointGroups/${remoteOutput(r.region, "fulcio", "grpc")}`),
      ),
    );
    const hc = byName(global, "google_compute_health_check", "sigstore-fulcio-grpc-hc");
    expect(hc.tcp_health_check).toEqual({ port_specification: "USE_SERVING_PORT" });
    expect(backend.health_checks).toEqual([ref("google_compute_health_check", global, "sigstore-fulcio-grpc-hc")]);
  });

  it("exists only for Fulcio", () => {
    const backends = Object.values(resources(global, "google_compute_backend_service")).map((b) => b.name);
    expect(backends.filter((n) => n.includes("grpc"))).toEqual(["sigstore-fulcio-grpc-backend"]);
  });
});

describe("every public backend", () => {
  it("has a Cloud Armor policy, EXTERNAL_MANAGED scheme, health checks and request logs", () => {
    const backends = Object.values(resources(global, "google_compute_backend_service"));
    expect(backends.length).toBeGreaterThanOrEqual(4);
    for (const b of backends) {
      expect(b.security_policy).toMatch(/^\$\{google_compute_security_policy\.[a-z_]+\.self_link\}$/);
      expect(b.load_balancing_scheme).toBe("EXTERNAL_MANAGED");
      expect(b.health_checks).toHaveLength(1);
      expect(b.log_config).toEqual({ enable: true, sample_rate: 1 });
    }
  });

  it("follows the logging switches", () => {
    const quiet = synthDeployment(
      parseConfig({ ...structuredClone(config), logging: { loadBalancer: false, healthChecks: true } }),
    ).stacks.global;
    for (const b of Object.values(resources(quiet, "google_compute_backend_service"))) expect(b.log_config).toEqual({ enable: false });
    for (const hc of Object.values(resources(quiet, "google_compute_health_check"))) expect(hc.log_config).toEqual({ enable: true });
  });
});

describe("the global stack reads regional values only through cross-stack references", () => {
  it("declares no data source other than the regional stacks' remote state and the storage service agent", () => {
    // The agent is the project's, created by reading it: nothing another stack creates.
    expect(Object.keys(global.data ?? {}).sort()).toEqual(["google_storage_project_service_account", "terraform_remote_state"]);
    expect(Object.keys(global.data!.terraform_remote_state).sort()).toEqual([
      "cross_stack_reference_input_regional_asia_northeast1",
      "cross_stack_reference_input_regional_europe_west1",
      "cross_stack_reference_input_regional_us_east1",
    ]);
  });

  it("looks NEGs up only in the regional stacks, after the release that creates them (never in the global stack at plan time)", () => {
    expect(stacks.global.data?.google_compute_network_endpoint_group).toBeUndefined();
    expect(JSON.stringify(stacks.global)).not.toContain("data.google_compute_network_endpoint_group");
    let lookups = 0;
    for (const [id, stack] of Object.entries(stacks).filter(([id]) => id.startsWith("regional-"))) {
      for (const [name, body] of Object.entries<any>(stack.data?.google_compute_network_endpoint_group ?? {})) {
        lookups++;
        // A data source that depends on a resource being created is read at apply time, after it.
        expect([id, name, body.depends_on.every((d: string) => d.startsWith("helm_release."))]).toEqual([id, name, true]);
        expect(stack.resource!.helm_release[body.depends_on[0].split(".")[1]]).toBeDefined();
      }
    }
    expect(lookups).toBeGreaterThan(0);
  });

  it("depends on every regional stack, so cdktf deploys them first", () => {
    const { files } = synthDeployment(config);
    const manifest = JSON.parse(files["manifest.json"]);
    expect(manifest.stacks.global.dependencies.sort()).toEqual(["regional-asia-northeast1", "regional-europe-west1", "regional-us-east1"]);
    // Other regions wait for the primary one, which enables the project's APIs.
    expect(manifest.stacks["regional-us-east1"].dependencies).toEqual([]);
    for (const region of config.regions.slice(1)) expect(manifest.stacks[`regional-${region.region}`].dependencies).toEqual(["regional-us-east1"]);
  });
});

describe("a service that is not exposed globally", () => {
  it("gets no load balancer resources", () => {
    const cfg = parseConfig({ ...structuredClone(config), services: { ...structuredClone(config.services), dex: { exposeGlobally: false } } });
    const stack = synthDeployment(cfg).stacks.global;
    const names = allResources(stack).map(([, , body]) => String(body.name ?? ""));
    expect(names.filter((n) => n.startsWith("sigstore-dex"))).toEqual([]);
    expect(names.filter((n) => n.startsWith("sigstore-fulcio")).length).toBeGreaterThan(10);
  });
});

describe("Dex behind the global load balancer", () => {
  const urlMap = byName(global, "google_compute_url_map", "sigstore-dex-url-map");
  const dexBackend = ref("google_compute_backend_service", global, "sigstore-dex-http-backend");
  const keysBucket = ref("google_compute_backend_bucket", global, "sigstore-dex-jwks");

  it("serves exactly /auth/keys from the merged key set, and everything else from Dex", () => {
    expect(urlMap.path_matcher[0].path_rule).toEqual([{ paths: ["/auth/keys"], service: keysBucket }]);
    // Discovery, authorization, callback and token endpoints are not matched by that rule.
    expect(urlMap.path_matcher[0].default_service).toBe(dexBackend);
    expect(urlMap.default_service).toBe(dexBackend);
    for (const rule of urlMap.path_matcher[0].path_rule) expect(rule.paths.some((p: string) => p.includes("*") || p.startsWith("/.well-known"))).toBe(false);
  });

  it("keeps a client's login on one Dex with client-IP affinity over consistent hashing", () => {
    const backend = byName(global, "google_compute_backend_service", "sigstore-dex-http-backend");
    expect(backend).toMatchObject({ session_affinity: "CLIENT_IP", locality_lb_policy: "RING_HASH" });
    for (const other of ["fulcio", "tsa"]) expect(byName(global, "google_compute_backend_service", `sigstore-${other}-http-backend`).session_affinity).toBeUndefined();
  });

  it("lets every region's publisher write its own object of the incoming bucket, through cross-stack references", () => {
    const grants = Object.values(resources(global, "google_storage_bucket_iam_member")).filter((g) => /objects\/keys\//.test(g.condition?.expression ?? ""));
    expect(grants.map((g) => /keys\/([a-z0-9-]+)\.json/.exec(g.condition.expression)![1]).sort()).toEqual(config.regions.map((r) => r.region).sort());
    for (const g of grants) expect(g.member).toMatch(/^serviceAccount:\$\{data\.terraform_remote_state\.cross_stack_reference_input_regional_[a-z0-9_]+\.outputs\./);
  });
});
