import { Construct } from "constructs";
import { DataGoogleKmsCryptoKeyVersion } from "@cdktf/provider-google/lib/data-google-kms-crypto-key-version";
import { KmsCryptoKey } from "@cdktf/provider-google/lib/kms-crypto-key";
import { KmsCryptoKeyIamMember } from "@cdktf/provider-google/lib/kms-crypto-key-iam-member";
import { KmsKeyRing } from "@cdktf/provider-google/lib/kms-key-ring";
import type { Grantee } from "./iam";
import { preventDestroy } from "./protection";

export type KeyProtectionLevel = "HSM" | "SOFTWARE";

export interface KeyRingProps {
  readonly project: string;
  readonly name: string;
  /** A region; keys never leave it. */
  readonly location: string;
}

/**
 * A KMS key ring. Key rings cannot be deleted in GCP at all, so a destroy
 * would only drop it from state; it is protected like the keys.
 */
export class KeyRing extends Construct {
  readonly keyRing: KmsKeyRing;

  constructor(scope: Construct, id: string, props: KeyRingProps) {
    super(scope, id);
    this.keyRing = preventDestroy(new KmsKeyRing(this, "key-ring", { project: props.project, name: props.name, location: props.location }));
  }

  /** Adds a key to the ring. */
  addKey(id: string, props: CryptoKeyProps): CryptoKey {
    return new CryptoKey(this, id, { ...props, keyRing: this.keyRing.id });
  }
}

export interface CryptoKeyProps {
  readonly name: string;
  readonly purpose: "ASYMMETRIC_SIGN" | "ENCRYPT_DECRYPT";
  /** KMS algorithm, e.g. EC_SIGN_P384_SHA384 or GOOGLE_SYMMETRIC_ENCRYPTION. */
  readonly algorithm: string;
  readonly protectionLevel: KeyProtectionLevel;
  /** Symmetric keys only: automatic rotation. @default 90 days */
  readonly rotationPeriod?: string;
  readonly labels?: { readonly [key: string]: string };
}

/** A KMS key with `prevent_destroy`, and grants on the key itself. */
export class CryptoKey extends Construct {
  readonly key: KmsCryptoKey;
  private readonly versions = new Map<number, DataGoogleKmsCryptoKeyVersion>();

  constructor(scope: Construct, id: string, props: CryptoKeyProps & { readonly keyRing: string }) {
    super(scope, id);
    const symmetric = props.purpose === "ENCRYPT_DECRYPT";
    this.key = preventDestroy(
      new KmsCryptoKey(this, "key", {
        name: props.name,
        keyRing: props.keyRing,
        purpose: props.purpose,
        rotationPeriod: symmetric ? (props.rotationPeriod ?? "7776000s") : undefined,
        // Destroyed versions stay recoverable for 30 days (the maximum is 120).
        destroyScheduledDuration: "2592000s",
        versionTemplate: { algorithm: props.algorithm, protectionLevel: props.protectionLevel },
        labels: props.labels ? { ...props.labels } : undefined,
      }),
    );
  }

  get id(): string {
    return this.key.id;
  }

  /**
   * SubjectPublicKeyInfo PEM of an asymmetric key's version, read in the
   * stack that creates the key (a data source, known once the key exists),
   * so other stacks get it as a cross-stack value and never look it up.
   * The provider reads it at apply time once the key exists, retrying while
   * an HSM version is still being generated.
   * @param version @default 1, the version KMS creates with the key
   */
  publicKeyPem(version = 1): string {
    let data = this.versions.get(version);
    if (!data) {
      data = new DataGoogleKmsCryptoKeyVersion(this, version === 1 ? "public-key" : `public-key-v${version}`, { cryptoKey: this.key.id, version });
      this.versions.set(version, data);
    }
    return data.publicKey.get(0).pem;
  }

  /** Sign with and verify against the key (signing services). */
  grantSignerVerifier(grantee: Grantee): KmsCryptoKeyIamMember {
    return this.grant("roles/cloudkms.signerVerifier", grantee);
  }

  /** Read the public key (verifiers, TUF root builders). */
  grantPublicKeyViewer(grantee: Grantee): KmsCryptoKeyIamMember {
    return this.grant("roles/cloudkms.publicKeyViewer", grantee);
  }

  /** Read key metadata (clients that look up the key before using it). */
  grantViewer(grantee: Grantee): KmsCryptoKeyIamMember {
    return this.grant("roles/cloudkms.viewer", grantee);
  }

  /** Decrypt with a symmetric key (key-encryption keys). */
  grantDecrypter(grantee: Grantee): KmsCryptoKeyIamMember {
    return this.grant("roles/cloudkms.cryptoKeyDecrypter", grantee);
  }

  /** Encrypt and decrypt with a symmetric key (e.g. a disk-encryption key for a service agent). */
  grantEncrypterDecrypter(grantee: Grantee): KmsCryptoKeyIamMember {
    return this.grant("roles/cloudkms.cryptoKeyEncrypterDecrypter", grantee);
  }

  private grant(role: string, grantee: Grantee): KmsCryptoKeyIamMember {
    const short = role.replace("roles/cloudkms.", "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    return new KmsCryptoKeyIamMember(this, `${short}-${grantee.grantId}`, {
      cryptoKeyId: this.key.id,
      role,
      member: grantee.member,
    });
  }
}
