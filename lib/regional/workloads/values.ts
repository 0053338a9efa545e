/**
 * Typed Helm values: each interface mirrors the value paths the library sets
 * in one upstream chart (checked against the chart's values.yaml and
 * values.schema.json by the tests). Builders take references to resources the
 * stack created and return plain objects; nothing here is hand-written YAML.
 */
import type { SigstoreImageValues } from "./charts";

/** `cloud.google.com/neg` annotation of a standalone NEG per exposed port. */
export function standaloneNegAnnotation(ports: { readonly [port: number]: string }): string {
  const exposed: { [port: string]: { name: string } } = {};
  for (const [port, name] of Object.entries(ports)) exposed[port] = { name };
  return JSON.stringify({ exposed_ports: exposed });
}

export const NEG_ANNOTATION = "cloud.google.com/neg";
export const WORKLOAD_IDENTITY_ANNOTATION = "iam.gke.io/gcp-service-account";

export interface ServiceAccountValues {
  readonly create: boolean;
  readonly name: string;
  readonly annotations: { readonly [WORKLOAD_IDENTITY_ANNOTATION]: string };
}

/** A Kubernetes service account the chart creates, annotated with the Google account it acts as. */
export function workloadIdentityAccount(name: string, googleServiceAccountEmail: string): ServiceAccountValues {
  return { create: true, name, annotations: { [WORKLOAD_IDENTITY_ANNOTATION]: googleServiceAccountEmail } };
}

export interface EnvVar {
  readonly name: string;
  readonly value: string;
}

// ---------------------------------------------------------------- Trillian

export interface CloudSqlProxyValues extends SigstoreImageValues {
  /** The proxy logs in as this IAM user with --auto-iam-authn; no password exists. */
  readonly iamUsername: string;
  readonly unixDomainSocket: { readonly enabled: true; readonly path: string };
  /** More proxy flags (the charts' templates append them): `--private-ip`, as the instances have no public IP. */
  readonly extraArgs: readonly string[];
}

/** Proxy flags every release needs: the Cloud SQL instances have only a private IP, and the proxy dials the public one by default. */
export const CLOUD_SQL_PROXY_ARGS: readonly string[] = ["--private-ip"];

export interface TrillianValues {
  readonly namespace: { readonly create: false; readonly name: string };
  readonly fullnameOverride: string;
  readonly initContainerImage: { readonly curl: SigstoreImageValues; readonly netcat: SigstoreImageValues };
  readonly storageSystem: { readonly driver: "mysql"; readonly envCredentials: readonly EnvVar[] };
  readonly mysql: {
    readonly enabled: false;
    readonly auth: { readonly existingSecret: string };
    readonly gcp: { readonly enabled: true; readonly instance: string; readonly cloudsql: CloudSqlProxyValues };
  };
  readonly createdb: { readonly enabled: false };
  readonly logServer: TrillianComponentValues;
  readonly logSigner: TrillianComponentValues;
}

export interface TrillianComponentValues {
  readonly fullnameOverride: string;
  readonly image: SigstoreImageValues;
  readonly serviceAccount: ServiceAccountValues;
  readonly extraArgs: readonly string[];
}

export const CLOUD_SQL_SOCKET_DIR = "/cloudsql";

/** MySQL names an IAM service account's user after the part of its email before "@". */
export function mysqlIamUser(serviceAccountId: string): string {
  return serviceAccountId;
}

/** DSN through the Auth Proxy's Unix socket, as the charts build it (no password: IAM authentication). */
export function cloudSqlDsn(user: string, connectionName: string, database: string): string {
  return `${user}@unix(${CLOUD_SQL_SOCKET_DIR}/${connectionName})/${database}?parseTime=true&interpolateParams=true`;
}

// ---------------------------------------------------------------- Rekor v1

export interface RekorValues {
  readonly namespace: { readonly create: false; readonly name: string };
  readonly initContainerImage: { readonly curl: SigstoreImageValues };
  readonly redis: { readonly enabled: true; readonly image: SigstoreImageValues };
  readonly mysql: {
    readonly enabled: false;
    readonly gcp: { readonly enabled: true; readonly instance: string; readonly cloudsql: CloudSqlProxyValues };
  };
  readonly trillian: {
    readonly enabled: false;
    readonly forceNamespace: string;
    readonly logServer: { readonly name: string; readonly portRPC: number; readonly portHTTP: number };
  };
  readonly server: {
    readonly image: SigstoreImageValues;
    readonly fullnameOverride: string;
    readonly logging: { readonly production: true };
    readonly signer: string;
    readonly serviceAccount: ServiceAccountValues;
    readonly ingress: { readonly enabled: false };
    readonly ingresses: readonly never[];
    readonly attestation_storage: { readonly enabled: true; readonly bucket: string; readonly persistence: { readonly enabled: false } };
    readonly searchIndex: { readonly storageProvider: "mysql"; readonly mysql: { readonly envCredentials: readonly EnvVar[] } };
    readonly extraArgs: readonly string[];
    readonly service: { readonly annotations: { readonly [key: string]: string } };
  };
  readonly createtree: { readonly image: SigstoreImageValues; readonly serviceAccount: { readonly create: true; readonly name: string } };
}

// ---------------------------------------------------------------- CT log

export interface CtLogValues {
  readonly namespace: { readonly create: false; readonly name: string };
  readonly fullnameOverride: string;
  readonly server: {
    readonly image: SigstoreImageValues;
    readonly serviceAccount: ServiceAccountValues;
    readonly ingress: { readonly enabled: false };
    readonly ingresses: readonly never[];
    readonly service: { readonly annotations: { readonly [key: string]: string } };
  };
  readonly createtree: { readonly enabled: true; readonly displayName: string; readonly image: SigstoreImageValues };
  readonly createctconfig: {
    readonly enabled: true;
    readonly image: SigstoreImageValues;
    readonly initContainerImage: { readonly curl: SigstoreImageValues };
    readonly fulcioURL: string;
    readonly logPrefix: string;
    /** Secret with the log's key (`private`: password-encrypted PEM); set, createctconfig generates none. */
    readonly privateSecret: string;
    /** Secret with that key's password (`password`). */
    readonly privateKeyPasswordSecretName: string;
    /** Secret createctconfig writes the log's public key to (`public`). */
    readonly pubkeysecret: string;
  };
  readonly trillian: { readonly namespace: string; readonly logServer: { readonly name: string; readonly portRPC: number } };
}

// ---------------------------------------------------------------- Fulcio

/** Fulcio's own identity configuration (`--config-path`, JSON), as its `config.FulcioConfig`. */
export interface FulcioIdentityConfig {
  readonly OIDCIssuers: { readonly [issuerUrl: string]: FulcioOidcIssuer };
  readonly MetaIssuers?: { readonly [issuerPattern: string]: FulcioOidcIssuer };
}

export interface FulcioOidcIssuer {
  readonly IssuerURL: string;
  readonly ClientID: string;
  readonly Type: string;
  readonly IssuerClaim?: string;
  readonly SubjectDomain?: string;
  readonly SPIFFETrustDomain?: string;
  readonly ChallengeClaim?: string;
}

export type FulcioCaValues =
  | { readonly certificateAuthority: "googleca"; readonly gcp_private_ca_parent: string }
  | { readonly certificateAuthority: "kmsca"; readonly kms_resource: string; readonly kms_cert_chain: string };

export interface FulcioValues {
  readonly namespace: { readonly create: false; readonly name: string };
  readonly config: { readonly format: "json"; readonly contents: FulcioIdentityConfig };
  readonly server: {
    readonly image: SigstoreImageValues;
    readonly serviceAccount: ServiceAccountValues;
    readonly args: FulcioCaValues & { readonly ct_log_url: string; readonly disable_ct_log: boolean };
    readonly ingress: { readonly http: { readonly enabled: false }; readonly grpc: { readonly enabled: false } };
    readonly ingresses: readonly never[];
    readonly logging: { readonly production: true };
  };
  readonly init: { readonly enabled: boolean; readonly image: { readonly curl: SigstoreImageValues } };
  readonly createcerts: { readonly enabled: false };
  readonly ctlog: { readonly enabled: false };
  readonly neg: { readonly http: { readonly name: string; readonly port: number }; readonly grpc: { readonly name: string; readonly port: number } };
}

// ---------------------------------------------------------------- TSA

export interface TsaValues {
  readonly namespace: { readonly create: false; readonly name: string };
  readonly server: {
    readonly image: SigstoreImageValues;
    readonly serviceAccount: ServiceAccountValues;
    readonly args:
      | { readonly signer: "tink"; readonly tink_key_resource: string; readonly tink_enc_keyset: string; readonly cert_chain: string }
      | { readonly signer: "kms"; readonly kms_key_resource: string; readonly cert_chain: string };
    readonly ingress: { readonly http: { readonly enabled: false } };
    readonly logging: { readonly production: true };
  };
  readonly neg: { readonly http: { readonly name: string; readonly port: number } };
}

// ---------------------------------------------------------------- Tiles logs

export interface TilesImageValues {
  readonly flavor: "gcp";
  readonly registry: string;
  readonly repository: string;
  readonly version: string;
}

export interface RekorTilesValues {
  readonly image: TilesImageValues;
  readonly namespace: { readonly create: false; readonly name: string };
  readonly serviceAccount: ServiceAccountValues;
  readonly neg: { readonly http: { readonly name: string; readonly port: number }; readonly grpc: { readonly name: string; readonly port: number } };
  readonly server: {
    readonly hostname: string;
    readonly gcp: { readonly bucket: string; readonly spanner: string };
    /** Tink keyset (in a ConfigMap, as tink.keyset.enc) decrypted with the KMS key-encryption key. */
    readonly signer: { readonly tink: { readonly kekURI: string; readonly configMapName: string } };
  };
}

export interface CtLogTilesValues {
  readonly image: TilesImageValues;
  readonly namespace: { readonly create: false; readonly name: string };
  readonly serviceAccount: ServiceAccountValues;
  readonly neg: { readonly http: { readonly name: string; readonly port: number } };
  readonly server: {
    readonly hostname: string;
    readonly gcp: { readonly bucket: string; readonly spanner: string; readonly signer: { readonly publicKey: string; readonly privateKey: string } };
  };
}

// ---------------------------------------------------------------- Dex

export interface DexValues {
  readonly image: { readonly repository: string; readonly digest: string; readonly tag: string };
  readonly fullnameOverride: string;
  readonly serviceAccount: ServiceAccountValues;
  readonly config: DexConfig;
  readonly service: { readonly annotations: { readonly [key: string]: string } };
  readonly podSecurityContext: PodSecurityContext;
  readonly securityContext: ContainerSecurityContext;
  readonly volumes: readonly (DexCsiVolume | { readonly name: string; readonly emptyDir: { readonly medium: "Memory"; readonly sizeLimit: string } })[];
  readonly volumeMounts: readonly { readonly name: string; readonly mountPath: string; readonly readOnly: boolean }[];
  readonly podDisruptionBudget: { readonly enabled: boolean; readonly minAvailable: number };
  readonly replicaCount: number;
}

/** What the "restricted" Pod Security Standard asks of a pod. */
export interface PodSecurityContext {
  readonly runAsNonRoot: true;
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly seccompProfile: { readonly type: "RuntimeDefault" };
}

export interface ContainerSecurityContext {
  readonly allowPrivilegeEscalation: false;
  readonly readOnlyRootFilesystem: true;
  readonly capabilities: { readonly drop: readonly ["ALL"] };
}

export interface DexCsiVolume {
  readonly name: string;
  readonly csi: {
    readonly driver: string;
    readonly readOnly: true;
    readonly volumeAttributes: { readonly secretProviderClass: string };
  };
}

/** Dex's configuration file (the chart renders `config` into a Secret; it holds no secret values). */
export interface DexConfig {
  readonly issuer: string;
  readonly storage: { readonly type: "kubernetes"; readonly config: { readonly inCluster: true } };
  readonly web: { readonly http: string };
  readonly telemetry: { readonly http: string };
  readonly oauth2: { readonly responseTypes: readonly string[]; readonly skipApprovalScreen: boolean; readonly alwaysShowLoginScreen: boolean };
  readonly staticClients: readonly { readonly id: string; readonly name: string; readonly public: true; readonly redirectURIs?: readonly string[] }[];
  readonly connectors: readonly DexConnectorEntry[];
}

export interface DexConnectorEntry {
  readonly type: string;
  readonly id: string;
  readonly name: string;
  readonly config: { readonly [key: string]: unknown };
}
