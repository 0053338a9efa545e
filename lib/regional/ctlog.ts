import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { SecretManagerSecret } from "@cdktf/provider-google/lib/secret-manager-secret";
import { ServiceAccountIamMember } from "@cdktf/provider-google/lib/service-account-iam-member";
import { WorkloadIdentityServiceAccount } from "../shared/iam";
import { ctLogPrefix } from "../shared/log-placement";
import { regionCode } from "../shared/names";
import { nameOrDefault, RegionalPlacementProps, regionalNames, RFC1035_NAME, SECRET_ID, SERVICE_ACCOUNT_ID } from "../shared/regional-props";
import { NegPublication } from "./neg-publication";
import { addSigningKeySecret } from "./signing-key-secret";
import type { TrillianDatabase, TrillianMySqlInstance } from "./trillian-database";

/** Where the CT log chart runs its front end (release with the scaffold's `fullnameOverride: ctlog`). */
export const CTLOG_KUBERNETES = { namespace: "ctlog-system", serviceAccount: "ctlog" } as const;

/**
 * The Kubernetes service account of the job that copies the key from Secret
 * Manager into the Secrets createctconfig reads (`CtLogRelease`). It acts as
 * the CT log's Google account, the only reader of the key's secrets.
 */
export const CTLOG_KEY_LOADER_SERVICE_ACCOUNT = "ctlog-key-loader";

export interface CtLogProps extends RegionalPlacementProps {
  /** Zones of the region whose NEGs serve the log (the front end makes one backend per zone). */
  readonly zones: readonly string[];
  /** The cluster's workload pool (`<project>.svc.id.goog`), as a reference to the cluster. */
  readonly workloadPool: string;
  /**
   * The region's Trillian storage, which holds the CT log's trees: the
   * database (its `ctlogInstance`), or the one Cloud SQL instance to use.
   */
  readonly database: TrillianDatabase | TrillianMySqlInstance;
  /** Id of the front end's Google service account. @default "<namePrefix>-ctlog-<region code>" (e.g. sigstore-ctlog-use1) */
  readonly serviceAccountId?: string;
  /** Id of the secret that holds the passphrase-encrypted PEM signing key. @default "<namePrefix>-ctlog-<region>-private-key" */
  readonly privateKeySecretId?: string;
  /** Id of the secret that holds the key's passphrase. @default "<privateKeySecretId>-passphrase" */
  readonly passphraseSecretId?: string;
  /** Name of the standalone NEG of ct_server's HTTP port. @default "<namePrefix>-ctlog-<region code>-http" */
  readonly negName?: string;
}

/** ct_server's health endpoint on its serving port. */
export const CTLOG_HEALTH_CHECK_PATH = "/healthz";

/**
 * What the global CT front end needs to serve one region's log under
 * `/<prefix>/`. Token attributes are cross-stack references when read from
 * another stack.
 */
export interface CtLogExport {
  readonly region: string;
  /** The log's prefix in ct_server's config and in its URL. */
  readonly prefix: string;
  /** Zones as configured; the front end makes one backend per zone. */
  readonly zones: readonly string[];
  /** Zones the deployed regional stack serves (token list). */
  readonly servedZones: string[];
  /** Standalone NEG of ct_server's HTTP port (token). */
  readonly httpNegName: string;
}

/**
 * The certificate transparency log front end (Trillian's CTFE, `ct_server`)
 * in one region: its service account, bound to the chart's Kubernetes service
 * account, and a Secret Manager secret for its signing key.
 *
 * The key: `ct_server` signs SCTs and tree heads with a key it loads itself, a
 * PEM file or DER bytes from its config (or PKCS#11); it has no Cloud KMS
 * signer, so a KMS key cannot hold it. Left alone, the chart's
 * `createctconfig` job generates a key and keeps it only in a Kubernetes
 * Secret, lost with the cluster and unknown to the trust root. Here the key
 * is two Secret Manager secrets in the region, created empty: the PEM private
 * key, encrypted with a passphrase, and that passphrase, which the operator adds
 * out of band (`gcloud secrets versions add`), so neither enters Terraform
 * state, and both survive the cluster. Only the CT log's account may read
 * them; `CtLogRelease` copies them, with that account's workload identity,
 * into the Secrets createctconfig builds ct_server's configuration from. The
 * secrets are protected from destroy: the public key is pinned in TUF, so
 * losing the private key retires the log.
 *
 * The front end itself never touches MySQL: its trees live in Trillian, on
 * `database.ctlogInstance` (the newest CT log shard, or the primary), where
 * TrillianDatabase gives Trillian's accounts their IAM users. The CT log's
 * account therefore gets no database user and no Cloud SQL role.
 */
export class CtLog extends Construct {
  /** The Google service account the CT log front end runs as. */
  readonly serviceAccount: WorkloadIdentityServiceAccount;
  /** The Trillian instance the CT log's trees are created on. */
  readonly treeInstance: TrillianMySqlInstance;
  /** Standalone NEG name for the chart's Service annotation (`neg.http.name`). */
  readonly negName: string;
  /** The log's prefix (`/<prefix>/ct/v1/...`): the region whose key signs it. */
  readonly prefix: string;
  /** Secret Manager secret ids (in the project) of the encrypted private key and its passphrase, for the operator's `gcloud secrets versions add`. */
  readonly keySecretNames: { readonly privateKey: string; readonly passphrase: string };
  private readonly privateKey: SecretManagerSecret;
  private readonly privateKeyPassphrase: SecretManagerSecret;
  private readonly published: NegPublication;
  private readonly region: string;
  private readonly zones: readonly string[];

  constructor(scope: Construct, id: string, props: CtLogProps) {
    super(scope, id);
    const names = regionalNames(this, "CtLog", props);
    const { project, region } = props;
    if (props.zones.length === 0) throw new Error(`CtLog needs the zones of its NEGs (${this.node.path})`);
    if (!props.workloadPool) throw new Error(`CtLog needs the cluster's workloadPool (${this.node.path})`);

    this.serviceAccount = new WorkloadIdentityServiceAccount(this, "server", {
      project,
      accountId: nameOrDefault(this, "serviceAccountId", props.serviceAccountId, () => names.serviceAccountId("ctlog", region), SERVICE_ACCOUNT_ID),
      displayName: `CT log (${region})`,
      description: "Certificate transparency log front end: signs SCTs with its key from Secret Manager",
      kubernetes: { workloadPool: props.workloadPool, ...CTLOG_KUBERNETES },
    });

    const privateKeySecretId = nameOrDefault(this, "privateKeySecretId", props.privateKeySecretId, () => `${names.of("ctlog", region)}-private-key`, SECRET_ID);
    this.keySecretNames = {
      privateKey: privateKeySecretId,
      passphrase: nameOrDefault(this, "passphraseSecretId", props.passphraseSecretId, () => `${privateKeySecretId}-passphrase`, SECRET_ID),
    };
    this.privateKey = addSigningKeySecret(this, "private-key", {
      project,
      region,
      secretId: this.keySecretNames.privateKey,
      reader: this.serviceAccount,
    });
    // The PEM is encrypted (createctconfig only takes an encrypted one); its passphrase is a secret of its own.
    this.privateKeyPassphrase = addSigningKeySecret(this, "private-key-passphrase", {
      project,
      region,
      secretId: this.keySecretNames.passphrase,
      reader: this.serviceAccount,
    });
    // The key loader acts as the log's account too: it reads the two secrets, nothing else.
    new ServiceAccountIamMember(this, "key-loader-workload-identity", {
      serviceAccountId: this.serviceAccount.account.name,
      role: "roles/iam.workloadIdentityUser",
      member: `serviceAccount:${props.workloadPool}[${CTLOG_KUBERNETES.namespace}/${CTLOG_KEY_LOADER_SERVICE_ACCOUNT}]`,
    });

    this.treeInstance = "ctlogInstance" in props.database ? props.database.ctlogInstance : props.database;

    this.region = region;
    this.zones = props.zones;
    this.prefix = ctLogPrefix(region);
    this.negName = nameOrDefault(this, "negName", props.negName, () => names.of("ctlog", regionCode(region), "http"), RFC1035_NAME);
    // Published for the global front end, which reads it from this stack's state.
    this.published = new NegPublication(this, "frontend", { negNames: { http: this.negName }, zones: props.zones });
  }

  /** Makes the published NEG name wait for what creates the NEG (the chart's Service). */
  publishAfter(...dependencies: ITerraformDependable[]): void {
    this.published.publishAfter(...dependencies);
  }

  /**
   * Publishes no served zone: the log's release is not installed in this
   * region yet, so its NEGs do not exist; the global stack's zone
   * precondition then stops its plan instead of routing to missing NEGs.
   */
  withholdZones(): void {
    this.published.withholdZones();
  }

  /** What `CtLogFrontend` consumes, as cross-stack references. */
  get exported(): CtLogExport {
    return {
      region: this.region,
      prefix: this.prefix,
      zones: this.zones,
      servedZones: this.published.servedZones,
      httpNegName: this.published.attribute("http"),
    };
  }

  /** Secret (`projects/<p>/secrets/<id>`) that holds the passphrase-encrypted PEM private key. */
  get privateKeySecretId(): string {
    return this.privateKey.id;
  }

  /** Secret (`projects/<p>/secrets/<id>`) that holds the passphrase of the PEM private key (createctconfig's key password). */
  get privateKeyPassphraseSecretId(): string {
    return this.privateKeyPassphrase.id;
  }

  /** Connection name of the Trillian instance with the CT log's trees, for the Trillian release that serves them. */
  get treeConnectionName(): string {
    return this.treeInstance.connectionName;
  }
}
