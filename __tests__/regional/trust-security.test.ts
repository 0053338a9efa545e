import { Testing } from "cdktf";
import { Construct } from "constructs";
import { Dex } from "../../lib/regional/dex";
import { Fulcio, FulcioCaMode } from "../../lib/regional/fulcio";
import { TimestampAuthority } from "../../lib/regional/timestamp";
import type { KeyProtectionLevel } from "../../lib/shared/kms";
import { regionCode } from "../../lib/shared/names";
import { SigstoreStack } from "../../lib/shared/sigstore-stack";
import { bodiesOf, synthConstruct, testContext, placementOf, testApp } from "../helpers/construct";
import { resourceAt, target } from "./trust-helpers";

// Two regions with every trust construct, one per Fulcio mode and protection level.
const REGIONS: { region: string; ca: FulcioCaMode; protectionLevel: KeyProtectionLevel }[] = [
  { region: "us-east1", ca: "kms", protectionLevel: "HSM" },
  { region: "europe-west1", ca: "privateca", protectionLevel: "SOFTWARE" },
];
const poolOf = (region: string) => `sigstore-${region}.svc.id.goog`;
/** The deployment's root CA, which the primary region's stack creates (FulcioRootCa). */
const ROOT_CA = "projects/sigstore-test/locations/us-east1/caPools/sigstore-fulcio-root/certificateAuthorities/sigstore-fulcio-root";

const json = synthConstruct((scope) => {
  for (const { region, ca, protectionLevel } of REGIONS) {
    const context = testContext({ region });
    const workloadPool = poolOf(region);
    new Fulcio(scope, `fulcio-${region}`, { ...placementOf(context), workloadPool, ca, protectionLevel, rootCaId: ca === "privateca" ? ROOT_CA : undefined });
    new TimestampAuthority(scope, `tsa-${region}`, { ...placementOf(context), workloadPool, protectionLevel });
    new Dex(scope, `dex-${region}`, { ...placementOf(context), workloadPool, connectorSecrets: ["github-client-secret"] });
  }
});

/** Where each kind of grant must point: the resource itself, never a ring, folder or project. */
const GRANT_TARGETS: { [type: string]: [attribute: string, targetType: string, targetAttribute: string] } = {
  google_kms_crypto_key_iam_member: ["crypto_key_id", "google_kms_crypto_key", "id"],
  google_storage_bucket_iam_member: ["bucket", "google_storage_bucket", "name"],
  google_secret_manager_secret_iam_member: ["secret_id", "google_secret_manager_secret", "id"],
  google_privateca_ca_pool_iam_member: ["ca_pool", "google_privateca_ca_pool", "id"],
  google_service_account_iam_member: ["service_account_id", "google_service_account", "name"],
};

describe("trust services security properties", () => {
  it("grant IAM only on keys, buckets, secrets, CA pools and service accounts, as members", () => {
    const iamTypes = Object.keys(json.resource).filter((type) => /_iam_(member|binding|policy)$/.test(type));
    expect(iamTypes.filter((type) => !(type in GRANT_TARGETS))).toEqual([]);
    expect(iamTypes.length).toBeGreaterThanOrEqual(4);
    for (const [type, [attribute, targetType, targetAttribute]] of Object.entries(GRANT_TARGETS)) {
      for (const grant of bodiesOf(json, type)) target(json, grant[attribute], targetType, targetAttribute);
    }
    expect(json.resource.google_project_iam_member).toBeUndefined();
    expect(json.resource.google_kms_key_ring_iam_member).toBeUndefined();
    expect(json.resource.google_service_account_key).toBeUndefined();
  });

  it("use service accounts only through workload identity, with the region's pool", () => {
    for (const binding of bodiesOf(json, "google_service_account_iam_member")) {
      expect(binding.role).toBe("roles/iam.workloadIdentityUser");
      const account = resourceAt(json, binding.service_account_id, "google_service_account", "name");
      const region = REGIONS.find((r) => account.account_id.endsWith(`-${regionCode(r.region)}`))!.region;
      expect(binding.member).toMatch(new RegExp(`^serviceAccount:${poolOf(region).replace(/\./g, "\\.")}\\[[a-z-]+/[a-z-]+\\]$`));
    }
    const ksas = bodiesOf(json, "google_service_account_iam_member").map((b) => /\[(.*)\]$/.exec(b.member)![1]);
    expect([...new Set(ksas)].sort()).toEqual(["dex-system/dex", "fulcio-system/fulcio-server", "tsa-system/tsa-server"]);
    expect(bodiesOf(json, "google_service_account")).toHaveLength(2 * 3);
  });

  it("protect every KMS key ring, key and key version, at the region's protection level", () => {
    for (const ring of bodiesOf(json, "google_kms_key_ring")) expect(ring.lifecycle).toEqual({ prevent_destroy: true });
    const keys = bodiesOf(json, "google_kms_crypto_key");
    // us-east1 (kms): Fulcio 2, TSA 2; europe-west1 (privateca): TSA 2. (TUF is global: __tests__/global/tuf-repository.test.ts.)
    expect(keys).toHaveLength(6);
    for (const key of keys) {
      expect(key.lifecycle).toEqual({ prevent_destroy: true });
      const ring = resourceAt(json, key.key_ring, "google_kms_key_ring", "id");
      expect(key.version_template.protection_level).toBe(REGIONS.find((r) => r.region === ring.location)!.protectionLevel);
    }
    for (const version of bodiesOf(json, "google_kms_crypto_key_version")) expect(version.lifecycle).toEqual({ prevent_destroy: true });
  });

  it("create CA keys only for the region's Fulcio mode", () => {
    const rings = bodiesOf(json, "google_kms_key_ring").map((r) => r.name).sort();
    expect(rings).toEqual([
      "sigstore-fulcio-us-east1",
      "sigstore-tsa-europe-west1",
      "sigstore-tsa-us-east1",
    ]);
    expect(bodiesOf(json, "google_privateca_ca_pool").map((p) => p.location)).toEqual(["europe-west1"]);
    expect(bodiesOf(json, "google_privateca_certificate_authority")).toEqual([
      expect.objectContaining({ location: "europe-west1", deletion_protection: true, skip_grace_period: false }),
    ]);
  });

  it("make nothing public: no allUsers or allAuthenticatedUsers grant", () => {
    const isPublic = (member: string) => member === "allUsers" || member === "allAuthenticatedUsers";
    const grants = Object.keys(GRANT_TARGETS).flatMap((type) => bodiesOf(json, type));
    expect(grants.length).toBeGreaterThan(0);
    expect(grants.filter((g) => isPublic(g.member))).toEqual([]);
  });

  it("name every regional resource after its region, so no two regions collide", () => {
    const named: [string, string][] = [
      ...bodiesOf(json, "google_service_account").map((a): [string, string] => [a.account_id, a.project]),
      ...bodiesOf(json, "google_kms_key_ring").map((r): [string, string] => [r.name, r.location]),
      ...bodiesOf(json, "google_storage_bucket").map((b): [string, string] => [b.name, b.location]),
      ...bodiesOf(json, "google_secret_manager_secret").map((s): [string, string] => [s.secret_id, s.replication.user_managed.replicas[0].location]),
      ...bodiesOf(json, "google_privateca_ca_pool").map((p): [string, string] => [p.name, p.location]),
      ...bodiesOf(json, "google_privateca_certificate_authority").map((c): [string, string] => [c.certificate_authority_id, c.location]),
    ];
    const names = named.map(([name]) => name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(REGIONS.filter((r) => name.includes(r.region) || name.endsWith(`-${regionCode(r.region)}`))).toHaveLength(1);
    }
    for (const [name, location] of named) if (location !== "sigstore-test") expect(name).toContain(location);
  });

  it("have short, stable logical ids in a Sigstore stack, the construct path joined with underscores", () => {
    class Stack extends SigstoreStack {
      constructor(scope: Construct) {
        super(scope, "regional-us-east1", { projectId: "sigstore-test", region: "us-east1", backend: { type: "local", directory: "." }, labels: {} });
        const context = testContext();
        const workloadPool = poolOf("us-east1");
        new Fulcio(this, "fulcio", { ...placementOf(context), workloadPool, ca: "privateca", rootCaId: ROOT_CA });
        new TimestampAuthority(this, "tsa", { ...placementOf(context), workloadPool });
        new Dex(this, "dex", { ...placementOf(context), workloadPool, connectorSecrets: ["github-client-secret"] });
      }
    }
    const stack = new Stack(testApp());
    const synthesized = JSON.parse(Testing.synth(stack));
    const addresses = Object.entries(synthesized.resource as { [type: string]: object }).flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`));
    expect(addresses.sort()).toEqual([
      "google_kms_crypto_key.tsa_keys_kek_key",
      "google_kms_crypto_key.tsa_keys_signing_key",
      "google_kms_crypto_key_iam_member.tsa_keys_kek_crypto_key_decrypter_tsa_server",
      "google_kms_key_ring.tsa_keys_key_ring",
      "google_privateca_ca_pool.fulcio_ca_pool",
      "google_privateca_ca_pool_iam_member.fulcio_ca_pool_certificate_manager",
      "google_privateca_certificate_authority.fulcio_intermediate_ca",
      "google_secret_manager_secret.dex_secret_github_client_secret",
      "google_secret_manager_secret_iam_member.dex_accessor_github_client_secret",
      "google_service_account.dex_server_account",
      "google_service_account.fulcio_server_account",
      "google_service_account.tsa_server_account",
      "google_service_account_iam_member.dex_server_workload_identity",
      "google_service_account_iam_member.fulcio_server_workload_identity",
      "google_service_account_iam_member.tsa_server_workload_identity",
    ]);
  });
});
