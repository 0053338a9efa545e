import { parseConfig } from "../../lib/config/load";
import { regionCode } from "../../lib/shared/names";
import { baseConfig, resources, StackJson, synthDeployment, withConfig } from "../helpers/synth";

// Two deployments cover every kind of A record owner: regional (new, and
// adopting), global (adopting, and new), weighted, and a tiles host.
const first = parseConfig(
  withConfig((c) => {
    c.services = { fulcio: { dns: { owner: "regional" } }, tsa: { dns: { owner: "global" } }, dex: { dns: { owner: "global", globalWeight: 0.25 } } };
    c.features = { rekorTiles: true };
  }),
);
const second = parseConfig(
  withConfig((c) => {
    c.services = { fulcio: { dns: { owner: "regional", adoptExisting: true } }, tsa: { dns: { owner: "global", adoptExisting: false } } };
  }),
);
const A = synthDeployment(first).stacks;
const B = synthDeployment(second).stacks;

const PROJECT = "sigstore-test";
const PRIMARY = "regional-us-east1";
const HOST = { fulcio: "fulcio.sigstore.test.example", tsa: "timestamp.sigstore.test.example", dex: "oauth2.sigstore.test.example", rekor: "rekor.sigstore.test.example" };
const SERVICES = ["fulcio", "tsa", "dex"] as const;
const REGIONS = baseConfig().regions.map((r) => [r.region, r.zones] as const);

const ref = (type: string, id: string, attribute = "id") => `\${${type}.${id}.${attribute}}`;

function byName(stack: StackJson, type: string, name: string): [string, any] {
  const found = Object.entries(resources(stack, type)).filter(([, r]) => r.name === name);
  expect(found.map(([id]) => id)).toHaveLength(1);
  return found[0];
}

describe.each(REGIONS)("the front end of region %s", (region, zones) => {
  const stack = A[`regional-${region}`];
  const code = regionCode(region);

  describe.each(SERVICES)("for %s", (service) => {
    const part = `sigstore-${service}-${code}`;
    const [, httpsRule] = byName(stack, "google_compute_global_forwarding_rule", `${part}-https-rule`);
    const [, httpRule] = byName(stack, "google_compute_global_forwarding_rule", `${part}-http-rule`);

    it("answers on the region's reserved ingress address, :443 and :80, as an external Application Load Balancer", () => {
      const address = ref("google_compute_global_address", `${service}_ingress_address`, "address");
      expect(resources(stack, "google_compute_global_address")[`${service}_ingress_address`].name).toBe(`sigstore-${service}-${region}-ingress`);
      expect(httpsRule).toMatchObject({ ip_address: address, port_range: "443", ip_protocol: "TCP", load_balancing_scheme: "EXTERNAL_MANAGED" });
      expect(httpRule).toMatchObject({ ip_address: address, port_range: "80", load_balancing_scheme: "EXTERNAL_MANAGED" });
    });

    it("redirects :80 to HTTPS", () => {
      const [proxyId] = byName(stack, "google_compute_target_http_proxy", `${part}-http-proxy`);
      expect(httpRule.target).toBe(ref("google_compute_target_http_proxy", proxyId));
      const [mapId, map] = byName(stack, "google_compute_url_map", `${part}-http-redirect`);
      expect(resources(stack, "google_compute_target_http_proxy")[proxyId].url_map).toBe(ref("google_compute_url_map", mapId));
      expect(map.default_url_redirect).toMatchObject({ https_redirect: true });
      expect(map.default_service).toBeUndefined();
    });

    it("serves TLS 1.2 or newer with the host's regional certificate", () => {
      const [proxyId, proxy] = byName(stack, "google_compute_target_https_proxy", `${part}-https-proxy`);
      expect(httpsRule.target).toBe(ref("google_compute_target_https_proxy", proxyId));
      const [policyId, policy] = byName(stack, "google_compute_ssl_policy", `${part}-ssl-policy`);
      expect(proxy.ssl_policy).toBe(ref("google_compute_ssl_policy", policyId));
      expect(policy).toMatchObject({ min_tls_version: "TLS_1_2", profile: "MODERN" });

      const [mapId] = byName(stack, "google_certificate_manager_certificate_map", `${part}-cert-map`);
      expect(proxy.certificate_map).toBe(`//certificatemanager.googleapis.com/${ref("google_certificate_manager_certificate_map", mapId)}`);
      const [, entry] = byName(stack, "google_certificate_manager_certificate_map_entry", `${part}-cert-map-entry`);
      expect(entry.map).toBe(ref("google_certificate_manager_certificate_map", mapId, "name"));
      expect(entry.hostname).toBe(HOST[service]);
      // Issued once, by the primary region; the others read it from the primary's state.
      const certificate = `${service}_regional_tls_certificate`;
      expect(entry.certificates).toEqual([
        region === "us-east1"
          ? ref("google_certificate_manager_certificate", certificate)
          : `\${data.terraform_remote_state.cross_stack_reference_input_regional_us_east1.outputs.cross_stack_output_google_certificate_manager_certificate_${certificate}_id}`,
      ]);
    });

    it("routes to exactly this region's NEGs, one backend per zone, behind Cloud Armor", () => {
      const [armorId] = byName(stack, "google_compute_security_policy", `${part}-armor`);
      const protocols = service === "fulcio" ? ["http", "grpc"] : ["http"];
      for (const protocol of protocols) {
        const [, backend] = byName(stack, "google_compute_backend_service", `${part}-${protocol}-backend`);
        // These configurations set no certificate chains, so Fulcio and the TSA are not installed yet: their
        // NEGs do not exist and their front ends have no backends (with chains: __tests__/regional/workloads.test.ts).
        const served = service === "dex";
        expect((backend.backend ?? []).map((b: any) => b.group)).toEqual(
          served ? zones.map((zone) => `projects/${PROJECT}/zones/${zone}/networkEndpointGroups/${ref("terraform_data", `${service}_negs`, `output.${protocol}`)}`) : [],
        );
        expect((backend.backend ?? []).every((b: any) => b.balancing_mode === "RATE")).toBe(true);
        expect(backend).toMatchObject({ load_balancing_scheme: "EXTERNAL_MANAGED", security_policy: ref("google_compute_security_policy", armorId, "self_link") });
      }
      const [, map] = byName(stack, "google_compute_url_map", `${part}-url-map`);
      expect(map.host_rule).toEqual([{ hosts: [HOST[service]], path_matcher: service }]);
    });
  });

  // Rekor v1 runs in one region, here the primary (its default): that region
  // issues its certificate too. (Placed elsewhere, its own region issues it:
  // __tests__/shared/services-registry.test.ts.)
  it("issues the regional certificates only in the primary region, authorized by a per-project CNAME", () => {
    const authorizations = Object.values(resources(stack, "google_certificate_manager_dns_authorization"));
    const certificates = Object.values(resources(stack, "google_certificate_manager_certificate"));
    if (region !== "us-east1") {
      expect([authorizations, certificates]).toEqual([[], []]);
      return;
    }
    const issued = [...SERVICES, "rekor"] as const;
    const hosts = issued.map((s) => HOST[s]).sort();
    expect(authorizations.map((a) => [a.domain, a.type]).sort()).toEqual(hosts.map((h) => [h, "PER_PROJECT_RECORD"]));
    expect(certificates.map((c) => c.managed.domains).sort()).toEqual(hosts.map((h) => [h]));
    for (const service of issued) {
      const cname = resources(stack, "google_dns_record_set")[`${service}_regional_tls_dns_authorization_record`];
      expect(cname.rrdatas).toEqual([ref("google_certificate_manager_dns_authorization", `${service}_regional_tls_dns_authorization`, "dns_resource_record[0].data")]);
    }
  });
});

describe("front ends across stacks", () => {
  it("the global stack's certificates use the fixed-record authorization, so its CNAMEs never collide with the regional ones", () => {
    const types = Object.values(resources(A.global, "google_certificate_manager_dns_authorization")).map((a) => a.type);
    expect(types.length).toBeGreaterThan(0);
    expect(types.every((t) => t === undefined || t === "FIXED_RECORD")).toBe(true);
  });

  it("no two stacks create a global load-balancing or certificate resource of the same name", () => {
    const types = [
      "google_compute_global_address", "google_compute_global_forwarding_rule", "google_compute_target_https_proxy",
      "google_compute_target_http_proxy", "google_compute_url_map", "google_compute_backend_service", "google_compute_health_check",
      "google_compute_security_policy", "google_compute_ssl_policy", "google_certificate_manager_certificate",
      "google_certificate_manager_certificate_map", "google_certificate_manager_certificate_map_entry",
      "google_certificate_manager_dns_authorization",
    ];
    const seen = new Map<string, string>();
    for (const [stackId, stack] of Object.entries(A)) {
      for (const type of types) {
        for (const r of Object.values(resources(stack, type))) {
          const key = `${type} ${r.name}`;
          expect([key, seen.get(key)]).toEqual([key, undefined]);
          seen.set(key, stackId);
        }
      }
    }
  });

  it("every backend service of every stack has a Cloud Armor policy", () => {
    for (const stack of [...Object.values(A), ...Object.values(B)]) {
      for (const [id, backend] of Object.entries(resources(stack, "google_compute_backend_service"))) {
        expect([id, backend.security_policy]).toEqual([id, expect.stringMatching(/^\$\{google_compute_security_policy\.[a-z0-9_]+\.self_link\}$/)]);
      }
    }
  });
});

/** Every A record of every stack, with the stack. */
function aRecords(stacks: Record<string, StackJson>): [string, string, any][] {
  return Object.entries(stacks).flatMap(([stackId, stack]) =>
    Object.entries(resources(stack, "google_dns_record_set"))
      .filter(([, r]) => r.type === "A")
      .map(([id, r]) => [stackId, id, r] as [string, string, any]),
  );
}

function addressesOf(record: any): string[] {
  return record.rrdatas ?? record.routing_policy.wrr.flatMap((w: any) => w.rrdatas);
}

describe("A records", () => {
  const all = [
    ...aRecords(A).map(([s, id, r]) => [`A ${s} ${id}`, s, r, A] as const),
    ...aRecords(B).map(([s, id, r]) => [`B ${s} ${id}`, s, r, B] as const),
  ];

  it("cover every kind of owner in these deployments", () => {
    expect(all.map(([name]) => name).sort()).toEqual(
      [
        `A ${PRIMARY} fulcio_a_record`, "A global tsa_a_record", "A global dex_a_record", "A global rekor_tiles_a_record",
        `B ${PRIMARY} fulcio_a_record`, `B ${PRIMARY} dex_a_record`, "B global tsa_a_record",
        // Rekor v1 in its one region (the primary here), in the regional phase.
        `A ${PRIMARY} rekor_a_record`, `B ${PRIMARY} rekor_a_record`,
        // Hosts only the global stack ever served: the TUF repository and the CT log.
        "A global tuf_a_record", "A global ctlog_a_record", "B global tuf_a_record", "B global ctlog_a_record",
      ].sort(),
    );
  });

  it.each(all)("%s only holds addresses read from a :443 forwarding rule it depends on (or another stack publishes from one)", (_name, stackId, record, stacks) => {
    for (const address of addressesOf(record)) {
      const local = /^\$\{(google_compute_global_forwarding_rule\.[a-z0-9_]+)\.ip_address\}$/.exec(address);
      if (local) {
        expect(record.depends_on).toContain(local[1]);
        continue;
      }
      const remote = /^\$\{data\.terraform_remote_state\.cross_stack_reference_input_([a-z0-9_]+)\.outputs\.([a-z0-9_]+)\}$/.exec(address);
      expect([address, remote]).toEqual([address, expect.anything()]);
      const source = Object.keys(stacks).find((id) => id.replace(/-/g, "_") === remote![1])!;
      expect(stacks[source].output?.[remote![2]].value).toMatch(/^\$\{google_compute_global_forwarding_rule\.[a-z0-9_]+_https_forwarding_rule\.ip_address\}$/);
      expect(source).not.toBe(stackId);
    }
  });
});

function recordOf(stacks: Record<string, StackJson>, stack: string, service: string): any {
  return resources(stacks[stack], "google_dns_record_set")[`${service}_a_record`];
}

function guardOf(stacks: Record<string, StackJson>, stack: string, service: string): any {
  return resources(stacks[stack], "terraform_data")[`${service}_a_record_no_overwrite`];
}

const preconditionOn = (certificateId: string) => `\${("ACTIVE" == google_certificate_manager_certificate.${certificateId}.managed[0].state)}`;

describe("A records moving to the global address wait for the certificate", () => {
  it.each([
    ["adopting", A, "tsa"],
    ["weighted", A, "dex"],
    ["new", B, "tsa"],
    ["new host (TUF)", A, "tuf"],
    ["new host (CT log)", A, "ctlog"],
    ["new host (Rekor v2 tiles)", A, "rekor_tiles"],
  ] as const)("global, %s: a precondition that the global certificate is ACTIVE", (_kind, stacks, service) => {
    const record = recordOf(stacks, "global", service);
    expect(record.lifecycle.precondition.map((p: any) => p.condition)).toEqual([preconditionOn(`${service}_tls_certificate`)]);
    expect(record.lifecycle.precondition[0].error_message).toContain("must not point at a front end before its certificate is ACTIVE");
    expect(record.depends_on).toContain(`google_compute_global_forwarding_rule.${service}_https_forwarding_rule`);
  });

  it("regional, adopting a live record: a precondition that the regional certificate is ACTIVE", () => {
    const record = recordOf(B, PRIMARY, "fulcio");
    expect(record.lifecycle.precondition.map((p: any) => p.condition)).toEqual([preconditionOn("fulcio_regional_tls_certificate")]);
  });

  it("regional, created new: no certificate precondition (no traffic to break), but the forwarding rule", () => {
    const record = recordOf(A, PRIMARY, "fulcio");
    expect(record.lifecycle).toBeUndefined();
    expect(record.depends_on).toContain("google_compute_global_forwarding_rule.fulcio_frontend_https_forwarding_rule");
  });
});

describe("an owner that does not adopt cannot overwrite an existing record", () => {
  it.each([
    ["regional", A, PRIMARY, "fulcio", "fulcio_frontend_https_forwarding_rule", "fulcio.sigstore.test.example."],
    ["global", B, "global", "tsa", "tsa_https_forwarding_rule", "timestamp.sigstore.test.example."],
    ["global, TUF", A, "global", "tuf", "tuf_https_forwarding_rule", "tuf.sigstore.test.example."],
    ["global, CT log", A, "global", "ctlog", "ctlog_https_forwarding_rule", "ctfe.sigstore.test.example."],
    ["global, Rekor v2 tiles", A, "global", "rekor_tiles", "rekor_tiles_https_forwarding_rule", "rekor-1.sigstore.test.example."],
  ] as const)("%s owner creating the record: it depends on a guard that asks Cloud DNS first", (_kind, stacks, stack, service, rule, fqdn) => {
    const guard = guardOf(stacks, stack, service);
    expect(recordOf(stacks, stack, service).depends_on).toContain(`terraform_data.${service}_a_record_no_overwrite`);
    const exec = guard.provisioner[0]["local-exec"];
    expect(exec.command).toContain('gcloud dns record-sets list --project="$PROJECT" --zone="$ZONE" --name="$NAME" --type=A --format=json');
    expect(exec.environment).toMatchObject({ PROJECT, ZONE: "test-zone", NAME: fqdn, WANT: `\${jsonencode([[google_compute_global_forwarding_rule.${rule}.ip_address, 1]])}` });
    expect(guard.triggers_replace).toEqual({ project: PROJECT, zone: "test-zone", name: fqdn });
  });

  it("a host only the global stack ever served is created, never adopted, and no regional stack has a record of it to release", () => {
    for (const service of ["tuf", "ctlog", "rekor_tiles"]) {
      const address = `google_dns_record_set.${service}_a_record`;
      for (const stacks of [A, B]) {
        expect((stacks.global.import ?? []).map((i) => i.to)).not.toContain(address);
        for (const [id, stack] of Object.entries(stacks)) {
          if (id !== "global") expect([id, resources(stack, "google_dns_record_set")[`${service}_a_record`]]).toEqual([id, undefined]);
        }
      }
      // TUF is a registry service: every stack but the owner releases its address, as for any
      // service (a no-op without history). The tiles and CT log hosts are not in the registry.
      if (service === "tuf") continue;
      for (const id of Object.keys(A).filter((s) => s !== "global")) {
        expect((A[id].removed ?? []).map((r) => r.from)).not.toContain(address);
      }
    }
  });

  it("an adopting owner has no guard (the import block takes the record over, visibly in the plan)", () => {
    expect(guardOf(A, "global", "tsa")).toBeUndefined();
    expect(guardOf(B, PRIMARY, "fulcio")).toBeUndefined();
    expect(A.global.import?.map((i) => i.to)).toContain("google_dns_record_set.tsa_a_record");
  });
});
