import { fullConfig, StackJson, synthDeployment } from "./helpers/synth";
import { REVIEWED_PROJECT_ROLES } from "./helpers/roles";

type Found = { stack: string; type: string; id: string; body: any };

function walk(stacks: Record<string, StackJson>, filter: (type: string) => boolean): Found[] {
  return Object.entries(stacks).flatMap(([stack, json]) =>
    Object.entries(json.resource ?? {})
      .filter(([type]) => filter(type))
      .flatMap(([type, byId]) => Object.entries(byId).map(([id, body]) => ({ stack, type, id, body }))),
  );
}

describe.each(["kms", "privateca"] as const)("security of the whole deployment (Fulcio CA: %s)", (ca) => {
  const { stacks } = synthDeployment(fullConfig(ca));
  const all = walk(stacks, () => true);
  const of = (type: string) => all.filter((r) => r.type === type);
  const where = (r: Found) => `${r.stack}/${r.type}.${r.id}`;

  it("covers a footprint large enough for the walks to mean something", () => {
    expect(all.length).toBeGreaterThan(600);
    // Every type a check below walks: a walk over nothing would pass.
    for (const type of [
      "google_storage_bucket", "google_storage_bucket_iam_member", "google_kms_crypto_key", "google_kms_key_ring", "google_kms_crypto_key_iam_member",
      "google_sql_database_instance", "google_sql_user", "google_spanner_database", "google_spanner_instance", "google_container_cluster",
      "google_compute_instance", "google_compute_firewall", "google_compute_backend_service", "google_compute_backend_bucket",
      "google_compute_ssl_policy", "google_compute_target_https_proxy", "google_project_iam_member", "google_service_account_iam_member",
    ]) {
      expect([type, of(type).length > 0]).toEqual([type, true]);
    }
  });

  it("never creates a service account key, and never sets IAM authoritatively", () => {
    expect(all.filter((r) => r.type === "google_service_account_key").map(where)).toEqual([]);
    expect(all.filter((r) => /_iam_(policy|binding)$/.test(r.type)).map(where)).toEqual([]);
  });

  it("grants project-level roles only where the role exists only at project level, or an operator named it", () => {
    // A condition naming one bucket scopes a grant to it (for a bucket the service creates later).
    const bucketScoped = (r: any) => /^resource\.name == "projects\/_\/buckets\/([a-z0-9._-]+)" \|\| resource\.name\.startsWith\("projects\/_\/buckets\/\1\/"\)$/.test(r.body.condition?.expression ?? "");
    const bad = of("google_project_iam_member").filter((r) => !REVIEWED_PROJECT_ROLES.has(r.body.role) && !/^project_role_/.test(r.id) && !bucketScoped(r));
    expect(bad.map((r) => `${where(r)} ${r.body.role}`)).toEqual([]);
    expect(of("google_project_iam_member").filter((r) => /^roles\/(owner|editor)$/.test(r.body.role))).toEqual([]);
    // The one operator-chosen binding is the one in the configuration.
    expect(of("google_project_iam_member").filter((r) => /^project_role_/.test(r.id)).map((r) => [r.body.role, r.body.member])).toEqual([["roles/viewer", "group:auditors@example.com"]]);
  });

  it("makes public only what must be public: transparency-log tiles and the published Dex key set (TUF is read by the load balancer)", () => {
    const publicGrants = all.filter((r) => r.type.endsWith("_iam_member") && /^all(Authenticated)?Users$/.test(r.body.member));
    // One reader grant per public bucket: the two tiles logs' buckets and the published Dex key set.
    expect(publicGrants.length).toBe(3);
    for (const g of publicGrants) {
      expect([where(g), g.type, g.body.role]).toEqual([where(g), "google_storage_bucket_iam_member", "roles/storage.objectViewer"]);
    }
    const publicBuckets = of("google_storage_bucket").filter((b) => b.body.public_access_prevention !== "enforced");
    expect(publicBuckets.map((b) => b.body.name).sort()).toEqual(
      [
        "sigstore-example-sigstore-dex-jwks",
        "sigstore-example-sigstore-ctlog-tiles-1-europe-west1",
        "sigstore-example-sigstore-rekor-tiles-1-us-east1",
      ].sort(),
    );
    expect(publicGrants).toHaveLength(publicBuckets.length);
  });

  it("uses uniform access on every bucket, and protects the ones that hold log data or TUF metadata", () => {
    for (const b of of("google_storage_bucket")) expect([where(b), b.body.uniform_bucket_level_access]).toEqual([where(b), true]);
    const precious = of("google_storage_bucket").filter((b) => /attestation|tuf|tiles/.test(b.body.name));
    // One Rekor v1 attestation bucket, the global TUF serving and preprod buckets, two tiles buckets.
    expect(precious.length).toBe(1 + 2 + 2);
    for (const b of precious) {
      expect([b.body.name, b.body.lifecycle?.prevent_destroy, b.body.force_destroy, b.body.versioning]).toEqual([b.body.name, true, false, { enabled: true }]);
    }
  });

  it("protects every KMS key and key ring from destroy, holds signing keys in HSMs and rotates symmetric keys", () => {
    for (const r of [...of("google_kms_crypto_key"), ...of("google_kms_key_ring")]) expect([where(r), r.body.lifecycle?.prevent_destroy]).toEqual([where(r), true]);
    for (const key of of("google_kms_crypto_key")) {
      if (key.body.purpose === "ASYMMETRIC_SIGN") expect([where(key), key.body.version_template.protection_level]).toEqual([where(key), "HSM"]);
      else expect([where(key), key.body.rotation_period]).toEqual([where(key), "7776000s"]);
    }
    for (const grant of of("google_kms_crypto_key_iam_member")) expect(grant.body.crypto_key_id).toMatch(/^\$\{google_kms_crypto_key\./);
    expect(of("google_kms_key_ring_iam_member")).toEqual([]);
  });

  it("keeps every database private, encrypted in transit, backed up and protected from deletion", () => {
    const instances = of("google_sql_database_instance");
    // Primary, read replica and one CT shard, in the one region that runs Trillian (Rekor v1 and the shared CT log).
    expect(instances.length).toBe(3);
    for (const i of instances) {
      const settings = i.body.settings;
      expect([i.body.name, i.body.deletion_protection, settings.deletion_protection_enabled, settings.ip_configuration.ipv4_enabled, settings.ip_configuration.ssl_mode, i.body.lifecycle?.prevent_destroy]).toEqual([
        i.body.name, true, true, false, "ENCRYPTED_ONLY", true,
      ]);
      if (!i.body.master_instance_name) expect([i.body.name, settings.backup_configuration.enabled, settings.backup_configuration.binary_log_enabled]).toEqual([i.body.name, true, true]);
    }
    expect(of("google_sql_user").filter((u) => "password" in u.body || "password_wo" in u.body)).toEqual([]);
    for (const db of [...of("google_spanner_database"), ...of("google_spanner_instance")]) expect([where(db), db.body.lifecycle?.prevent_destroy]).toEqual([where(db), true]);
    for (const db of of("google_spanner_database")) expect([where(db), db.body.deletion_protection]).toEqual([where(db), true]);
  });

  it("runs private clusters with workload identity, and workloads as their own accounts through it", () => {
    for (const c of of("google_container_cluster")) {
      expect([c.stack, c.body.private_cluster_config.enable_private_nodes, c.body.deletion_protection, c.body.enable_shielded_nodes, c.body.workload_identity_config.workload_pool]).toEqual([
        c.stack, true, true, true, "sigstore-example.svc.id.goog",
      ]);
      expect(c.body.node_config.service_account).toMatch(/google_service_account\..*\.email/);
    }
    const bindings = of("google_service_account_iam_member").filter((b) => b.body.role === "roles/iam.workloadIdentityUser");
    // The global TUF signer and publisher run in the primary region's cluster: its pool arrives as a cross-stack reference.
    const pool = /(\$\{google_container_cluster\..*\.workload_identity_config\[0\]\.workload_pool\}|\$\{data\.terraform_remote_state\.cross_stack_reference_input_regional_us_east1\.outputs\.cross_stack_output_google_container_cluster_[a-z0-9_]+_workload_pool\})/.source;
    const member = new RegExp(`^serviceAccount:${pool}\\[([a-z0-9-]+|\\$\\{kubernetes_namespace_v1\\.[a-z_]+\\.metadata\\[0\\]\\.name\\})\\/[a-z0-9-]+\\]$`);
    for (const b of bindings) expect([where(b), b.body.member]).toEqual([where(b), expect.stringMatching(member)]);
    expect(bindings.filter((b) => b.stack === "global").map((b) => /\[(.*)\]$/.exec(b.body.member)![1]).sort()).toEqual(["tuf-system/tuf-publisher", "tuf-system/tuf-signer"]);
    expect(bindings.length).toBeGreaterThanOrEqual(3 * 6);
  });

  it("opens no firewall to the internet and gives no VM a public address", () => {
    for (const f of of("google_compute_firewall")) {
      expect([where(f), f.body.source_ranges.includes("0.0.0.0/0"), f.body.target_tags?.length > 0]).toEqual([where(f), false, true]);
    }
    for (const vm of of("google_compute_instance")) {
      expect([where(vm), vm.body.network_interface.some((n: any) => n.access_config), vm.body.shielded_instance_config.enable_secure_boot]).toEqual([where(vm), false, true]);
    }
  });

  it("puts Cloud Armor in front of every public backend and TLS 1.2 on every HTTPS proxy", () => {
    for (const b of of("google_compute_backend_service")) expect([where(b), b.body.security_policy]).toEqual([where(b), expect.stringMatching(/google_compute_security_policy\./)]);
    for (const b of of("google_compute_backend_bucket")) expect([where(b), b.body.edge_security_policy]).toEqual([where(b), expect.stringMatching(/google_compute_security_policy\./)]);
    const sslPolicies = of("google_compute_ssl_policy");
    expect(of("google_compute_target_https_proxy").length).toBeGreaterThanOrEqual(sslPolicies.length);
    for (const p of sslPolicies) expect([p.body.profile, p.body.min_tls_version]).toEqual(["MODERN", "TLS_1_2"]);
    for (const proxy of of("google_compute_target_https_proxy")) expect(proxy.body.ssl_policy).toMatch(/google_compute_ssl_policy\./);
  });

  it("gives no two resources of a kind the same GCP name", () => {
    const byKey = new Map<string, string>();
    const duplicates: string[] = [];
    for (const r of all) {
      const name = r.body.name ?? r.body.account_id ?? r.body.secret_id;
      if (typeof name !== "string" || name.includes("${")) continue;
      // Scoped names: keys within their ring, databases and users within their instance, IAM members, DNS records by zone,
      // Helm releases within their region's cluster.
      if (/crypto_key$|_database$|sql_user|iam_member|dns_record_set|project_service|metadata_item|node_pool|helm_release/.test(r.type)) continue;
      const key = `${r.type}:${name}`;
      if (byKey.has(key)) duplicates.push(`${key} in ${byKey.get(key)} and ${r.stack}`);
      byKey.set(key, r.stack);
    }
    expect(duplicates).toEqual([]);
  });

  it("sends every alert to the configured channels", () => {
    const alerts = of("google_monitoring_alert_policy");
    expect(alerts.length).toBeGreaterThan(30);
    for (const a of alerts) expect([where(a), a.body.notification_channels]).toEqual([where(a), ["projects/sigstore-example/notificationChannels/42"]]);
  });
});
