import { parseConfig } from "../../lib/config/load";
import type { ProjectConfig } from "../../lib/config/schema";
import { Bastion } from "../../lib/regional/bastion";
import { GkeCluster } from "../../lib/regional/gke";
import { RegionalNetwork } from "../../lib/regional/network";
import { ProjectApis, REGIONAL_APIS, waitFor } from "../../lib/regional/project-apis";
import { ProjectSettings, ProjectSettingsProps } from "../../lib/regional/project-settings";
import { bodiesOf, entriesOf, synthConstruct, testContext } from "../helpers/construct";
import { baseConfig, fullConfig, synthDeployment, withConfig } from "../helpers/synth";
import { gkeDefaults, networkDefaults, standaloneGkeProps } from "./platform-helpers";
import { REVIEWED_PROJECT_ROLES } from "../helpers/roles";

const projectDefaults: ProjectConfig = parseConfig(baseConfig()).project;
type Settings = ProjectSettingsProps["settings"];

function synthSettings(change: Partial<Settings> = {}): any {
  return synthConstruct((scope) => new ProjectSettings(scope, "project", { project: "sigstore-test", settings: { ...projectDefaults, ...change } }));
}

describe("project APIs", () => {
  const defaults = bodiesOf(synthConstruct((s) => new ProjectApis(s, "apis", { project: "sigstore-test" })), "google_project_service");

  it("never disable a service or its dependents on destroy, since other stacks share them", () => {
    const withExtra = bodiesOf(synthConstruct((s) => new ProjectApis(s, "apis", { project: "sigstore-test", extraApis: ["eventarc.googleapis.com"] })), "google_project_service");
    for (const api of [...defaults, ...withExtra]) {
      expect([api.service, api.project, api.disable_on_destroy, api.disable_dependent_services]).toEqual([api.service, "sigstore-test", false, false]);
    }
  });

  it("enable by default every API the upstream modules of a region enable", () => {
    // From google_project_service in network, gke_cluster, bastion, oslogin, project_roles, mysql, ca, fulcio, rekor, ctlog, tuf, timestamp, tiles_tlog, dex, monitoring.
    const upstream = [
      "cloudkms", "cloudresourcemanager", "compute", "container", "containersecurity", "dns", "iam", "monitoring",
      "osconfig", "privateca", "secretmanager", "servicenetworking", "spanner", "sqladmin", "storage",
    ].map((api) => `${api}.googleapis.com`);
    expect(defaults.map((a) => a.service)).toEqual(expect.arrayContaining(upstream));
    expect(defaults.map((a) => a.service)).toEqual(expect.arrayContaining(["iamcredentials.googleapis.com", "iap.googleapis.com", "logging.googleapis.com", "pubsub.googleapis.com"]));
    expect(defaults.map((a) => a.service).sort()).toEqual([...REGIONAL_APIS].sort());
  });

  it("add extra APIs once, in a stable order, and expose one resource per API", () => {
    let apis!: ProjectApis;
    const json = synthConstruct((s) => {
      apis = new ProjectApis(s, "apis", { project: "p", apis: ["dns.googleapis.com", "compute.googleapis.com"], extraApis: ["compute.googleapis.com", "eventarc.googleapis.com"] });
    });
    expect(bodiesOf(json, "google_project_service").map((a) => a.service)).toEqual(["compute.googleapis.com", "dns.googleapis.com", "eventarc.googleapis.com"]);
    expect(apis.services.map((s) => s.terraformResourceType)).toEqual(["google_project_service", "google_project_service", "google_project_service"]);
  });

  it("gate other resources behind every enabled API, with plain addresses Terraform accepts in depends_on", () => {
    const json = synthConstruct((s) => {
      const ready = new ProjectApis(s, "apis", { project: "p" }).gate();
      new GkeCluster(s, "gke", standaloneGkeProps());
      waitFor(s, ready);
    });
    const [readyId, ready] = entriesOf(json, "terraform_data")[0];
    expect(ready.depends_on.sort()).toEqual(entriesOf(json, "google_project_service").map(([id]) => `google_project_service.${id}`).sort());
    const waiting = Object.entries(json.resource).filter(([type]) => type !== "google_project_service" && type !== "terraform_data");
    expect(waiting.length).toBeGreaterThan(3);
    for (const [type, byId] of waiting) {
      for (const body of Object.values(byId as Record<string, any>)) expect([type, body.depends_on]).toEqual([type, [`terraform_data.${readyId}`]]);
    }
    for (const api of bodiesOf(json, "google_project_service")) expect(api.depends_on).toBeUndefined();
  });

  it("refuse a name that is not an API service name", () => {
    expect(() => synthConstruct((s) => new ProjectApis(s, "apis", { project: "p", extraApis: ["compute"] }))).toThrow(/compute is not a Google API service name/);
    expect(() => synthConstruct((s) => new ProjectApis(s, "apis", { project: "p", apis: [] }))).toThrow(/no API to enable/);
  });

  it("cover every Google resource a fully featured regional stack declares", () => {
    // Which API each kind of resource is served by.
    const apiOf: [RegExp, string][] = [
      [/^google_certificate_manager_/, "certificatemanager"],
      [/^google_compute_/, "compute"],
      [/^google_container_/, "container"],
      [/^google_dns_/, "dns"],
      [/^google_iap_/, "iap"],
      [/^google_kms_/, "cloudkms"],
      [/^google_logging_/, "logging"],
      [/^google_monitoring_/, "monitoring"],
      [/^google_os_config_/, "osconfig"],
      [/^google_privateca_/, "privateca"],
      [/^google_project_iam_/, "cloudresourcemanager"],
      [/^google_pubsub_/, "pubsub"],
      [/^google_secret_manager_/, "secretmanager"],
      [/^google_service_account/, "iam"],
      [/^google_service_networking_/, "servicenetworking"],
      [/^google_spanner_/, "spanner"],
      [/^google_sql_/, "sqladmin"],
      [/^google_storage_/, "storage"],
    ];
    const { stacks } = synthDeployment(fullConfig("privateca"));
    const regional = Object.entries(stacks).filter(([id]) => id.startsWith("regional-"));
    expect(regional.length).toBeGreaterThan(1);
    const missing: string[] = [];
    for (const [stack, json] of regional) {
      for (const type of Object.keys(json.resource ?? {})) {
        if (!type.startsWith("google_") || type === "google_project_service") continue;
        const api = apiOf.find(([pattern]) => pattern.test(type))?.[1];
        if (!api) missing.push(`${stack}: ${type} has no API in this test's map`);
        else if (!REGIONAL_APIS.includes(`${api}.googleapis.com`)) missing.push(`${stack}: ${type} needs ${api}.googleapis.com`);
      }
      // Features of the cluster served by their own APIs.
      for (const cluster of Object.values(json.resource?.google_container_cluster ?? {}) as any[]) {
        if (cluster.security_posture_config) expect(REGIONAL_APIS).toContain("containersecurity.googleapis.com");
        if (cluster.workload_identity_config) expect(REGIONAL_APIS).toContain("iamcredentials.googleapis.com");
      }
    }
    expect(missing).toEqual([]);
    // Every resource waits for the APIs through a depends_on Terraform accepts: a bare address.
    const templated = regional.flatMap(([stack, json]) =>
      Object.entries(json.resource ?? {}).flatMap(([type, byId]) =>
        Object.entries(byId).flatMap(([id, body]) => ((body as any).depends_on ?? []).filter((d: string) => !/^(data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+$/.test(d)).map((d: string) => `${stack}/${type}.${id}: ${d}`)),
      ),
    );
    expect(templated).toEqual([]);
    const cluster = regional[0][1].resource!.google_container_cluster;
    expect(Object.values(cluster)[0].depends_on).toEqual(["terraform_data.apis_ready"]);
    // The primary region enables them, once for the project.
    const enabling = regional.filter(([, json]) => json.resource?.google_project_service);
    expect(enabling.map(([id]) => id)).toEqual(["regional-us-east1"]);
  });
});

describe("project settings", () => {
  it("turn on the configured Data Access audit logs for all services", () => {
    expect(bodiesOf(synthSettings(), "google_project_iam_audit_config")).toEqual([
      { project: "sigstore-test", service: "allServices", audit_log_config: [{ log_type: "ADMIN_READ" }, { log_type: "DATA_READ" }, { log_type: "DATA_WRITE" }] },
    ]);
    const writesOnly = synthSettings({ auditLogs: { enabled: true, logTypes: ["DATA_WRITE"] } });
    expect(bodiesOf(writesOnly, "google_project_iam_audit_config")[0].audit_log_config).toEqual([{ log_type: "DATA_WRITE" }]);
    expect(bodiesOf(synthSettings({ auditLogs: { enabled: false, logTypes: ["DATA_WRITE"] } }), "google_project_iam_audit_config")).toEqual([]);
    expect(() => synthSettings({ auditLogs: { enabled: true, logTypes: [] } })).toThrow(/no log type/);
  });

  it("turn on OS Login for the project, with two-factor authentication only when asked", () => {
    const keys = (json: any) => bodiesOf(json, "google_compute_project_metadata_item").map((m) => [m.key, m.value, m.project]).sort();
    expect(keys(synthSettings())).toEqual([["enable-oslogin", "TRUE", "sigstore-test"]]);
    expect(keys(synthSettings({ osLogin: { enabled: true, twoFactor: true } }))).toEqual([
      ["enable-oslogin", "TRUE", "sigstore-test"],
      ["enable-oslogin-2fa", "TRUE", "sigstore-test"],
    ]);
    // Two-factor means nothing without OS Login.
    expect(keys(synthSettings({ osLogin: { enabled: false, twoFactor: true } }))).toEqual([]);
  });

  it("bind each configured member to its role at project level, once", () => {
    const roleBindings = [
      { role: "roles/viewer", members: ["group:auditors@example.com", "group:sre@example.com", "group:auditors@example.com"] },
      { role: "projects/sigstore-test/roles/breakglass", members: ["group:sre@example.com"] },
    ];
    let settings!: ProjectSettings;
    const json = synthConstruct((scope) => {
      settings = new ProjectSettings(scope, "project", { project: "sigstore-test", settings: { ...projectDefaults, roleBindings } });
    });
    expect(bodiesOf(json, "google_project_iam_member").map((m) => [m.project, m.role, m.member]).sort()).toEqual([
      ["sigstore-test", "projects/sigstore-test/roles/breakglass", "group:sre@example.com"],
      ["sigstore-test", "roles/viewer", "group:auditors@example.com"],
      ["sigstore-test", "roles/viewer", "group:sre@example.com"],
    ]);
    // Exposed in configuration order.
    expect(settings.roleBindings.map((b) => b.node.id)).toEqual([
      "role-viewer-group:auditors@example.com",
      "role-viewer-group:sre@example.com",
      "role-projects--sigstore-test--roles--breakglass-group:sre@example.com",
    ]);
  });

  it("key each binding by role and member, so removing one never re-creates another", () => {
    const idOf = (json: any) => entriesOf(json, "google_project_iam_member").find(([, b]) => b.member === "group:b@example.com")![0];
    const both = synthSettings({ roleBindings: [{ role: "roles/viewer", members: ["group:a@example.com", "group:b@example.com"] }] });
    const one = synthSettings({ roleBindings: [{ role: "roles/viewer", members: ["group:b@example.com"] }] });
    expect(idOf(one)).toBe(idOf(both));
  });

  it("create nothing when every part is off", () => {
    const off = synthSettings({ auditLogs: { enabled: false, logTypes: ["ADMIN_READ"] }, osLogin: { enabled: false, twoFactor: false }, roleBindings: [] });
    expect(off.resource).toBeUndefined();
  });

  it("come from the configuration's project section", () => {
    const project = parseConfig(withConfig((c) => (c.project = { ...c.project, osLogin: { twoFactor: true }, auditLogs: { logTypes: ["ADMIN_READ"] } }))).project;
    const json = synthConstruct((s) => new ProjectSettings(s, "project", { project: project.id, settings: project }));
    expect(bodiesOf(json, "google_compute_project_metadata_item").map((m) => m.key).sort()).toEqual(["enable-oslogin", "enable-oslogin-2fa"]);
    expect(bodiesOf(json, "google_project_iam_audit_config")[0].audit_log_config).toEqual([{ log_type: "ADMIN_READ" }]);
  });
});

describe("project-level IAM of the whole platform", () => {
  it("grants only project-only roles, except the bindings an operator named", () => {
    const operatorChosen = [{ role: "roles/viewer", members: ["group:auditors@example.com"] }];
    const json = synthConstruct((scope) => {
      const context = testContext();
      const network = new RegionalNetwork(scope, "network", { context, settings: networkDefaults, bastion: true });
      new GkeCluster(scope, "gke", {
        context,
        clusterName: "east",
        settings: gkeDefaults,
        masterCidr: networkDefaults.masterCidr,
        network: network.networkId,
        subnet: network.subnetId,
        podsRangeName: network.podsRangeName,
        servicesRangeName: network.servicesRangeName,
        nodeTag: network.nodeTag,
      });
      new Bastion(scope, "bastion", { context, subnet: network.subnetId, tag: network.bastionTag, accessMembers: ["group:sre@example.com"] });
      new ProjectSettings(scope, "project", { project: context.project, settings: { ...projectDefaults, roleBindings: operatorChosen } });
    });
    const grants = bodiesOf(json, "google_project_iam_member");
    expect(grants.length).toBeGreaterThan(operatorChosen.length);
    const chosen = (g: any) => operatorChosen.some((b) => b.role === g.role && b.members.includes(g.member));
    for (const g of grants) {
      expect([g.role, g.member, REVIEWED_PROJECT_ROLES.has(g.role) || chosen(g)]).toEqual([g.role, g.member, true]);
      // Only service accounts of the platform itself hold the project-only roles.
      if (!chosen(g)) expect(g.member).toMatch(/^serviceAccount:/);
    }
    expect(grants.filter(chosen)).toHaveLength(1);
  });
});
