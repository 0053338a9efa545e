import { Bastion, BastionProps } from "../../lib/regional/bastion";
import { bodiesOf, entriesOf, synthConstruct, testContext } from "../helpers/construct";
import { addressOf, refTo, synthPlatform } from "./platform-helpers";

const members = ["group:sre@example.com", "user:alice@example.com"];
const json = synthPlatform({ bastion: { accessMembers: members } });
const instance = bodiesOf(json, "google_compute_instance")[0];
const bastionAccount = (j: any, attribute: string) => refTo(j, "google_service_account", attribute, (a) => a.account_id === "sigstore-bastion-use1");

function synthBastion(overrides: Partial<BastionProps> = {}): any {
  return synthConstruct((scope) => new Bastion(scope, "bastion", { context: testContext(), subnet: "projects/p/regions/us-east1/subnetworks/s", tag: "bastion-tag", accessMembers: members, ...overrides }));
}

describe("bastion VM", () => {
  it("is one VM without an external address, on the region's subnet, carrying the bastion tag", () => {
    expect(bodiesOf(json, "google_compute_instance")).toHaveLength(1);
    expect(instance.network_interface).toEqual([{ subnetwork: refTo(json, "google_compute_subnetwork", "id") }]);
    expect(instance.network_interface[0].access_config).toBeUndefined();
    expect(instance.tags).toEqual(["sigstore-bastion-us-east1"]);
    expect(instance.name).toBe("sigstore-bastion-us-east1");
    expect(instance.machine_type).toBe("e2-small");
    expect(bodiesOf(synthBastion({ machineType: "e2-medium" }), "google_compute_instance")[0].machine_type).toBe("e2-medium");
  });

  it("lives in the first configured zone, without any random choice", () => {
    expect(instance.zone).toBe("us-east1-b");
    const reordered = synthBastion({ context: testContext({ zones: ["us-east1-d", "us-east1-b"] }) });
    expect(bodiesOf(reordered, "google_compute_instance")[0].zone).toBe("us-east1-d");
    expect(Object.keys(json.resource).filter((type) => type.startsWith("random_"))).toEqual([]);
    expect(json.data?.google_compute_zones).toBeUndefined();
  });

  it("is a shielded VM with OS Login, no project SSH keys, and the OS Config agent on", () => {
    expect(instance.shielded_instance_config).toEqual({ enable_secure_boot: true, enable_vtpm: true, enable_integrity_monitoring: true });
    expect(instance.metadata).toEqual({ "enable-oslogin": "TRUE", "block-project-ssh-keys": "TRUE", "enable-osconfig": "TRUE" });
  });

  it("encrypts its boot disk with its own protected CMEK key, usable by the Compute Engine service agent before the disk exists", () => {
    const key = bodiesOf(json, "google_kms_crypto_key");
    const ring = bodiesOf(json, "google_kms_key_ring");
    expect(ring).toEqual([expect.objectContaining({ name: "sigstore-bastion-us-east1", location: "us-east1", lifecycle: { prevent_destroy: true } })]);
    expect(key).toEqual([expect.objectContaining({ purpose: "ENCRYPT_DECRYPT", key_ring: refTo(json, "google_kms_key_ring", "id"), lifecycle: { prevent_destroy: true } })]);
    expect(key[0].rotation_period).toBe("7776000s");
    expect(instance.boot_disk.kms_key_self_link).toBe(refTo(json, "google_kms_crypto_key", "id"));
    expect(bodiesOf(json, "google_kms_crypto_key_iam_member")).toEqual([
      {
        crypto_key_id: refTo(json, "google_kms_crypto_key", "id"),
        role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
        member: "serviceAccount:service-123456789012@compute-system.iam.gserviceaccount.com",
      },
    ]);
    expect(instance.depends_on).toEqual([addressOf(json, "google_kms_crypto_key_iam_member")]);
  });

  it("runs as its own account, which may only write logs and metrics", () => {
    expect(instance.service_account).toEqual({ email: bastionAccount(json, "email"), scopes: ["cloud-platform"] });
    const projectGrants = bodiesOf(json, "google_project_iam_member").filter((g) => g.member === `serviceAccount:${bastionAccount(json, "email")}`);
    expect(projectGrants.map((g) => g.role).sort()).toEqual(["roles/logging.logWriter", "roles/monitoring.metricWriter"]);
  });

  it("is patched weekly by an OS Config patch deployment that targets the instance", () => {
    const patches = bodiesOf(json, "google_os_config_patch_deployment");
    expect(patches).toHaveLength(1);
    expect(patches[0]).toMatchObject({
      patch_deployment_id: "sigstore-bastion-us-east1-patch",
      instance_filter: { instances: [refTo(json, "google_compute_instance", "id")] },
      patch_config: { apt: { type: "DIST" } },
      recurring_schedule: { weekly: { day_of_week: "TUESDAY" }, time_zone: { id: "UTC" } },
    });
  });
});

describe("bastion access", () => {
  it("grants IAP tunnelling, OS Login and acting as the bastion's account to each member, on the instance and its account only", () => {
    const tunnel = bodiesOf(json, "google_iap_tunnel_instance_iam_member");
    const login = bodiesOf(json, "google_compute_instance_iam_member");
    const actAs = bodiesOf(json, "google_service_account_iam_member");
    expect(tunnel.map((t) => t.member).sort()).toEqual(members);
    expect(login.map((t) => t.member).sort()).toEqual(members);
    expect(actAs.map((t) => t.member).sort()).toEqual(members);
    for (const t of tunnel) expect(t).toMatchObject({ role: "roles/iap.tunnelResourceAccessor", instance: refTo(json, "google_compute_instance", "name"), zone: "us-east1-b", project: "sigstore-test" });
    for (const l of login) expect(l).toMatchObject({ role: "roles/compute.osLogin", instance_name: refTo(json, "google_compute_instance", "name"), zone: "us-east1-b", project: "sigstore-test" });
    for (const a of actAs) expect(a).toMatchObject({ role: "roles/iam.serviceAccountUser", service_account_id: bastionAccount(json, "name") });
    // Nothing for the members at project level.
    expect(bodiesOf(json, "google_project_iam_member").filter((g) => members.includes(g.member))).toEqual([]);
  });

  it("keys each grant by its member, so removing a member leaves the others' grants alone", () => {
    const ids = (j: any) => entriesOf(j, "google_iap_tunnel_instance_iam_member").filter(([, b]) => b.member === members[1]).map(([id]) => id);
    expect(ids(synthBastion({ accessMembers: [members[1]] }))).toEqual(ids(synthBastion()));
  });

  it("grants a member listed twice once, and nothing without members", () => {
    const twice = synthBastion({ accessMembers: [members[0], members[0]] });
    expect(bodiesOf(twice, "google_iap_tunnel_instance_iam_member")).toHaveLength(1);
    const none = synthBastion({ accessMembers: [] });
    for (const type of ["google_iap_tunnel_instance_iam_member", "google_compute_instance_iam_member", "google_service_account_iam_member"]) expect(bodiesOf(none, type)).toEqual([]);
  });

  it("refuses a malformed member and a region without zones", () => {
    expect(() => synthBastion({ accessMembers: ["sre@example.com"] })).toThrow(/not an IAM member/);
    expect(() => synthBastion({ context: testContext({ zones: [] }) })).toThrow(/needs a zone/);
  });
});

describe("without a bastion", () => {
  const off = synthPlatform({ bastion: false });

  it("creates no VM, key, patch deployment, access grant or IAP rule", () => {
    for (const type of [
      "google_compute_instance",
      "google_kms_key_ring",
      "google_kms_crypto_key",
      "google_kms_crypto_key_iam_member",
      "google_os_config_patch_deployment",
      "google_iap_tunnel_instance_iam_member",
      "google_compute_instance_iam_member",
      "google_service_account_iam_member",
    ]) {
      expect([type, bodiesOf(off, type)]).toEqual([type, []]);
    }
    expect(bodiesOf(off, "google_service_account").map((a) => a.account_id)).toEqual(["sigstore-gke-node-use1"]);
    expect(bodiesOf(off, "google_compute_firewall").some((r) => r.source_ranges.includes("35.235.240.0/20"))).toBe(false);
  });
});
