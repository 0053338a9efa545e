import { Construct } from "constructs";
import type { KmsCryptoKeyIamMember } from "@cdktf/provider-google/lib/kms-crypto-key-iam-member";
import { PrivatecaCaPool } from "@cdktf/provider-google/lib/privateca-ca-pool";
import { PrivatecaCaPoolIamMember } from "@cdktf/provider-google/lib/privateca-ca-pool-iam-member";
import { PrivatecaCertificateAuthority } from "@cdktf/provider-google/lib/privateca-certificate-authority";
import { Grantee, WorkloadIdentityServiceAccount } from "../shared/iam";
import { CryptoKey, KeyProtectionLevel, KeyRing } from "../shared/kms";
import { preventDestroy } from "../shared/protection";
import { KEY_RING_NAME, nameOrDefault, RegionalPlacementProps, regionalNames, RFC1035_NAME, SERVICE_ACCOUNT_ID } from "../shared/regional-props";
import { FULCIO_INTERMEDIATE_LIFETIME } from "./fulcio-root";

/** Where the Fulcio chart runs its server (`namespace.name`, and the server's service account for a release named "fulcio"). */
export const FULCIO_KUBERNETES = { namespace: "fulcio-system", serviceAccount: "fulcio-server" } as const;

export type FulcioCaMode = "kms" | "privateca";

export interface FulcioProps extends RegionalPlacementProps {
  /** The cluster's workload pool (`<project>.svc.id.goog`), as a reference to the cluster. */
  readonly workloadPool: string;
  /**
   * `kms`: Fulcio's `kmsca`/`tinkca`, an intermediate key held in Cloud KMS
   * (the chain up to an offline root is supplied to the chart);
   * `privateca`: Fulcio's `googleca`, a Certificate Authority Service pool
   * with a subordinate CA signed by the deployment's root (`rootCaId`). @default "kms"
   */
  readonly ca?: FulcioCaMode;
  /**
   * Full resource name of the deployment's root CA (`FulcioRootCa.certificateAuthorityId`,
   * a cross-stack value outside the primary region) that signs this region's
   * subordinate CA. Required with `privateca`; not allowed with `kms`.
   * @default none (`kms` mode)
   */
  readonly rootCaId?: string;
  /** Protection level of the KMS keys (`kms` mode only). @default "HSM" */
  readonly protectionLevel?: KeyProtectionLevel;
  /**
   * Subject of the region's subordinate CA (`privateca` mode only).
   * @default { organization: <namePrefix>, commonName: "<namePrefix>-fulcio-<region>-intermediate" }
   */
  readonly caSubject?: { readonly organization: string; readonly commonName: string };
  /** Id of the server's Google service account. @default "<namePrefix>-fulcio-<region code>" (e.g. sigstore-fulcio-use1) */
  readonly serviceAccountId?: string;
  /** Name of the key ring of the intermediate and key-encryption keys (`kms` mode only). @default "<namePrefix>-fulcio-<region>" */
  readonly keyRingName?: string;
  /** Name of the CA pool (`privateca` mode only). @default "<namePrefix>-fulcio-<region>" */
  readonly caPoolName?: string;
  /** Id of the subordinate CA in the pool (`privateca` mode only). @default "<namePrefix>-fulcio-<region>-intermediate" */
  readonly certificateAuthorityName?: string;
}

/** Fulcio's certificates live 10 minutes; the pool refuses anything over an hour, which bounds what a misused Fulcio identity could mint. */
const MAX_LEAF_LIFETIME = "3600s";

/**
 * Fulcio's identity and its certificate authority in one region: a service
 * account bound to the chart's Kubernetes service account, and either KMS keys
 * (an EC P-384 intermediate signing key and a key-encryption key for a Tink
 * keyset; the chain up to the offline root comes from configuration) or a
 * Certificate Authority Service pool with a subordinate CA signed by the
 * deployment's one root (`FulcioRootCa`, in the primary region).
 * Fulcio gets only the roles it needs, on the keys or the pool themselves.
 */
export class Fulcio extends Construct {
  readonly mode: FulcioCaMode;
  /** The Google service account the Fulcio server runs as. */
  readonly serviceAccount: WorkloadIdentityServiceAccount;
  private readonly intermediateKey?: CryptoKey;
  private readonly keyEncryptionKey?: CryptoKey;
  private readonly caPool?: PrivatecaCaPool;
  private readonly subordinateCa?: PrivatecaCertificateAuthority;

  constructor(scope: Construct, id: string, props: FulcioProps) {
    super(scope, id);
    const names = regionalNames(this, "Fulcio", props);
    const { project, region } = props;
    this.mode = props.ca ?? "kms";
    if (this.mode !== "kms" && this.mode !== "privateca") {
      throw new Error(`Fulcio ca must be "kms" or "privateca", got "${String(this.mode)}" (${this.node.path})`);
    }
    const protectionLevel = props.protectionLevel ?? "HSM";
    if (protectionLevel !== "HSM" && protectionLevel !== "SOFTWARE") {
      throw new Error(`Fulcio protectionLevel must be "HSM" or "SOFTWARE", got "${String(protectionLevel)}" (${this.node.path})`);
    }
    if (!props.workloadPool) throw new Error(`Fulcio needs the cluster's workloadPool (${this.node.path})`);
    if (props.caSubject && this.mode !== "privateca") {
      throw new Error(`Fulcio caSubject applies only to ca "privateca"; a "kms" CA's certificate comes with its chain (${this.node.path})`);
    }
    if (this.mode === "privateca" && !props.rootCaId) {
      throw new Error(`Fulcio with ca "privateca" needs rootCaId, the deployment's root CA (FulcioRootCa) that signs the region's subordinate (${this.node.path})`);
    }
    if (this.mode === "kms" && props.rootCaId) {
      throw new Error(`Fulcio rootCaId applies only to ca "privateca"; a "kms" CA's chain to the offline root comes from configuration (${this.node.path})`);
    }
    for (const [field, given, mode] of [["keyRingName", props.keyRingName, "kms"], ["caPoolName", props.caPoolName, "privateca"], ["certificateAuthorityName", props.certificateAuthorityName, "privateca"]] as const) {
      if (given !== undefined && this.mode !== mode) throw new Error(`Fulcio ${field} applies only to ca "${mode}" (${this.node.path})`);
    }
    const accountId = nameOrDefault(this, "serviceAccountId", props.serviceAccountId, () => names.serviceAccountId("fulcio", region), SERVICE_ACCOUNT_ID);

    this.serviceAccount = new WorkloadIdentityServiceAccount(this, "server", {
      project,
      accountId,
      displayName: `Fulcio (${region})`,
      description: "Fulcio server: issues code-signing certificates",
      kubernetes: { workloadPool: props.workloadPool, ...FULCIO_KUBERNETES },
    });

    if (this.mode === "kms") {
      const ringName = nameOrDefault(this, "keyRingName", props.keyRingName, () => names.of("fulcio", region), KEY_RING_NAME);
      const ring = new KeyRing(this, "keys", { project, name: ringName, location: region });
      this.intermediateKey = ring.addKey("intermediate", {
        name: "intermediate",
        purpose: "ASYMMETRIC_SIGN",
        algorithm: "EC_SIGN_P384_SHA384",
        protectionLevel,
      });
      // kmsca signs with the key and reads its metadata and public key.
      this.intermediateKey.grantSignerVerifier(this.serviceAccount);
      this.intermediateKey.grantViewer(this.serviceAccount);
      // tinkca decrypts its keyset with this key; it never encrypts.
      this.keyEncryptionKey = ring.addKey("kek", {
        name: "key-encryption",
        purpose: "ENCRYPT_DECRYPT",
        algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION",
        protectionLevel,
      });
      this.keyEncryptionKey.grantDecrypter(this.serviceAccount);
    } else {
      const caName = nameOrDefault(this, "certificateAuthorityName", props.certificateAuthorityName, () => names.of("fulcio", region, "intermediate"), RFC1035_NAME);
      const poolName = nameOrDefault(this, "caPoolName", props.caPoolName, () => names.of("fulcio", region), RFC1035_NAME);
      const subject = props.caSubject ?? {
        organization: names.prefix,
        commonName: names.of("fulcio", region, "intermediate"),
      };
      this.caPool = preventDestroy(
        new PrivatecaCaPool(this, "ca-pool", {
          project,
          name: poolName,
          location: region,
          // DevOps: high issuance volume and no stored certificates or CRLs,
          // which suits certificates that expire after 10 minutes.
          tier: "DEVOPS",
          // Fulcio serves its own chain; DevOps CAs cannot publish CRLs.
          publishingOptions: { publishCaCert: false, publishCrl: false },
          issuancePolicy: {
            maximumLifetime: MAX_LEAF_LIFETIME,
            // Fulcio sends a certificate config (googleca), never a CSR.
            allowedIssuanceModes: { allowConfigBasedIssuance: true, allowCsrBasedIssuance: false },
            // The keys Fulcio forwards to CA Service: RSA in Fulcio's size range, or ECDSA.
            allowedKeyTypes: [
              { rsa: { minModulusSize: "2048", maxModulusSize: "4096" } },
              { ellipticCurve: { signatureAlgorithm: "ECDSA_P256" } },
              { ellipticCurve: { signatureAlgorithm: "ECDSA_P384" } },
            ],
            // Fulcio has verified the OIDC identity and puts it in the SAN.
            identityConstraints: { allowSubjectPassthrough: true, allowSubjectAltNamesPassthrough: true },
            // Overrides any request: leaf code-signing certificates only, never a CA or a TLS certificate.
            baselineValues: {
              caOptions: { nonCa: true },
              keyUsage: {
                baseKeyUsage: { digitalSignature: true },
                extendedKeyUsage: { codeSigning: true },
              },
            },
          },
        }),
      );
      // No self-signed root per region: the region's issuing CA is a
      // subordinate of the deployment's one root, so one trusted root covers
      // every region.
      this.subordinateCa = preventDestroy(
        new PrivatecaCertificateAuthority(this, "intermediate-ca", {
          project,
          location: region,
          pool: this.caPool.name,
          certificateAuthorityId: caName,
          type: "SUBORDINATE",
          subordinateConfig: { certificateAuthority: props.rootCaId },
          lifetime: FULCIO_INTERMEDIATE_LIFETIME,
          keySpec: { algorithm: "EC_P384_SHA384" },
          config: {
            subjectConfig: { subject: { organization: subject.organization, commonName: subject.commonName } },
            x509Config: {
              // Path length 0: it issues Fulcio's leaves directly and can anchor no further CA.
              caOptions: { isCa: true, zeroMaxIssuerPathLength: true },
              keyUsage: { baseKeyUsage: { certSign: true, crlSign: true }, extendedKeyUsage: { codeSigning: true } },
            },
          },
          deletionProtection: true,
          // A deleted CA stays restorable for 30 days, and is never deleted while its certificates are valid.
          skipGracePeriod: false,
          ignoreActiveCertificatesOnDeletion: false,
        }),
      );
      // certificateManager = certificateRequester plus read access to the pool's CAs,
      // which Fulcio lists to serve its trust bundle.
      new PrivatecaCaPoolIamMember(this, "ca-pool-certificate-manager", {
        caPool: this.caPool.id,
        role: "roles/privateca.certificateManager",
        member: this.serviceAccount.member,
      });
    }
  }

  /** KMS key of the intermediate CA (`kms` mode), for `gcpkms://<id>` in the chart's `kms_resource`. */
  get signingKeyId(): string {
    return this.requireKms(this.intermediateKey, "signingKeyId").id;
  }

  /** KMS key that encrypts a Tink keyset (`kms` mode), for `gcp-kms://<id>` in the chart's `tink_kms_resource`. */
  get keyEncryptionKeyId(): string {
    return this.requireKms(this.keyEncryptionKey, "keyEncryptionKeyId").id;
  }

  /** `projects/<p>/locations/<region>/caPools/<pool>` (`privateca` mode), the chart's `gcp_private_ca_parent`. */
  get caPoolId(): string {
    return this.requirePrivateCa(this.caPool, "caPoolId").id;
  }

  /** Full resource id of the region's subordinate CA (`privateca` mode). */
  get certificateAuthorityId(): string {
    return this.requirePrivateCa(this.subordinateCa, "certificateAuthorityId").id;
  }

  /**
   * The subordinate CA's chain, its own certificate first and the root last
   * (`pem_ca_certificates`), known once the CA is active (`privateca` mode).
   */
  get caChainPem(): string[] {
    return this.requirePrivateCa(this.subordinateCa, "caChainPem").pemCaCertificates;
  }

  /**
   * Public key (SPKI PEM) of the intermediate key's first version (`kms`
   * mode): what the operator certifies with the offline root.
   */
  get intermediatePublicKeyPem(): string {
    return this.requireKms(this.intermediateKey, "intermediatePublicKeyPem").publicKeyPem();
  }

  /**
   * Lets whoever certifies the intermediate with the offline root (`kms`
   * mode) read its public key, on the key only; it cannot sign with it.
   */
  grantIntermediatePublicKeyViewer(grantee: Grantee): KmsCryptoKeyIamMember {
    return this.requireKms(this.intermediateKey, "grantIntermediatePublicKeyViewer").grantPublicKeyViewer(grantee);
  }

  private requireKms<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new Error(`${this.node.path}: ${what} exists only with ca "kms" (this Fulcio uses "${this.mode}")`);
    return value;
  }

  private requirePrivateCa<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new Error(`${this.node.path}: ${what} exists only with ca "privateca" (this Fulcio uses "${this.mode}")`);
    return value;
  }
}
