import { TerraformOutput } from "cdktf";
import { principal } from "../../lib/shared/iam";
import { TufRepository, TufRepositoryProps } from "../../lib/regional/tuf";
import { bodiesOf, synthConstruct, testContext } from "../helpers/construct";
import { accountOf, resourceAt } from "./trust-helpers";

const POOL = "sigstore-test.svc.id.goog";
const SERVING = "sigstore-test-sigstore-tuf-us-east1";
const PREPROD = "sigstore-test-sigstore-tuf-preprod-us-east1";

function synthTuf(props: Partial<TufRepositoryProps> = {}, extra?: (tuf: TufRepository, scope: any) => void): any {
  return synthConstruct((scope) => {
    const tuf = new TufRepository(scope, "tuf", { context: testContext(), workloadPool: POOL, ...props });
    extra?.(tuf, scope);
  });
}

function member(json: any, m: string): string {
  return m.startsWith("serviceAccount:$") ? accountOf(json, m) : m;
}

describe("TufRepository", () => {
  const json = synthTuf({ protectionLevel: "SOFTWARE", viewers: [principal("root-signers", "group:tuf-root@example.com")] });
  const buckets = Object.fromEntries(bodiesOf(json, "google_storage_bucket").map((b) => [b.name, b]));

  it("creates a serving and a preprod bucket in the region, both protected and versioned", () => {
    expect(Object.keys(buckets).sort()).toEqual([PREPROD, SERVING]);
    for (const bucket of Object.values(buckets) as any[]) {
      expect(bucket).toMatchObject({
        location: "us-east1",
        uniform_bucket_level_access: true,
        versioning: { enabled: true },
        force_destroy: false,
        lifecycle: { prevent_destroy: true },
      });
    }
  });

  it("makes only the serving bucket public, and only as objectViewer for allUsers", () => {
    expect(buckets[SERVING].public_access_prevention).toBe("inherited");
    expect(buckets[PREPROD].public_access_prevention).toBe("enforced");
    const publicGrants = bodiesOf(json, "google_storage_bucket_iam_member").filter((g) => g.member === "allUsers" || g.member === "allAuthenticatedUsers");
    expect(publicGrants).toHaveLength(1);
    expect(publicGrants[0].role).toBe("roles/storage.objectViewer");
    expect(resourceAt(json, publicGrants[0].bucket, "google_storage_bucket", "name").name).toBe(SERVING);
    for (const grant of bodiesOf(json, "google_kms_crypto_key_iam_member")) expect(grant.member).not.toMatch(/^all(Authenticated)?Users$/);
  });

  it("lets browsers read the serving bucket cross-origin, with read-only methods", () => {
    expect(buckets[SERVING].cors).toEqual([{ origin: ["*"], method: ["GET", "HEAD"], max_age_seconds: 3600 }]);
    expect(buckets[PREPROD].cors).toBeUndefined();
  });

  it("lets the publisher administer objects of both buckets, and nobody else write", () => {
    const grants = bodiesOf(json, "google_storage_bucket_iam_member")
      .filter((g) => g.member !== "allUsers")
      .map((g) => [resourceAt(json, g.bucket, "google_storage_bucket", "name").name, g.role, member(json, g.member)])
      .sort();
    expect(grants).toEqual([
      [PREPROD, "roles/storage.objectAdmin", "sigstore-tuf-pub-use1"],
      [SERVING, "roles/storage.objectAdmin", "sigstore-tuf-pub-use1"],
    ]);
  });

  it("creates a protected EC P-256 signing key at the configured level, whose only version is the explicit one", () => {
    expect(bodiesOf(json, "google_kms_key_ring")).toEqual([
      expect.objectContaining({ name: "sigstore-tuf-us-east1", location: "us-east1", lifecycle: { prevent_destroy: true } }),
    ]);
    const [key] = bodiesOf(json, "google_kms_crypto_key");
    expect(bodiesOf(json, "google_kms_crypto_key")).toHaveLength(1);
    expect(key).toMatchObject({
      name: "signing",
      purpose: "ASYMMETRIC_SIGN",
      version_template: { algorithm: "EC_SIGN_P256_SHA256", protection_level: "SOFTWARE" },
      skip_initial_version_creation: true,
      lifecycle: { prevent_destroy: true },
    });
    const [version] = bodiesOf(json, "google_kms_crypto_key_version");
    expect(bodiesOf(json, "google_kms_crypto_key_version")).toHaveLength(1);
    expect(version.lifecycle).toEqual({ prevent_destroy: true });
    expect(resourceAt(json, version.crypto_key, "google_kms_crypto_key", "id")).toBe(key);
    expect(bodiesOf(synthTuf(), "google_kms_crypto_key")[0].version_template.protection_level).toBe("HSM");
  });

  it("lets the signer sign and read the public key, and the viewers only read it, on the key", () => {
    const grants = bodiesOf(json, "google_kms_crypto_key_iam_member").map((g) => {
      expect(resourceAt(json, g.crypto_key_id, "google_kms_crypto_key", "id").name).toBe("signing");
      return [g.role, member(json, g.member)];
    });
    expect(grants.sort()).toEqual([
      ["roles/cloudkms.publicKeyViewer", "group:tuf-root@example.com"],
      ["roles/cloudkms.publicKeyViewer", "sigstore-tuf-sign-use1"],
      ["roles/cloudkms.signerVerifier", "sigstore-tuf-sign-use1"],
    ]);
    expect(json.resource.google_kms_key_ring_iam_member).toBeUndefined();
    expect(json.resource.google_project_iam_member).toBeUndefined();
  });

  it("binds the signer and publisher to their own Kubernetes service accounts in tuf-system", () => {
    const bindings = bodiesOf(json, "google_service_account_iam_member").map((b) => {
      expect(b.role).toBe("roles/iam.workloadIdentityUser");
      return [resourceAt(json, b.service_account_id, "google_service_account", "name").account_id, b.member];
    });
    expect(bindings.sort()).toEqual([
      ["sigstore-tuf-pub-use1", `serviceAccount:${POOL}[tuf-system/tuf-publisher]`],
      ["sigstore-tuf-sign-use1", `serviceAccount:${POOL}[tuf-system/tuf-signer]`],
    ]);
    expect(json.resource.google_service_account_key).toBeUndefined();
  });

  it("grants public key access to more viewers on request, and has none by default", () => {
    expect(bodiesOf(synthTuf(), "google_kms_crypto_key_iam_member").filter((g) => !g.member.startsWith("serviceAccount:$"))).toEqual([]);
    const more = synthTuf({}, (tuf) => tuf.grantPublicKeyViewer(principal("verifier", "serviceAccount:v@other.iam.gserviceaccount.com")));
    expect(bodiesOf(more, "google_kms_crypto_key_iam_member").filter((g) => g.member === "serviceAccount:v@other.iam.gserviceaccount.com")).toEqual([
      expect.objectContaining({ role: "roles/cloudkms.publicKeyViewer" }),
    ]);
  });

  it("offers bucket names and the key version for the signer", () => {
    const out = synthTuf({}, (tuf, scope) => {
      new TerraformOutput(scope, "version", { value: tuf.signingKeyVersionId });
      new TerraformOutput(scope, "key", { value: tuf.signingKeyId });
      new TerraformOutput(scope, "serving", { value: tuf.servingBucket.name });
      new TerraformOutput(scope, "preprod", { value: tuf.preprodBucket.name });
    });
    resourceAt(out, out.output.version.value, "google_kms_crypto_key_version", "name");
    expect(resourceAt(out, out.output.key.value, "google_kms_crypto_key", "id").name).toBe("signing");
    expect(resourceAt(out, out.output.serving.value, "google_storage_bucket", "name").name).toBe(SERVING);
    expect(resourceAt(out, out.output.preprod.value, "google_storage_bucket", "name").name).toBe(PREPROD);
  });

  it("carries the region in its names, so two regions never collide", () => {
    const two = synthConstruct((scope) => {
      for (const region of ["us-east1", "europe-west1"]) new TufRepository(scope, `tuf-${region}`, { context: testContext({ region }), workloadPool: POOL });
    });
    const names = [
      ...bodiesOf(two, "google_storage_bucket").map((b) => b.name),
      ...bodiesOf(two, "google_kms_key_ring").map((r) => r.name),
      ...bodiesOf(two, "google_service_account").map((a) => a.account_id),
    ];
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => /europe-west1|euw1/.test(n))).toHaveLength(names.length / 2);
  });

  it("rejects viewers whose grant ids clash, a bad protection level or a missing workload pool", () => {
    const a = principal("auditors", "group:a@example.com");
    expect(() => synthTuf({ viewers: [a, a] })).toThrow(/viewer grantId "auditors" is used twice/);
    expect(() => synthTuf({ viewers: [principal("signer", "group:s@example.com")] })).toThrow(/"signer" is taken by the signer/);
    expect(() => synthTuf({ protectionLevel: "EXTERNAL" as any })).toThrow(/protectionLevel must be "HSM" or "SOFTWARE"/);
    expect(() => synthTuf({ workloadPool: "" })).toThrow(/needs the cluster's workloadPool/);
  });
});
