import { Construct } from "constructs";
import type { KmsCryptoKeyIamMember } from "@cdktf/provider-google/lib/kms-crypto-key-iam-member";
import { Grantee, WorkloadIdentityServiceAccount } from "../shared/iam";
import { CryptoKey, KeyProtectionLevel, KeyRing } from "../shared/kms";
import { KEY_RING_NAME, nameOrDefault, RegionalPlacementProps, regionalNames, SERVICE_ACCOUNT_ID } from "../shared/regional-props";

/** Where the tsa chart runs its server (`namespace.name`, and the server's service account for a release named "tsa"). */
export const TSA_KUBERNETES = { namespace: "tsa-system", serviceAccount: "tsa-server" } as const;

/** The timestamp server's `--timestamp-signer`. */
export type TimestampSigner = "tink" | "kms";

export interface TimestampAuthorityProps extends RegionalPlacementProps {
  /** The cluster's workload pool (`<project>.svc.id.goog`), as a reference to the cluster. */
  readonly workloadPool: string;
  /** Protection level of both keys. @default "HSM" */
  readonly protectionLevel?: KeyProtectionLevel;
  /**
   * How the server signs timestamps, which decides what it may do with the keys:
   * - `tink` (the chart's default): with a Tink keyset encrypted by the
   *   key-encryption key; the server may only decrypt with that key. The KMS
   *   signing key is then the CA key that certifies the Tink key, used once
   *   by whoever builds the certificate chain (`grantChainSigner`).
   * - `kms`: directly with the KMS signing key; the server may sign with it.
   * @default "tink"
   */
  readonly signer?: TimestampSigner;
  /** Id of the server's Google service account. @default "<namePrefix>-tsa-<region code>" (e.g. sigstore-tsa-use1) */
  readonly serviceAccountId?: string;
  /** Name of the key ring of the signing and key-encryption keys. @default "<namePrefix>-tsa-<region>" */
  readonly keyRingName?: string;
}

/**
 * The Timestamp Authority's keys and identity in one region: a key ring with
 * an EC P-384 signing key and a key-encryption key, and the server's service
 * account bound to the chart's Kubernetes service account, with grants on the
 * one key its signer uses.
 */
export class TimestampAuthority extends Construct {
  readonly signer: TimestampSigner;
  /** The Google service account the timestamp server runs as. */
  readonly serviceAccount: WorkloadIdentityServiceAccount;
  private readonly signingKey: CryptoKey;
  private readonly keyEncryptionKey: CryptoKey;

  constructor(scope: Construct, id: string, props: TimestampAuthorityProps) {
    super(scope, id);
    const names = regionalNames(this, "TimestampAuthority", props);
    const { project, region } = props;
    this.signer = props.signer ?? "tink";
    if (this.signer !== "tink" && this.signer !== "kms") {
      throw new Error(`TimestampAuthority signer must be "tink" or "kms", got "${String(this.signer)}" (${this.node.path})`);
    }
    const protectionLevel = props.protectionLevel ?? "HSM";
    if (protectionLevel !== "HSM" && protectionLevel !== "SOFTWARE") {
      throw new Error(`TimestampAuthority protectionLevel must be "HSM" or "SOFTWARE", got "${String(protectionLevel)}" (${this.node.path})`);
    }
    if (!props.workloadPool) throw new Error(`TimestampAuthority needs the cluster's workloadPool (${this.node.path})`);

    this.serviceAccount = new WorkloadIdentityServiceAccount(this, "server", {
      project,
      accountId: nameOrDefault(this, "serviceAccountId", props.serviceAccountId, () => names.serviceAccountId("tsa", region), SERVICE_ACCOUNT_ID),
      displayName: `Timestamp Authority (${region})`,
      description: "Timestamp server: signs RFC 3161 timestamps",
      kubernetes: { workloadPool: props.workloadPool, ...TSA_KUBERNETES },
    });

    const ringName = nameOrDefault(this, "keyRingName", props.keyRingName, () => names.of("tsa", region), KEY_RING_NAME);
    const ring = new KeyRing(this, "keys", { project, name: ringName, location: region });
    this.signingKey = ring.addKey("signing", {
      name: "signing",
      purpose: "ASYMMETRIC_SIGN",
      algorithm: "EC_SIGN_P384_SHA384",
      protectionLevel,
    });
    this.keyEncryptionKey = ring.addKey("kek", {
      name: "key-encryption",
      purpose: "ENCRYPT_DECRYPT",
      algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION",
      protectionLevel,
    });

    if (this.signer === "tink") {
      // Tink only decrypts its keyset at start-up.
      this.keyEncryptionKey.grantDecrypter(this.serviceAccount);
    } else {
      // The KMS signer signs, and reads the key's metadata and public key.
      this.signingKey.grantSignerVerifier(this.serviceAccount);
      this.signingKey.grantViewer(this.serviceAccount);
    }
  }

  /** KMS signing key, for `gcpkms://<id>` (the chart's `kms_key_resource`, or the chain builder's CA key). */
  get signingKeyId(): string {
    return this.signingKey.id;
  }

  /**
   * Public key (SPKI PEM) of the signing key's first version: the key the
   * region's certificate (chain to the deployment's TSA root) certifies.
   */
  get signingPublicKeyPem(): string {
    return this.signingKey.publicKeyPem();
  }

  /** Key-encryption key, for `gcp-kms://<id>` (the chart's `tink_key_resource`). */
  get keyEncryptionKeyId(): string {
    return this.keyEncryptionKey.id;
  }

  /**
   * Lets an operator or job sign with the signing key to build the
   * certificate chain (e.g. `fetch-tsa-certs`), without making it the server's.
   */
  grantChainSigner(grantee: Grantee): KmsCryptoKeyIamMember {
    return this.signingKey.grantSignerVerifier(grantee);
  }

  /** Lets a verifier or a trust root builder read the signing key's public key, on the key only. */
  grantPublicKeyViewer(grantee: Grantee): KmsCryptoKeyIamMember {
    return this.signingKey.grantPublicKeyViewer(grantee);
  }
}
