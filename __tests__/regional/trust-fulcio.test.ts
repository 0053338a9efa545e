import { TerraformOutput } from "cdktf";
import { bodiesOf, entriesOf, synthConstruct, testContext, testPlacement } from "../helpers/construct";
import { Fulcio, FulcioProps } from "../../lib/regional/fulcio";
import { FulcioRootCa } from "../../lib/regional/fulcio-root";
import { accountOf, target } from "./trust-helpers";

const POOL = "sigstore-test.svc.id.goog";
/** The deployment's root CA, as another stack would name it. */
const ROOT_CA = "projects/sigstore-test/locations/us-east1/caPools/sigstore-fulcio-root/certificateAuthorities/sigstore-fulcio-root";

function synthFulcio(props: Partial<FulcioProps> = {}): { json: any; fulcio: Fulcio } {
  let fulcio!: Fulcio;
  const json = synthConstruct((scope) => {
    const rootCaId = props.ca === "privateca" ? ROOT_CA : undefined;
    fulcio = new Fulcio(scope, "fulcio", { ...testPlacement(), workloadPool: POOL, rootCaId, ...props });
  });
  return { json, fulcio };
}

describe("Fulcio service account", () => {
  it.each(["kms", "privateca"] as const)("binds fulcio-system/fulcio-server through the given workload pool (%s)", (ca) => {
    const { json } = synthFulcio({ ca });
    expect(bodiesOf(json, "google_service_account")).toEqual([
      expect.objectContaining({ account_id: "sigstore-fulcio-use1", project: "sigstore-test" }),
    ]);
    const [binding] = bodiesOf(json, "google_service_account_iam_member");
    expect(binding).toMatchObject({ role: "roles/iam.workloadIdentityUser", member: `serviceAccount:${POOL}[fulcio-system/fulcio-server]` });
    target(json, binding.service_account_id, "google_service_account", "name");
    expect(bodiesOf(json, "google_service_account_iam_member")).toHaveLength(1);
    expect(json.resource.google_service_account_key).toBeUndefined();
  });
});

describe("Fulcio with a KMS CA", () => {
  const { json, fulcio } = synthFulcio({ ca: "kms", protectionLevel: "SOFTWARE" });
  const keys = entriesOf(json, "google_kms_crypto_key");

  it("is the default mode", () => {
    expect(synthFulcio().fulcio.mode).toBe("kms");
    expect(fulcio.mode).toBe("kms");
  });

  it("creates a regional key ring with an EC P-384 intermediate key and a key-encryption key, both protected", () => {
    expect(bodiesOf(json, "google_kms_key_ring")).toEqual([
      expect.objectContaining({ name: "sigstore-fulcio-us-east1", location: "us-east1", lifecycle: { prevent_destroy: true } }),
    ]);
    const byName = Object.fromEntries(keys.map(([, k]) => [k.name, k]));
    expect(Object.keys(byName).sort()).toEqual(["intermediate", "key-encryption"]);
    expect(byName.intermediate).toMatchObject({
      purpose: "ASYMMETRIC_SIGN",
      version_template: { algorithm: "EC_SIGN_P384_SHA384", protection_level: "SOFTWARE" },
    });
    expect(byName["key-encryption"]).toMatchObject({
      purpose: "ENCRYPT_DECRYPT",
      version_template: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protection_level: "SOFTWARE" },
    });
    for (const [, key] of keys) {
      expect(key.lifecycle).toEqual({ prevent_destroy: true });
      target(json, key.key_ring, "google_kms_key_ring", "id");
    }
  });

  it("grants Fulcio signerVerifier and viewer on the intermediate key and decrypter on the KEK, on the keys only", () => {
    const keyName = (ref: string) => json.resource.google_kms_crypto_key[target(json, ref, "google_kms_crypto_key", "id")].name;
    const grants = bodiesOf(json, "google_kms_crypto_key_iam_member").map((g) => [keyName(g.crypto_key_id), g.role, g.member]);
    expect(grants.map(([key, role, member]) => [key, role, accountOf(json, member)]).sort()).toEqual([
      ["intermediate", "roles/cloudkms.signerVerifier", "sigstore-fulcio-use1"],
      ["intermediate", "roles/cloudkms.viewer", "sigstore-fulcio-use1"],
      ["key-encryption", "roles/cloudkms.cryptoKeyDecrypter", "sigstore-fulcio-use1"],
    ]);
    expect(json.resource.google_kms_key_ring_iam_member).toBeUndefined();
    expect(json.resource.google_project_iam_member).toBeUndefined();
  });

  it("creates no Certificate Authority Service resources", () => {
    expect(json.resource.google_privateca_ca_pool).toBeUndefined();
    expect(json.resource.google_privateca_certificate_authority).toBeUndefined();
    expect(json.resource.google_privateca_ca_pool_iam_member).toBeUndefined();
  });

  it("offers the key ids for the chart and refuses the CA pool ids", () => {
    const out = synthConstruct((scope) => {
      const f = new Fulcio(scope, "fulcio", { ...testPlacement(), workloadPool: POOL });
      new TerraformOutput(scope, "signing", { value: f.signingKeyId });
      new TerraformOutput(scope, "kek", { value: f.keyEncryptionKeyId });
    });
    const keyName = (ref: string) => out.resource.google_kms_crypto_key[target(out, ref, "google_kms_crypto_key", "id")].name;
    expect(keyName(out.output.signing.value)).toBe("intermediate");
    expect(keyName(out.output.kek.value)).toBe("key-encryption");
    expect(() => fulcio.caPoolId).toThrow(/caPoolId exists only with ca "privateca" \(this Fulcio uses "kms"\)/);
    expect(() => fulcio.certificateAuthorityId).toThrow(/only with ca "privateca"/);
  });

  it("uses HSM keys unless told otherwise", () => {
    const { json: hsm } = synthFulcio({ ca: "kms" });
    for (const key of bodiesOf(hsm, "google_kms_crypto_key")) expect(key.version_template.protection_level).toBe("HSM");
  });
});

describe("Fulcio with Certificate Authority Service", () => {
  const { json, fulcio } = synthFulcio({ ca: "privateca" });
  const [[poolId, pool]] = entriesOf(json, "google_privateca_ca_pool");
  const [ca] = bodiesOf(json, "google_privateca_certificate_authority");

  it("creates no KMS key ring or keys", () => {
    expect(fulcio.mode).toBe("privateca");
    expect(json.resource.google_kms_key_ring).toBeUndefined();
    expect(json.resource.google_kms_crypto_key).toBeUndefined();
    expect(json.resource.google_kms_crypto_key_iam_member).toBeUndefined();
  });

  it("creates a regional DevOps-tier pool that publishes nothing, protected from destroy", () => {
    expect(pool).toMatchObject({
      name: "sigstore-fulcio-us-east1",
      location: "us-east1",
      project: "sigstore-test",
      tier: "DEVOPS",
      publishing_options: { publish_ca_cert: false, publish_crl: false },
      lifecycle: { prevent_destroy: true },
    });
  });

  it("issues only short-lived leaf code-signing certificates from config-based requests", () => {
    const policy = pool.issuance_policy;
    expect(policy.allowed_issuance_modes).toEqual({ allow_config_based_issuance: true, allow_csr_based_issuance: false });
    expect(policy.baseline_values.ca_options).toEqual({ non_ca: true });
    expect(policy.baseline_values.key_usage).toEqual({
      base_key_usage: { digital_signature: true },
      extended_key_usage: { code_signing: true },
    });
    // Fulcio asks for 10 minutes; anything over an hour is refused.
    const seconds = Number(/^(\d+)s$/.exec(policy.maximum_lifetime)![1]);
    expect(seconds).toBeGreaterThanOrEqual(600);
    expect(seconds).toBeLessThanOrEqual(3600);
    expect(policy.allowed_key_types).toEqual([
      { rsa: { min_modulus_size: "2048", max_modulus_size: "4096" } },
      { elliptic_curve: { signature_algorithm: "ECDSA_P256" } },
      { elliptic_curve: { signature_algorithm: "ECDSA_P384" } },
    ]);
    expect(policy.identity_constraints).toEqual({ allow_subject_passthrough: true, allow_subject_alt_names_passthrough: true });
  });

  it("creates no self-signed root: an EC P-384 subordinate CA signed by the deployment's root, protected", () => {
    expect(bodiesOf(json, "google_privateca_certificate_authority")).toHaveLength(1);
    expect(ca).toMatchObject({
      certificate_authority_id: "sigstore-fulcio-us-east1-intermediate",
      location: "us-east1",
      type: "SUBORDINATE",
      subordinate_config: { certificate_authority: ROOT_CA },
      key_spec: { algorithm: "EC_P384_SHA384" },
      deletion_protection: true,
      skip_grace_period: false,
      ignore_active_certificates_on_deletion: false,
      lifecycle: { prevent_destroy: true },
    });
    // Inside the root's 10 years.
    expect(Number(/^(\d+)s$/.exec(ca.lifetime)![1])).toBeLessThan(315360000);
    expect(target(json, ca.pool, "google_privateca_ca_pool", "name")).toBe(poolId);
    expect(ca.config.x509_config).toEqual({
      ca_options: { is_ca: true, zero_max_issuer_path_length: true },
      key_usage: { base_key_usage: { cert_sign: true, crl_sign: true }, extended_key_usage: { code_signing: true } },
    });
    expect(ca.config.subject_config.subject).toEqual({ organization: "sigstore", common_name: "sigstore-fulcio-us-east1-intermediate" });
  });

  it("offers the subordinate's chain (its certificate first, the root last) for the trusted root", () => {
    const out = synthConstruct((scope) => {
      const f = new Fulcio(scope, "fulcio", { ...testPlacement(), workloadPool: POOL, ca: "privateca", rootCaId: ROOT_CA });
      new TerraformOutput(scope, "chain", { value: f.caChainPem });
    });
    target(out, out.output.chain.value, "google_privateca_certificate_authority", "pem_ca_certificates");
    expect(() => synthFulcio().fulcio.caChainPem).toThrow(/caChainPem exists only with ca "privateca"/);
  });

  it("lets Fulcio request certificates from the pool and read its CAs, on the pool only", () => {
    const grants = bodiesOf(json, "google_privateca_ca_pool_iam_member");
    expect(grants).toHaveLength(1);
    expect(grants[0].role).toBe("roles/privateca.certificateManager");
    expect(target(json, grants[0].ca_pool, "google_privateca_ca_pool", "id")).toBe(poolId);
    expect(accountOf(json, grants[0].member)).toBe("sigstore-fulcio-use1");
    expect(json.resource.google_project_iam_member).toBeUndefined();
  });

  it("offers the pool and CA ids and refuses the key ids", () => {
    const out = synthConstruct((scope) => {
      const f = new Fulcio(scope, "fulcio", { ...testPlacement(), workloadPool: POOL, ca: "privateca", rootCaId: ROOT_CA });
      new TerraformOutput(scope, "pool", { value: f.caPoolId });
      new TerraformOutput(scope, "ca", { value: f.certificateAuthorityId });
    });
    target(out, out.output.pool.value, "google_privateca_ca_pool", "id");
    target(out, out.output.ca.value, "google_privateca_certificate_authority", "id");
    expect(() => fulcio.signingKeyId).toThrow(/signingKeyId exists only with ca "kms" \(this Fulcio uses "privateca"\)/);
    expect(() => fulcio.keyEncryptionKeyId).toThrow(/only with ca "kms"/);
  });

  it("takes the subordinate's subject from props", () => {
    const { json: custom } = synthFulcio({ ca: "privateca", caSubject: { organization: "Example Corp", commonName: "Example Fulcio Root" } });
    expect(bodiesOf(custom, "google_privateca_certificate_authority")[0].config.subject_config.subject).toEqual({
      organization: "Example Corp",
      common_name: "Example Fulcio Root",
    });
  });
});

describe("Fulcio names and errors", () => {
  it("carries the region in every name, so two regions never collide", () => {
    for (const ca of ["kms", "privateca"] as const) {
      const json = synthConstruct((scope) => {
        for (const region of ["us-east1", "europe-west1"]) {
          new Fulcio(scope, `fulcio-${region}`, { ...testPlacement({ region }), workloadPool: POOL, ca, rootCaId: ca === "privateca" ? ROOT_CA : undefined });
        }
      });
      const names = [
        ...bodiesOf(json, "google_service_account").map((a) => a.account_id),
        ...bodiesOf(json, "google_kms_key_ring").map((r) => r.name),
        ...bodiesOf(json, "google_privateca_ca_pool").map((p) => p.name),
        ...bodiesOf(json, "google_privateca_certificate_authority").map((c) => c.certificate_authority_id),
      ];
      expect(new Set(names).size).toBe(names.length);
      expect(names.filter((n) => /euw1|europe-west1/.test(n))).toHaveLength(names.length / 2);
    }
  });

  it("rejects an unknown CA mode, protection level or a missing workload pool", () => {
    expect(() => synthFulcio({ ca: "tinkca" as any })).toThrow(/Fulcio ca must be "kms" or "privateca", got "tinkca"/);
    expect(() => synthFulcio({ protectionLevel: "EXTERNAL" as any })).toThrow(/protectionLevel must be "HSM" or "SOFTWARE"/);
    expect(() => synthFulcio({ workloadPool: "" })).toThrow(/needs the cluster's workloadPool/);
    expect(() => synthFulcio({ ca: "kms", caSubject: { organization: "o", commonName: "c" } })).toThrow(/caSubject applies only to ca "privateca"/);
    expect(() => synthFulcio({ ca: "privateca", rootCaId: "" })).toThrow(/needs rootCaId/);
    expect(() => synthFulcio({ ca: "kms", rootCaId: ROOT_CA })).toThrow(/rootCaId applies only to ca "privateca"/);
  });
});

describe("Fulcio's KMS intermediate public key", () => {
  it("is read from the key's first version in the same stack, for the ceremony", () => {
    const out = synthConstruct((scope) => {
      const f = new Fulcio(scope, "fulcio", { ...testPlacement(), workloadPool: POOL });
      new TerraformOutput(scope, "pub", { value: f.intermediatePublicKeyPem });
    });
    const m = /^\$\{data\.google_kms_crypto_key_version\.([^.]+)\.public_key\[0\]\.pem\}$/.exec(out.output.pub.value);
    expect(m).not.toBeNull();
    const version = out.data.google_kms_crypto_key_version[m![1]];
    expect(version.version).toBe(1);
    expect(out.resource.google_kms_crypto_key[target(out, version.crypto_key, "google_kms_crypto_key", "id")].name).toBe("intermediate");
  });
});

describe("The deployment's Fulcio root (CA Service)", () => {
  const json = synthConstruct((scope) => {
    new FulcioRootCa(scope, "root", { context: testContext() });
  });
  const [[poolId, pool]] = entriesOf(json, "google_privateca_ca_pool");
  const [ca] = bodiesOf(json, "google_privateca_certificate_authority");

  it("is one self-signed EC P-384 root, 10 years, path length 1, protected", () => {
    expect(bodiesOf(json, "google_privateca_certificate_authority")).toHaveLength(1);
    expect(ca).toMatchObject({
      certificate_authority_id: "sigstore-fulcio-root",
      location: "us-east1",
      type: "SELF_SIGNED",
      lifetime: "315360000s",
      key_spec: { algorithm: "EC_P384_SHA384" },
      deletion_protection: true,
      skip_grace_period: false,
      lifecycle: { prevent_destroy: true },
    });
    expect(ca.config.x509_config.ca_options).toEqual({ is_ca: true, max_issuer_path_length: 1 });
    expect(target(json, ca.pool, "google_privateca_ca_pool", "name")).toBe(poolId);
  });

  it("sits in an Enterprise pool that only signs P-384 issuing CAs from a CSR, and grants nobody", () => {
    expect(pool).toMatchObject({ name: "sigstore-fulcio-root", tier: "ENTERPRISE", lifecycle: { prevent_destroy: true } });
    expect(pool.issuance_policy.allowed_issuance_modes).toEqual({ allow_csr_based_issuance: true, allow_config_based_issuance: false });
    expect(pool.issuance_policy.allowed_key_types).toEqual([{ elliptic_curve: { signature_algorithm: "ECDSA_P384" } }]);
    expect(pool.issuance_policy.baseline_values.ca_options).toEqual({ is_ca: true, zero_max_issuer_path_length: true });
    expect(json.resource.google_privateca_ca_pool_iam_member).toBeUndefined();
  });
});
