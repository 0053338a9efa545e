// The front ends in a plain cdktf TerraformStack (not one of ours), given only
// their own props: NEG names and zones as plain values, no configuration.
import { TerraformStack, Testing } from "cdktf";
import type { Construct } from "constructs";
import { ServiceFrontend } from "../../lib/frontend/service-frontend";
import { BucketFrontend } from "../../lib/global/bucket-frontend";
import { CtLogFrontend } from "../../lib/global/ctlog-frontend";
import { GlobalFrontend } from "../../lib/global/global-frontend";
import { TilesFrontend } from "../../lib/global/tiles-frontend";
import { TILES_LOGS } from "../../lib/regional/tiles-log";
import { PUBLIC_SERVICES } from "../../lib/shared/services";
import { testApp } from "../helpers/construct";

const PROJECT = "acme-platform";
const ZONE = "acme-zone";
const east = { region: "us-east1", zones: ["us-east1-b", "us-east1-c"], servedZones: ["us-east1-b", "us-east1-c"] };

function plainStack(): TerraformStack {
  return new TerraformStack(testApp(), "plain");
}

const stack = plainStack();
new GlobalFrontend(stack, "fulcio", {
  project: PROJECT,
  service: PUBLIC_SERVICES.fulcio,
  host: "fulcio.acme.example",
  managedZone: ZONE,
  regions: [{ ...east, httpNegName: "my-fulcio-http", grpcNegName: "my-fulcio-grpc", ingressAddress: "203.0.113.1" }],
  maxRatePerEndpoint: 20,
});
new BucketFrontend(stack, "tuf", { project: PROJECT, namePrefix: "acme", service: PUBLIC_SERVICES.tuf, host: "tuf.acme.example", managedZone: ZONE, bucketName: "my-tuf-bucket" });
new CtLogFrontend(stack, "ctlog", {
  project: PROJECT,
  namePrefix: "acme",
  host: "ctfe.acme.example",
  managedZone: ZONE,
  logs: [{ ...east, prefix: "us-east1", httpNegName: "my-ctlog-http" }],
});
new TilesFrontend(stack, "rekor-tiles", {
  project: PROJECT,
  namePrefix: "acme",
  host: "log2026.rekor.acme.example",
  managedZone: ZONE,
  log: { ...east, spec: TILES_LOGS.rekor, shard: "2026", bucketName: "my-tiles", httpNegName: "my-rekor-tiles-http", grpcNegName: "my-rekor-tiles-grpc" },
});
new ServiceFrontend(stack, "tsa", {
  project: PROJECT,
  namePrefix: "acme",
  service: PUBLIC_SERVICES.tsa,
  host: "tsa.acme.example",
  managedZone: ZONE,
  namePart: "tsa-east",
  groups: [{ label: "east", region: "us-east1", zones: ["us-east1-b"], servedZones: ["us-east1-b"], negNames: { http: "my-tsa-http" } }],
  maxRatePerEndpoint: 10,
  cloudArmor: { defaultAction: "deny(403)", adaptiveProtection: false, rules: [] },
  logging: { loadBalancer: false, loadBalancerSampleRate: 1, healthChecks: false },
});
const json = JSON.parse(Testing.synth(stack));

const bodies = (type: string): any[] => Object.values(json.resource?.[type] ?? {});
const named = (type: string, name: string): any => {
  const found = bodies(type).find((b) => b.name === name);
  if (!found) throw new Error(`no ${type} named ${name}: ${bodies(type).map((b) => b.name).join(", ")}`);
  return found;
};

describe("front ends in a plain TerraformStack", () => {
  it("name their resources from the default prefix \"sigstore\" or the one given", () => {
    const maps = bodies("google_compute_url_map").map((m) => m.name).filter((n) => !n.endsWith("-http-redirect")).sort();
    expect(maps).toEqual(["acme-ctlog-url-map", "acme-rekor-tiles-2026-use1-url-map", "acme-tsa-east-url-map", "acme-tuf-url-map", "sigstore-fulcio-url-map"]);
  });

  it("route to the NEGs, buckets and zones given as plain values", () => {
    const fulcioHttp = named("google_compute_backend_service", "sigstore-fulcio-http-backend");
    expect(fulcioHttp.backend.map((b: any) => b.group)).toEqual([
      `projects/${PROJECT}/zones/us-east1-b/networkEndpointGroups/my-fulcio-http`,
      `projects/${PROJECT}/zones/us-east1-c/networkEndpointGroups/my-fulcio-http`,
    ]);
    expect(named("google_compute_backend_bucket", "acme-tuf-backend-bucket").bucket_name).toBe("my-tuf-bucket");
    expect(named("google_compute_backend_bucket", "acme-rekor-tiles-2026-use1-tiles").bucket_name).toBe("my-tiles");
    const ct = named("google_compute_url_map", "acme-ctlog-url-map");
    expect(ct.host_rule).toEqual([{ hosts: ["ctfe.acme.example"], path_matcher: "ctlog" }]);
    expect(ct.path_matcher[0].path_rule.map((r: any) => r.paths)).toEqual([["/us-east1/*"]]);
  });

  it("default to an allow policy with adaptive protection and full request logging, or take the ones given", () => {
    const fulcioArmor = named("google_compute_security_policy", "sigstore-fulcio-armor");
    expect(fulcioArmor.adaptive_protection_config.layer_7_ddos_defense_config.enable).toBe(true);
    expect(fulcioArmor.rule.map((r: any) => r.action)).toEqual(["allow"]);
    expect(named("google_compute_backend_service", "sigstore-fulcio-http-backend").log_config).toEqual({ enable: true, sample_rate: 1 });
    const tsaArmor = named("google_compute_security_policy", "acme-tsa-east-armor");
    expect(tsaArmor.rule.map((r: any) => r.action)).toEqual(["deny(403)"]);
    expect(named("google_compute_backend_service", "acme-tsa-east-http-backend").log_config.enable).toBe(false);
  });

  it("serve TLS 1.2+ with a DNS-authorized certificate in the given zone", () => {
    for (const policy of bodies("google_compute_ssl_policy")) expect(policy.min_tls_version).toBe("TLS_1_2");
    const records = bodies("google_dns_record_set");
    expect(records.length).toBeGreaterThanOrEqual(5);
    for (const r of records) expect(r.managed_zone).toBe(ZONE);
  });
});

describe("front end props errors name the construct path", () => {
  const fulcio = { project: PROJECT, service: PUBLIC_SERVICES.fulcio, host: "fulcio.acme.example", managedZone: ZONE, maxRatePerEndpoint: 20 };
  const regions = [{ ...east, httpNegName: "n", grpcNegName: "g", ingressAddress: "203.0.113.1" }];
  it.each([
    ["a host with a scheme", (s: Construct) => new GlobalFrontend(s, "fe", { ...fulcio, regions, host: "https://fulcio.acme.example" }), /GlobalFrontend host "https:\/\/fulcio.acme.example" must be a host name.*\(plain\/fe\)/],
    ["a bad managed zone", (s: Construct) => new BucketFrontend(s, "fe", { project: PROJECT, service: PUBLIC_SERVICES.tuf, host: "tuf.acme.example", managedZone: "Acme Zone", bucketName: "b" }), /BucketFrontend managedZone "Acme Zone".*\(plain\/fe\)/],
    ["a bad project", (s: Construct) => new GlobalFrontend(s, "fe", { ...fulcio, regions, project: "x" }), /GlobalFrontend project: "x" is not a valid GCP project id.*\(plain\/fe\)/],
    ["a bad prefix", (s: Construct) => new CtLogFrontend(s, "fe", { project: PROJECT, namePrefix: "ACME", host: "ct.acme.example", managedZone: ZONE, logs: [] }), /CtLogFrontend namePrefix "ACME".*\(plain\/fe\)/],
    ["no region", (s: Construct) => new GlobalFrontend(s, "fe", { ...fulcio, regions: [] }), /plain\/fe: at least one region must provide backends for fulcio/],
  ])("rejects %s", (_what, make, message) => {
    expect(() => make(plainStack())).toThrow(message);
  });
});
