import { readFileSync } from "fs";
import { join } from "path";
import { TerraformStack } from "cdktf";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import type { CloudArmorConfig, LoggingConfig } from "../../lib/config/schema";
import { TilesFrontend, TilesFrontendProps } from "../../lib/global/tiles-frontend";
import { TILES_LOGS, TilesLog, TilesLogKind, TilesReadRoute } from "../../lib/regional/tiles-log";
import { bodiesOf, entriesOf, synthConstruct, testContext, testApp } from "../helpers/construct";
import { logProps, namesIn, refTo } from "./tiles-helpers";

const HOST = "log2026.tiles.example.com";
const ARMOR: CloudArmorConfig = {
  defaultAction: "allow",
  adaptiveProtection: true,
  rules: [
    { priority: 100, action: "deny(403)", preview: false, match: { srcIpRanges: ["198.51.100.0/24"] } },
    {
      priority: 200,
      action: "throttle",
      preview: false,
      description: "writes per client",
      match: { expression: "request.method == 'POST'" },
      rateLimit: { count: 600, intervalSec: 60, enforceOnKey: "IP", exceedAction: "deny(429)" },
    },
  ],
};
const LOGGING: LoggingConfig = { loadBalancer: true, loadBalancerSampleRate: 0.5, healthChecks: false };
const EAST = testContext();
const WEST = testContext({ region: "europe-west1", zones: ["europe-west1-b", "europe-west1-c"] });

interface Built {
  json: any;
  frontend: TilesFrontend;
  logs: { [id: string]: TilesLog };
}

/** Logs in the same stack as the front end: their exports resolve to terraform_data references. */
function build(kind: TilesLogKind, overrides: Partial<TilesFrontendProps> = {}, withWest = false): Built {
  let frontend!: TilesFrontend;
  const logs: { [id: string]: TilesLog } = {};
  const json = synthConstruct((scope) => {
    logs.east = new TilesLog(scope, "east", logProps({ kind }, EAST));
    if (withWest) logs.west = new TilesLog(scope, "west", logProps({ kind }, WEST));
    frontend = new TilesFrontend(scope, "frontend", {
      project: EAST.project,
      namePrefix: EAST.names.prefix,
      log: logs.east.exported,
      writers: withWest ? [logs.east.exported, logs.west.exported] : undefined,
      host: HOST,
      managedZone: "example-zone",
      cloudArmor: ARMOR,
      logging: LOGGING,
      ...overrides,
    });
  });
  return { json, frontend, logs };
}

function only(json: any, type: string, filter: (b: any) => boolean = () => true): any {
  const bodies = bodiesOf(json, type).filter(filter);
  expect(bodies).toHaveLength(1);
  return bodies[0];
}

function idOf(json: any, type: string, body: any): string {
  return refTo(json, type, body, "id");
}

/** The terraform_data output of the log built with construct id `log`. */
function published(json: any, log: string, attribute: string): string {
  const [id] = entriesOf(json, "terraform_data").find(([i]) => i.startsWith(`${log}_frontend`))!;
  return `\${terraform_data.${id}.output.${attribute}}`;
}

/** Whether a URL map match rule accepts a path (full path, prefix, or a `{var}` / `{var=**}` template). */
function matches(rule: any, path: string): boolean {
  if (rule.full_path_match !== undefined) return rule.full_path_match === path;
  if (rule.prefix_match !== undefined) return path.startsWith(rule.prefix_match);
  const pattern = (rule.path_template_match as string)
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith("{") ? (part.includes("**") ? ".+" : "[^/]+") : part.replace(/[.*+?^$()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${pattern}$`).test(path);
}

/** Which backend the URL map sends a path to on our host, and the path the backend sees. */
function route(urlMap: any, path: string): { service: string; path: string } {
  const matcher = urlMap.path_matcher[0];
  const rules = [...(matcher.route_rules ?? [])].sort((a, b) => a.priority - b.priority);
  for (const rule of rules) {
    const hit = rule.match_rules.find((m: any) => matches(m, path));
    if (!hit) continue;
    const rewrite = rule.route_action?.url_rewrite;
    if (rewrite?.path_prefix_rewrite !== undefined) return { service: rule.service, path: rewrite.path_prefix_rewrite };
    if (rewrite?.path_template_rewrite !== undefined) {
      const suffix = path.slice((hit.path_template_match as string).indexOf("{"));
      return { service: rule.service, path: (rewrite.path_template_rewrite as string).replace(/\{[^}]+\}/, suffix) };
    }
    return { service: rule.service, path };
  }
  return { service: matcher.default_service, path };
}

const READS: { [K in TilesLogKind]: [string, string][] } = {
  rekor: [
    ["/api/v2/checkpoint", "/checkpoint"],
    ["/api/v2/tile/0/x001/234", "/tile/0/x001/234"],
    ["/api/v2/tile/1/000.p/17", "/tile/1/000.p/17"],
    ["/api/v2/tile/entries/x001/002.p/5", "/tile/entries/x001/002.p/5"],
  ],
  ctlog: [
    ["/checkpoint", "/checkpoint"],
    ["/tile/0/x001/234", "/tile/0/x001/234"],
    ["/tile/data/000.p/3", "/tile/data/000.p/3"],
    ["/issuer/5f3c9e0a", "/issuer/5f3c9e0a"],
  ],
};
const WRITES: { [K in TilesLogKind]: string[] } = {
  rekor: ["/api/v2/log/entries", "/healthz", "/api/v2/checkpointx", "/checkpoint"],
  ctlog: ["/ct/v1/add-chain", "/ct/v1/add-pre-chain", "/ct/v1/get-roots", "/healthz", "/checkpoints"],
};

describe.each<TilesLogKind>(["rekor", "ctlog"])("TilesFrontend %s: routing", (kind) => {
  const { json } = build(kind);
  const urlMap = only(json, "google_compute_url_map", (m) => m.name.endsWith("-url-map"));
  const bucket = only(json, "google_compute_backend_bucket");
  const http = only(json, "google_compute_backend_service", (s) => s.protocol === "HTTP");

  it("sends the log's read paths to the tile bucket, rewritten to the object names", () => {
    for (const [path, object] of READS[kind]) {
      expect(route(urlMap, path)).toEqual({ service: idOf(json, "google_compute_backend_bucket", bucket), path: object });
    }
  });

  it("sends writes, health checks and every other path to the log's pods", () => {
    for (const path of WRITES[kind]) expect(route(urlMap, path).service).toBe(idOf(json, "google_compute_backend_service", http));
    expect(urlMap.default_service).toBe(idOf(json, "google_compute_backend_service", http));
    expect(urlMap.host_rule).toEqual([{ hosts: [HOST], path_matcher: urlMap.path_matcher[0].name }]);
  });

  it("has one bucket route per read path of the kind, ahead of everything else", () => {
    const reads = urlMap.path_matcher[0].route_rules.filter((r: any) => r.service === idOf(json, "google_compute_backend_bucket", bucket));
    expect(reads).toHaveLength(TILES_LOGS[kind].reads.length);
    const others = urlMap.path_matcher[0].route_rules.filter((r: any) => r.service !== idOf(json, "google_compute_backend_bucket", bucket));
    for (const other of others) expect(Math.min(...reads.map((r: any) => r.priority))).toBeLessThan(other.priority);
  });
});

describe("TilesFrontend rekor: gRPC", () => {
  const { json } = build("rekor");
  const urlMap = only(json, "google_compute_url_map", (m) => m.name.endsWith("-url-map"));
  // Cleartext HTTP/2 to the pods: the rekor-tiles chart's gRPC port has no TLS by default.
  const grpc = only(json, "google_compute_backend_service", (s) => s.protocol === "H2C");

  it("routes the Rekor gRPC service to an HTTP/2 backend over the gRPC NEGs, checked over TCP", () => {
    expect(route(urlMap, "/dev.sigstore.rekor.v2.Rekor/CreateEntry").service).toBe(idOf(json, "google_compute_backend_service", grpc));
    expect(grpc.backend.map((b: any) => b.group)).toEqual(
      EAST.zones.map((zone) => `projects/sigstore-test/zones/${zone}/networkEndpointGroups/${published(json, "east", "grpc")}`),
    );
    const check = only(json, "google_compute_health_check", (c) => c.name.endsWith("-grpc-hc"));
    expect(check.tcp_health_check).toEqual({ port_specification: "USE_SERVING_PORT" });
    expect(grpc.health_checks).toEqual([idOf(json, "google_compute_health_check", check)]);
  });

  it("has no gRPC backend for TesseraCT", () => {
    const ct = build("ctlog").json;
    expect(bodiesOf(ct, "google_compute_backend_service").map((s) => s.protocol)).toEqual(["HTTP"]);
    expect(bodiesOf(ct, "google_compute_health_check")).toHaveLength(1);
  });
});

describe.each<TilesLogKind>(["rekor", "ctlog"])("TilesFrontend %s: reads from the bucket through the CDN", (kind) => {
  const { json } = build(kind);
  const bucket = only(json, "google_compute_backend_bucket");

  it("serves the published tile bucket with Cloud CDN honouring Tessera's Cache-Control, never caching a 404", () => {
    expect(bucket).toMatchObject({
      bucket_name: published(json, "east", "bucket"),
      enable_cdn: true,
      cdn_policy: { cache_mode: "USE_ORIGIN_HEADERS", request_coalescing: true, negative_caching: false },
    });
  });

  it("puts an edge policy with the configured IP rules in front of the bucket", () => {
    const edge = only(json, "google_compute_security_policy", (p) => p.type === "CLOUD_ARMOR_EDGE");
    expect(bucket.edge_security_policy).toBe(refTo(json, "google_compute_security_policy", edge, "self_link"));
    expect(edge.rule.map((r: any) => [r.priority, r.action])).toEqual([[100, "deny(403)"], [2147483647, "allow"]]);
  });
});

describe.each<TilesLogKind>(["rekor", "ctlog"])("TilesFrontend %s: writes to the pods behind Cloud Armor", (kind) => {
  const { json } = build(kind);
  const services = bodiesOf(json, "google_compute_backend_service");
  const armor = only(json, "google_compute_security_policy", (p) => p.type === "CLOUD_ARMOR");

  it("balances every backend service by rate over the published NEGs, with Cloud Armor and request logs", () => {
    expect(services.length).toBe(kind === "rekor" ? 2 : 1);
    for (const service of services) {
      expect(service).toMatchObject({
        load_balancing_scheme: "EXTERNAL_MANAGED",
        security_policy: refTo(json, "google_compute_security_policy", armor, "self_link"),
        log_config: { enable: true, sample_rate: 0.5 },
        connection_draining_timeout_sec: 15,
      });
      for (const backend of service.backend) {
        expect(backend).toMatchObject({ balancing_mode: "RATE", max_rate_per_endpoint: 100, capacity_scaler: 1 });
      }
    }
    const http = services.find((s) => s.protocol === "HTTP");
    expect(http.backend.map((b: any) => b.group)).toEqual(
      EAST.zones.map((zone) => `projects/sigstore-test/zones/${zone}/networkEndpointGroups/${published(json, "east", "http")}`),
    );
    const check = only(json, "google_compute_health_check", (c) => c.name.endsWith("-http-hc"));
    expect(check.http_health_check).toEqual({ port_specification: "USE_SERVING_PORT", request_path: "/healthz" });
  });

  it("applies the configured rules, a default rule and adaptive protection on the write path", () => {
    expect(armor.rule.map((r: any) => [r.priority, r.action])).toEqual([[100, "deny(403)"], [200, "throttle"], [2147483647, "allow"]]);
    expect(armor.adaptive_protection_config).toEqual({ layer_7_ddos_defense_config: { enable: true } });
  });

  it("takes the endpoint capacity from props", () => {
    const tuned = build(kind, { maxRatePerEndpoint: 20 }).json;
    for (const service of bodiesOf(tuned, "google_compute_backend_service")) {
      for (const backend of service.backend) expect(backend.max_rate_per_endpoint).toBe(20);
    }
  });
});

describe.each<TilesLogKind>(["rekor", "ctlog"])("TilesFrontend %s: writers in several regions", (kind) => {
  const { json } = build(kind, {}, true);
  const services = bodiesOf(json, "google_compute_backend_service");

  it("has one backend per region and zone, each the region's own NEG", () => {
    for (const service of services) {
      const negOf = (log: string) => published(json, log, service.protocol === "HTTP" ? "http" : "grpc");
      expect(service.backend.map((b: any) => b.group)).toEqual([
        ...EAST.zones.map((zone) => `projects/sigstore-test/zones/${zone}/networkEndpointGroups/${negOf("east")}`),
        ...WEST.zones.map((zone) => `projects/sigstore-test/zones/${zone}/networkEndpointGroups/${negOf("west")}`),
      ]);
      expect(service.backend).toHaveLength(5);
    }
  });

  it("checks that every regional stack serves the zones it routes to", () => {
    for (const service of services) {
      expect(service.lifecycle.precondition.map((p: any) => p.condition)).toEqual([
        `\${(0 == length(setsubtract(["us-east1-b", "us-east1-c", "us-east1-d"], ${published(json, "east", "zones").slice(2, -1)})))}`,
        `\${(0 == length(setsubtract(["europe-west1-b", "europe-west1-c"], ${published(json, "west", "zones").slice(2, -1)})))}`,
      ]);
      expect(service.lifecycle.precondition[1].error_message).toMatch(/deployed stack of europe-west1 does not serve every zone.*deploy that regional stack first/);
    }
  });

  it("still reads from the served log's bucket only", () => {
    expect(only(json, "google_compute_backend_bucket").bucket_name).toBe(published(json, "east", "bucket"));
  });
});

describe.each<TilesLogKind>(["rekor", "ctlog"])("TilesFrontend %s: TLS", (kind) => {
  const { json } = build(kind);
  const proxy = only(json, "google_compute_target_https_proxy");

  it("terminates TLS 1.2+ with a modern policy and a managed certificate for the host", () => {
    const policy = only(json, "google_compute_ssl_policy");
    expect(policy).toMatchObject({ profile: "MODERN", min_tls_version: "TLS_1_2" });
    expect(proxy.ssl_policy).toBe(idOf(json, "google_compute_ssl_policy", policy));
    const map = only(json, "google_certificate_manager_certificate_map");
    expect(proxy.certificate_map).toBe(`//certificatemanager.googleapis.com/${idOf(json, "google_certificate_manager_certificate_map", map)}`);
    expect(only(json, "google_certificate_manager_certificate").managed.domains).toEqual([HOST]);
    expect(only(json, "google_certificate_manager_certificate_map_entry").hostname).toBe(HOST);
    expect(only(json, "google_dns_record_set")).toMatchObject({ managed_zone: "example-zone", project: "sigstore-test" });
    const urlMap = only(json, "google_compute_url_map", (m) => m.name.endsWith("-url-map"));
    expect(proxy.url_map).toBe(idOf(json, "google_compute_url_map", urlMap));
  });

  it("listens on 443 with the load balancer's address and redirects port 80 to HTTPS", () => {
    const address = only(json, "google_compute_global_address");
    const rules = bodiesOf(json, "google_compute_global_forwarding_rule");
    expect(rules.map((r) => r.port_range).sort()).toEqual(["443", "80"]);
    for (const rule of rules) {
      expect(rule).toMatchObject({ ip_address: refTo(json, "google_compute_global_address", address, "address"), load_balancing_scheme: "EXTERNAL_MANAGED" });
    }
    expect(rules.find((r) => r.port_range === "443").target).toBe(idOf(json, "google_compute_target_https_proxy", proxy));
    const redirect = only(json, "google_compute_url_map", (m) => m.default_url_redirect !== undefined);
    expect(redirect.default_url_redirect).toMatchObject({ https_redirect: true });
    expect(json.resource.google_compute_managed_ssl_certificate).toBeUndefined();
  });
});

describe("TilesFrontend: across stacks", () => {
  it("reads the bucket and NEG names from the regional stack's state, never from the Compute or Storage API", () => {
    const app = testApp();
    const regional = new TerraformStack(app, "regional-us-east1");
    const global = new TerraformStack(app, "global");
    for (const stack of [regional, global]) new GoogleProvider(stack, "google", {});
    const log = new TilesLog(regional, "rekor-tiles", logProps({ kind: "rekor" }, EAST));
    new TilesFrontend(global, "rekor-tiles", {
      project: EAST.project, namePrefix: EAST.names.prefix, log: log.exported, host: HOST, managedZone: "z", cloudArmor: ARMOR, logging: LOGGING,
    });
    app.synth();
    const json = JSON.parse(readFileSync(join(app.outdir, "stacks/global/cdk.tf.json"), "utf8"));
    expect(Object.keys(json.data)).toEqual(["terraform_remote_state"]);
    const remote = /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-regional-us-east1\.outputs\.[^}]+\}$/;
    expect(only(json, "google_compute_backend_bucket").bucket_name).toMatch(remote);
    for (const service of bodiesOf(json, "google_compute_backend_service")) {
      for (const backend of service.backend) expect(backend.group.split("/networkEndpointGroups/")[1]).toMatch(remote);
    }
    expect(json.resource.terraform_data).toBeUndefined();
    expect(json.resource.google_storage_bucket).toBeUndefined();
  });
});

describe("TilesFrontend: names", () => {
  it("are valid, carry kind, shard and region, and never collide between logs", () => {
    const json = synthConstruct((scope) => {
      for (const [kind, context] of [["rekor", EAST], ["ctlog", EAST], ["rekor", WEST]] as const) {
        const id = `${kind}-${context.region}`;
        const log = new TilesLog(scope, id, logProps({ kind }, context));
        new TilesFrontend(scope, `${id}-frontend`, {
          project: EAST.project, namePrefix: EAST.names.prefix, log: log.exported, host: `${id}.example.com`, managedZone: "z", cloudArmor: ARMOR, logging: LOGGING,
        });
      }
    });
    const names = namesIn(json).filter(({ type }) => type.startsWith("google_compute") || type.startsWith("google_certificate"));
    expect(names.length).toBeGreaterThan(40);
    expect(new Set(names.map((n) => `${n.type}/${n.value}`)).size).toBe(names.length);
    for (const { value } of names) {
      expect(value).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
      expect(value).toMatch(/^sigstore-(rekor|ctlog)-tiles-2026-(use1|euw1)-/);
    }
  });
});

describe("TilesFrontend: bad props", () => {
  it("refuses writers of another kind and an empty writer list", () => {
    expect(() =>
      synthConstruct((scope) => {
        const rekor = new TilesLog(scope, "rekor", logProps({ kind: "rekor" }));
        const ct = new TilesLog(scope, "ct", logProps({ kind: "ctlog" }));
        new TilesFrontend(scope, "fe", {
          project: EAST.project, namePrefix: EAST.names.prefix, log: rekor.exported, writers: [rekor.exported, ct.exported], host: HOST, managedZone: "z", cloudArmor: ARMOR, logging: LOGGING,
        });
      }),
    ).toThrow(/a Rekor v2 host cannot send writes to a TesseraCT log/);
    expect(() => build("rekor", { writers: [] })).toThrow(/at least one log must take writes/);
  });

  it("refuses a writer without the NEG its kind needs", () => {
    expect(() =>
      synthConstruct((scope) => {
        const rekor = new TilesLog(scope, "rekor", logProps({ kind: "rekor" }));
        const broken = { ...rekor.exported, grpcNegName: undefined };
        new TilesFrontend(scope, "fe", {
          project: EAST.project, namePrefix: EAST.names.prefix, log: rekor.exported, writers: [broken], host: HOST, managedZone: "z", cloudArmor: ARMOR, logging: LOGGING,
        });
      }),
    ).toThrow(/Rekor v2 2026: 2026 in us-east1 publishes no grpc NEG/);
  });
});

describe("TilesReadRoute", () => {
  it("is either a full path or a template whose rewrite uses only its variables", () => {
    const routes: TilesReadRoute[] = [...TILES_LOGS.rekor.reads, ...TILES_LOGS.ctlog.reads];
    for (const r of routes) {
      expect(r.match.startsWith("/")).toBe(true);
      const vars = [...r.match.matchAll(/\{(\w+)(=\*\*)?\}/g)].map((m) => m[1]);
      for (const used of [...(r.rewrite ?? "").matchAll(/\{(\w+)\}/g)].map((m) => m[1])) expect(vars).toContain(used);
    }
  });
});
