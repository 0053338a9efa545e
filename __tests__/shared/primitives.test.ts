import { TerraformStack, Testing } from "cdktf";
import { SecureBucket } from "../../lib/shared/bucket";
import { grantProjectRole, principal, WorkloadIdentityServiceAccount } from "../../lib/shared/iam";
import { KeyRing } from "../../lib/shared/kms";
import { regionCode, ResourceNames } from "../../lib/shared/names";
import { testApp } from "../helpers/construct";

// Every GCP region as of 2026, for collision checks.
const REGIONS = [
  "africa-south1", "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3", "asia-south1",
  "asia-south2", "asia-southeast1", "asia-southeast2", "australia-southeast1", "australia-southeast2", "europe-central2",
  "europe-north1", "europe-north2", "europe-southwest1", "europe-west1", "europe-west2", "europe-west3", "europe-west4",
  "europe-west6", "europe-west8", "europe-west9", "europe-west10", "europe-west12", "me-central1", "me-central2",
  "me-west1", "northamerica-northeast1", "northamerica-northeast2", "northamerica-south1", "southamerica-east1",
  "southamerica-west1", "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1", "us-west2",
  "us-west3", "us-west4",
];

function synth(build: (stack: TerraformStack) => void): any {
  const stack = new TerraformStack(testApp(), "test");
  build(stack);
  return JSON.parse(Testing.synth(stack));
}

describe("names", () => {
  it("gives every GCP region a distinct short code", () => {
    const codes = REGIONS.map(regionCode);
    expect(new Set(codes).size).toBe(REGIONS.length);
    expect([regionCode("us-east1"), regionCode("europe-west1"), regionCode("northamerica-northeast2")]).toEqual(["use1", "euw1", "nane2"]);
    expect(Math.max(...codes.map((c) => c.length))).toBeLessThanOrEqual(6);
  });

  it("keeps service account ids within 30 characters for the longest prefix and roles", () => {
    const names = new ResourceNames("abcdefghijkl");
    for (const region of REGIONS) expect(names.serviceAccountId("trillian", region).length).toBeLessThanOrEqual(30);
    expect(() => new ResourceNames("a-much-too-long-prefix").serviceAccountId("trillian", "us-east1")).toThrow(/must be 6 to 30 .*shorten namePrefix/);
  });

  it("makes bucket names globally unique by project, and shortens long ones deterministically", () => {
    const names = new ResourceNames("sigstore", "sigstore-example");
    expect(names.bucket("tuf", "us-east1")).toBe("sigstore-example-sigstore-tuf-us-east1");
    const long = new ResourceNames("abcdefghijkl", "a-thirty-character-project-id1").bucket("tuf-preprod", "northamerica-northeast1");
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^a-thi-[0-9a-f]{8}-abcdefghijkl-tuf-preprod-northamerica-northeast1$/);
    expect(new ResourceNames("abcdefghijkl", "a-thirty-character-project-id1").bucket("tuf-preprod", "northamerica-northeast1")).toBe(long);
  });
});

describe("project IAM", () => {
  it("grants project-only roles and refuses others unless an operator named them", () => {
    synth((stack) => grantProjectRole(stack, "ok", { project: "p", role: "roles/cloudsql.client", grantee: principal("x", "group:a@b") }));
    expect(() =>
      synth((stack) => grantProjectRole(stack, "bad", { project: "p", role: "roles/storage.admin", grantee: principal("x", "group:a@b") })),
    ).toThrow(/roles\/storage.admin is not a project-only role; grant it on the resource instead/);
    synth((stack) => grantProjectRole(stack, "chosen", { project: "p", role: "roles/viewer", grantee: principal("x", "group:a@b"), operatorChosen: true }));
  });
});

describe("workload identity service account", () => {
  it("binds the Kubernetes service account through the cluster's workload pool, and creates no key", () => {
    const json = synth((stack) => {
      new WorkloadIdentityServiceAccount(stack, "fulcio", {
        project: "p",
        accountId: "sigstore-fulcio-use1",
        displayName: "Fulcio",
        kubernetes: { workloadPool: "p.svc.id.goog", namespace: "fulcio-system", serviceAccount: "fulcio-server" },
      });
    });
    expect(Object.values(json.resource.google_service_account)[0]).toMatchObject({ account_id: "sigstore-fulcio-use1", project: "p" });
    expect(Object.values(json.resource.google_service_account_iam_member)[0]).toMatchObject({
      role: "roles/iam.workloadIdentityUser",
      member: "serviceAccount:p.svc.id.goog[fulcio-system/fulcio-server]",
    });
    expect(json.resource.google_service_account_key).toBeUndefined();
  });
});

describe("KMS", () => {
  const json = synth((stack) => {
    const ring = new KeyRing(stack, "ring", { project: "p", name: "r", location: "us-east1" });
    const signing = ring.addKey("signing", { name: "s", purpose: "ASYMMETRIC_SIGN", algorithm: "EC_SIGN_P384_SHA384", protectionLevel: "HSM" });
    const kek = ring.addKey("kek", { name: "k", purpose: "ENCRYPT_DECRYPT", algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "HSM" });
    signing.grantSignerVerifier(principal("fulcio", "serviceAccount:f@p.iam.gserviceaccount.com"));
    kek.grantDecrypter(principal("fulcio", "serviceAccount:f@p.iam.gserviceaccount.com"));
  });

  it("protects the ring and keys from destroy, and rotates symmetric keys", () => {
    expect(Object.values(json.resource.google_kms_key_ring)[0]).toMatchObject({ lifecycle: { prevent_destroy: true } });
    const keys = Object.values(json.resource.google_kms_crypto_key) as any[];
    for (const key of keys) expect(key.lifecycle).toEqual({ prevent_destroy: true });
    expect(keys.find((k) => k.name === "k").rotation_period).toBe("7776000s");
    expect(keys.find((k) => k.name === "s").rotation_period).toBeUndefined();
    expect(keys.find((k) => k.name === "s").version_template).toEqual({ algorithm: "EC_SIGN_P384_SHA384", protection_level: "HSM" });
  });

  it("grants on the key, not the ring or project", () => {
    const grants = Object.values(json.resource.google_kms_crypto_key_iam_member) as any[];
    expect(grants.map((g) => g.role).sort()).toEqual(["roles/cloudkms.cryptoKeyDecrypter", "roles/cloudkms.signerVerifier"]);
    for (const g of grants) expect(g.crypto_key_id).toMatch(/^\$\{google_kms_crypto_key\..*\.id\}$/);
  });
});

describe("buckets", () => {
  it("enforce uniform access and public access prevention, version and protect by default", () => {
    const json = synth((stack) => {
      const b = new SecureBucket(stack, "logs", { project: "p", name: "n", location: "US" });
      b.grantObjectAdmin(principal("rekor", "serviceAccount:r@p.iam.gserviceaccount.com"));
    });
    const bucket = Object.values(json.resource.google_storage_bucket)[0] as any;
    expect(bucket).toMatchObject({
      uniform_bucket_level_access: true,
      public_access_prevention: "enforced",
      versioning: { enabled: true },
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
    const grants = Object.values(json.resource.google_storage_bucket_iam_member) as any[];
    expect(grants).toEqual([expect.objectContaining({ role: "roles/storage.objectAdmin", member: "serviceAccount:r@p.iam.gserviceaccount.com" })]);
  });

  it("are readable by allUsers only when their content must be public", () => {
    const json = synth((stack) => new SecureBucket(stack, "tuf", { project: "p", name: "n", location: "US", publicRead: true }));
    const bucket = Object.values(json.resource.google_storage_bucket)[0] as any;
    expect(bucket.public_access_prevention).toBe("inherited");
    expect(Object.values(json.resource.google_storage_bucket_iam_member)).toEqual([
      expect.objectContaining({ role: "roles/storage.objectViewer", member: "allUsers" }),
    ]);
  });
});
