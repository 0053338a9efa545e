import { TerraformOutput } from "cdktf";
import { principal } from "../../lib/shared/iam";
import { TimestampAuthority, TimestampAuthorityProps } from "../../lib/regional/timestamp";
import { bodiesOf, synthConstruct, testPlacement } from "../helpers/construct";
import { accountOf, resourceAt } from "./trust-helpers";

const POOL = "sigstore-test.svc.id.goog";

function synthTsa(props: Partial<TimestampAuthorityProps> = {}, extra?: (tsa: TimestampAuthority, scope: any) => void): any {
  return synthConstruct((scope) => {
    const tsa = new TimestampAuthority(scope, "tsa", { ...testPlacement(), workloadPool: POOL, ...props });
    extra?.(tsa, scope);
  });
}

/** [key name, role, account id or member] of every KMS grant. */
function kmsGrants(json: any): string[][] {
  return bodiesOf(json, "google_kms_crypto_key_iam_member")
    .map((g) => [
      resourceAt(json, g.crypto_key_id, "google_kms_crypto_key", "id").name,
      g.role,
      g.member.startsWith("serviceAccount:$") ? accountOf(json, g.member) : g.member,
    ])
    .sort();
}

describe("TimestampAuthority", () => {
  const json = synthTsa({ protectionLevel: "SOFTWARE" });

  it("creates a regional key ring with an EC P-384 signing key and a key-encryption key, protected, at the configured level", () => {
    expect(bodiesOf(json, "google_kms_key_ring")).toEqual([
      expect.objectContaining({ name: "sigstore-tsa-us-east1", location: "us-east1", project: "sigstore-test", lifecycle: { prevent_destroy: true } }),
    ]);
    const keys = bodiesOf(json, "google_kms_crypto_key");
    expect(keys.map((k) => [k.name, k.purpose, k.version_template.algorithm]).sort()).toEqual([
      ["key-encryption", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION"],
      ["signing", "ASYMMETRIC_SIGN", "EC_SIGN_P384_SHA384"],
    ]);
    for (const key of keys) {
      expect(key.lifecycle).toEqual({ prevent_destroy: true });
      expect(key.version_template.protection_level).toBe("SOFTWARE");
      resourceAt(json, key.key_ring, "google_kms_key_ring", "id");
    }
    for (const key of bodiesOf(synthTsa(), "google_kms_crypto_key")) expect(key.version_template.protection_level).toBe("HSM");
  });

  it("binds tsa-system/tsa-server through the given workload pool, with no key", () => {
    expect(bodiesOf(json, "google_service_account").map((a) => a.account_id)).toEqual(["sigstore-tsa-use1"]);
    const [binding] = bodiesOf(json, "google_service_account_iam_member");
    expect(binding).toMatchObject({ role: "roles/iam.workloadIdentityUser", member: `serviceAccount:${POOL}[tsa-system/tsa-server]` });
    expect(resourceAt(json, binding.service_account_id, "google_service_account", "name").account_id).toBe("sigstore-tsa-use1");
    expect(json.resource.google_service_account_key).toBeUndefined();
  });

  it("with the Tink signer (default), lets the server only decrypt with the key-encryption key", () => {
    expect(kmsGrants(json)).toEqual([["key-encryption", "roles/cloudkms.cryptoKeyDecrypter", "sigstore-tsa-use1"]]);
    expect(json.resource.google_kms_key_ring_iam_member).toBeUndefined();
    expect(json.resource.google_project_iam_member).toBeUndefined();
  });

  it("with the KMS signer, lets the server sign with and view the signing key, and nothing on the KEK", () => {
    const kms = synthTsa({ signer: "kms" });
    expect(kmsGrants(kms)).toEqual([
      ["signing", "roles/cloudkms.signerVerifier", "sigstore-tsa-use1"],
      ["signing", "roles/cloudkms.viewer", "sigstore-tsa-use1"],
    ]);
    expect(kms.resource.google_kms_key_ring_iam_member).toBeUndefined();
  });

  it("lets a named operator sign the certificate chain with the signing key", () => {
    const withOperator = synthTsa({}, (tsa) => tsa.grantChainSigner(principal("ops", "group:tsa-ops@example.com")));
    expect(kmsGrants(withOperator)).toEqual([
      ["key-encryption", "roles/cloudkms.cryptoKeyDecrypter", "sigstore-tsa-use1"],
      ["signing", "roles/cloudkms.signerVerifier", "group:tsa-ops@example.com"],
    ]);
  });

  it("offers the key ids for the chart", () => {
    const out = synthTsa({}, (tsa, scope) => {
      new TerraformOutput(scope, "signing", { value: tsa.signingKeyId });
      new TerraformOutput(scope, "kek", { value: tsa.keyEncryptionKeyId });
    });
    expect(resourceAt(out, out.output.signing.value, "google_kms_crypto_key", "id").name).toBe("signing");
    expect(resourceAt(out, out.output.kek.value, "google_kms_crypto_key", "id").name).toBe("key-encryption");
  });

  it("carries the region in its names, so two regions never collide", () => {
    const two = synthConstruct((scope) => {
      for (const region of ["us-east1", "asia-northeast1"]) {
        new TimestampAuthority(scope, `tsa-${region}`, { ...testPlacement({ region }), workloadPool: POOL });
      }
    });
    expect(bodiesOf(two, "google_kms_key_ring").map((r) => r.name).sort()).toEqual(["sigstore-tsa-asia-northeast1", "sigstore-tsa-us-east1"]);
    expect(bodiesOf(two, "google_service_account").map((a) => a.account_id).sort()).toEqual(["sigstore-tsa-asne1", "sigstore-tsa-use1"]);
  });

  it("rejects an unknown signer, protection level or a missing workload pool", () => {
    expect(() => synthTsa({ signer: "file" as any })).toThrow(/signer must be "tink" or "kms", got "file"/);
    expect(() => synthTsa({ protectionLevel: "hsm" as any })).toThrow(/protectionLevel must be "HSM" or "SOFTWARE"/);
    expect(() => synthTsa({ workloadPool: "" })).toThrow(/needs the cluster's workloadPool/);
  });
});
