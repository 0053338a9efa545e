// One test per row of docs/apply-time-hazards.md: each asserts the property of
// the synthesized JSON that keeps a real plan or apply from failing. Expected
// values are Google's (bucket names, role names, API values), not the code's.
import { parseConfig } from "../lib/config/load";
import { allResources, exampleConfig, midMigrationConfig, resources, StackJson, synthDeployment, withConfig } from "./helpers/synth";

const exampleParsed = exampleConfig();
const example = synthDeployment(exampleParsed).stacks;
// One region, every switch the example leaves off turned on.
const switchedOn = synthDeployment(
  parseConfig(
    withConfig((c) => {
      c.regions = [c.regions[0]];
      c.project.orgPolicyExemption = true;
      c.monitoring = { serviceAlerts: true };
      c.features = { rekorTiles: true };
    }),
  ),
).stacks;
const regionalIds = (stacks: Record<string, StackJson>) => Object.keys(stacks).filter((id) => id.startsWith("regional-"));
const primaryId = `regional-${exampleParsed.primaryRegion ?? exampleParsed.regions[0].region}`;
const bodies = (stack: StackJson, type: string) => Object.values(resources(stack, type));
/** `type.id` of the resource whose body is `body`, as Terraform's depends_on names it. */
const addressOf = (stack: StackJson, type: string, body: any) => `${type}.${Object.entries(resources(stack, type)).find(([, b]) => b === body)![0]}`;

describe("1. the JWKS merger's build", () => {
  const global = example.global;
  const fn = bodies(global, "google_cloudfunctions2_function")[0];
  const grants = bodies(global, "google_project_iam_member");
  const builder = `serviceAccount:${fn.build_config.service_account.replace(/\.id\}$/, ".email}")}`;

  it("may read the Cloud Functions sources bucket of its region, and only that bucket", () => {
    const bucket = `gcf-v2-sources-${exampleParsed.project.number}-${exampleParsed.regions[0].region}`;
    const read = grants.filter((g) => g.role === "roles/storage.objectViewer");
    expect(read).toEqual([
      expect.objectContaining({ member: builder, condition: expect.objectContaining({ expression: `resource.name == "projects/_/buckets/${bucket}" || resource.name.startsWith("projects/_/buckets/${bucket}/")` }) }),
    ]);
  });

  it("waits for every grant the build and the trigger need", () => {
    const needed = [
      ...grants.filter((g) => ["roles/storage.objectViewer", "roles/logging.logWriter", "roles/pubsub.publisher", "roles/eventarc.eventReceiver"].includes(g.role)).map((g) => addressOf(global, "google_project_iam_member", g)),
      ...bodies(global, "google_artifact_registry_repository_iam_member").map((g) => addressOf(global, "google_artifact_registry_repository_iam_member", g)),
    ];
    expect(needed).toHaveLength(5);
    expect(fn.depends_on).toEqual(expect.arrayContaining(needed));
  });
});

describe("2. the Cloud Storage service agent", () => {
  it("is read from data.google_storage_project_service_account (which creates it), never assembled from the project number", () => {
    const global = example.global;
    const [id] = Object.keys(global.data?.google_storage_project_service_account ?? {});
    expect(id).toBeDefined();
    const publisher = bodies(global, "google_project_iam_member").find((g) => g.role === "roles/pubsub.publisher");
    expect(publisher.member).toBe(`\${data.google_storage_project_service_account.${id}.member}`);
    expect(JSON.stringify(global)).not.toContain("gs-project-accounts.iam.gserviceaccount.com");
  });
});

describe("3. the shipped example", () => {
  it("starts every public record in the regional phase: nothing for the global stack to import", () => {
    // Rekor v1 runs in one region, the primary in the example, so the primary answers for it too.
    expect(`regional-${exampleParsed.services.rekor.region}`).toBe(primaryId);
    const regional = ["fulcio", "tsa", "dex", "rekor"] as const;
    for (const id of regional) expect([id, exampleParsed.services[id].dns.owner]).toEqual([id, "regional"]);
    for (const stack of Object.values(example)) expect(stack.import ?? []).toEqual([]);
    const aRecords = (stack: StackJson) => bodies(stack, "google_dns_record_set").filter((r) => r.type === "A").map((r) => r.name);
    const hosts = regional.map((id) => `${exampleParsed.services[id].subdomain}.${exampleParsed.dns.domain}`);
    expect(aRecords(example[primaryId]).sort()).toEqual([...hosts].sort());
    expect(aRecords(example.global).filter((n) => hosts.includes(n))).toEqual([]);
  });

  it("names no notification channel that would have to exist before the deploy", () => {
    expect(exampleParsed.monitoring.notificationChannels).toEqual([]);
  });

  it("keeps the mid-migration state as a second configuration, the same deployment half-way through the hand-off", () => {
    const config = midMigrationConfig();
    expect([config.services.fulcio.dns.owner, config.services.tsa.dns.owner, config.services.tsa.dns.globalWeight]).toEqual(["global", "global", 0.25]);
    expect(config.regions).toEqual(exampleParsed.regions);
  });
});

describe("4. GKE vulnerability scanning", () => {
  it("asks for no deprecated workload vulnerability tier", () => {
    for (const id of regionalIds(example)) {
      const cluster = bodies(example[id], "google_container_cluster")[0];
      expect([id, cluster.security_posture_config]).toEqual([id, { mode: "BASIC", vulnerability_mode: "VULNERABILITY_DISABLED" }]);
    }
  });
});

describe("5. alert policies on log-based metrics created in the same apply", () => {
  const usesLogMetric = (policy: any) => JSON.stringify(policy.conditions).includes("logging.googleapis.com/user/");
  for (const id of ["global", primaryId]) {
    it(`wait for the metrics to become usable (${id})`, () => {
      const stack = example[id];
      const sleeps = resources(stack, "time_sleep");
      const metricIds = Object.keys(resources(stack, "google_logging_metric"));
      expect(metricIds.length).toBeGreaterThan(0);
      // A sleep of ten minutes that restarts when a metric is replaced.
      const [sleepId, sleep] = Object.entries(sleeps).find(([, s]) => metricIds.every((m) => JSON.stringify(s.triggers).includes(`google_logging_metric.${m}.id`)))!;
      expect(Number(sleep.create_duration.replace("s", ""))).toBeGreaterThanOrEqual(600);
      const policies = bodies(stack, "google_monitoring_alert_policy").filter(usesLogMetric);
      expect(policies.length).toBeGreaterThan(0);
      for (const p of policies) expect(p.depends_on).toContain(`time_sleep.${sleepId}`);
      expect(stack.terraform.required_providers.time).toEqual({ source: "hashicorp/time", version: "~> 0.13" });
    });
  }
});

describe("6. alerts on a fresh deployment", () => {
  // What a service answers: uptime, SLO burn, served certificate, merged Dex keys.
  const watchesServing = (p: any) =>
    /uptime_check\/check_passed|select_slo_burn_rate|time_until_ssl_cert_expires/.test(JSON.stringify(p.conditions)) || p.conditions.some((c: any) => c.condition_absent);
  const policies = (stacks: Record<string, StackJson>) => Object.values(stacks).flatMap((s) => bodies(s, "google_monitoring_alert_policy"));

  it("keep every uptime, SLO, certificate and Dex-key alert disabled until monitoring.serviceAlerts is on", () => {
    const serving = policies(example).filter(watchesServing);
    expect(serving.length).toBeGreaterThanOrEqual(3 * 3 * 2 + 3 + 1 + 1);
    for (const p of serving) expect([p.display_name, p.enabled]).toEqual([p.display_name, false]);
    // Infrastructure alerts watch what exists as soon as the apply ends.
    for (const p of policies(example).filter((p) => !watchesServing(p))) expect([p.display_name, p.enabled]).toEqual([p.display_name, undefined]);
  });

  it("enable them once the switch is on", () => {
    expect(policies(switchedOn).filter(watchesServing).length).toBeGreaterThanOrEqual(3 * 2 + 3 + 1 + 1);
    for (const p of policies(switchedOn)) expect([p.display_name, p.enabled === false]).toEqual([p.display_name, false]);
  });
});

describe("7. the merger's image repository", () => {
  it("deletes old images and keeps the newest, KEEP winning over DELETE", () => {
    const repo = bodies(example.global, "google_artifact_registry_repository")[0];
    expect(repo.cleanup_policy_dry_run).toBe(false);
    const byAction = Object.fromEntries(repo.cleanup_policies.map((p: any) => [p.action, p]));
    expect(byAction.DELETE.condition).toEqual(expect.objectContaining({ tag_state: "ANY" }));
    expect(byAction.DELETE.condition.older_than).toMatch(/^\d+s$/);
    expect(byAction.KEEP.most_recent_versions.keep_count).toBeGreaterThanOrEqual(1);
  });
});

describe("8. gRPC backends", () => {
  it("speak cleartext HTTP/2 (H2C) to pods whose gRPC port has no TLS, as the pinned charts serve it", () => {
    const global = example.global;
    const grpc = bodies(global, "google_compute_backend_service").filter((s) => /-grpc-backend$/.test(s.name));
    expect(grpc.map((s) => s.name)).toContain("sigstore-fulcio-grpc-backend");
    for (const s of grpc) expect([s.name, s.protocol]).toEqual([s.name, "H2C"]);
    expect(JSON.stringify(global)).not.toContain('"protocol":"HTTP2"');
  });
});

describe("9. public buckets under organisation policies", () => {
  const exempted = switchedOn["regional-us-east1"];

  it("are not exempted behind anyone's back: no organisation policy unless asked", () => {
    for (const stack of Object.values(example)) expect(resources(stack, "google_org_policy_policy")).toEqual({});
  });

  it("with orgPolicyExemption, lift both constraints for this project only, and every allUsers grant waits for them to propagate", () => {
    const policies = bodies(exempted, "google_org_policy_policy");
    expect(policies.map((p) => [p.name, p.parent, p.spec.rules]).sort()).toEqual([
      ["projects/sigstore-test/policies/iam.allowedPolicyMemberDomains", "projects/sigstore-test", [{ allow_all: "TRUE" }]],
      ["projects/sigstore-test/policies/storage.publicAccessPrevention", "projects/sigstore-test", [{ enforce: "FALSE" }]],
    ]);
    const [sleepId, sleep] = Object.entries(resources(exempted, "time_sleep")).find(([, s]) => JSON.stringify(s.triggers).includes("google_org_policy_policy"))!;
    expect(sleep.create_duration).toBe("120s");
    const publicGrants = bodies(exempted, "google_storage_bucket_iam_member").filter((g) => g.member === "allUsers");
    expect(publicGrants.length).toBeGreaterThan(0);
    for (const g of publicGrants) expect(g.depends_on).toContain(`time_sleep.${sleepId}`);
    expect(bodies(exempted, "google_project_service").map((s) => s.service)).toContain("orgpolicy.googleapis.com");
  });
});

describe("10. reaching the control planes", () => {
  for (const id of regionalIds(example)) {
    it(`uses the IAM-authorized DNS endpoint for the Kubernetes and Helm providers, no network allow-list (${id})`, () => {
      const stack = example[id];
      const [clusterId, cluster] = Object.entries(resources(stack, "google_container_cluster"))[0];
      expect(cluster.control_plane_endpoints_config).toEqual({ dns_endpoint_config: { allow_external_traffic: true } });
      expect(cluster.master_authorized_networks_config.cidr_blocks).toEqual([]);
      expect(cluster.private_cluster_config.enable_private_endpoint).toBe(true);
      const host = `https://\${google_container_cluster.${clusterId}.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint}`;
      const k8s = stack.provider.kubernetes[0];
      expect(k8s).toEqual({ host, token: expect.stringMatching(/^\$\{data\.google_client_config\.[^.]+\.access_token\}$/) });
      expect(stack.provider.helm[0].kubernetes).toEqual(k8s);
    });
  }
});

describe("every stack", () => {
  it("keeps the time provider out of stacks that do not sleep", () => {
    for (const [id, stack] of Object.entries(example)) {
      expect([id, "time" in (stack.terraform.required_providers ?? {})]).toEqual([id, Object.keys(resources(stack, "time_sleep")).length > 0]);
    }
    expect(allResources(example.global).length).toBeGreaterThan(0);
  });
});
