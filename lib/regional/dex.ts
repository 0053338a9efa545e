import { Construct } from "constructs";
import { SecretManagerSecret } from "@cdktf/provider-google/lib/secret-manager-secret";
import { SecretManagerSecretIamMember } from "@cdktf/provider-google/lib/secret-manager-secret-iam-member";
import { Grantee, WorkloadIdentityServiceAccount } from "../shared/iam";
import { nameOrDefault, RegionalPlacementProps, regionalNames, SECRET_ID, SERVICE_ACCOUNT_ID } from "../shared/regional-props";
import { connectorSecretProblems } from "./dex-validation";

/**
 * Where Dex runs: the Dex chart installs into the release namespace and names
 * its service account after the release, so a release "dex" in "dex-system"
 * runs as dex-system/dex.
 */
export const DEX_KUBERNETES = { namespace: "dex-system", serviceAccount: "dex" } as const;

export interface DexProps extends RegionalPlacementProps {
  /** The cluster's workload pool (`<project>.svc.id.goog`), as a reference to the cluster. */
  readonly workloadPool: string;
  /**
   * Names of the OIDC connector client secrets Dex reads (e.g.
   * "github-client-secret"). One empty secret is created per name; values
   * are added out of band (`gcloud secrets versions add`), never through
   * Terraform, so they stay out of state.
   */
  readonly connectorSecrets: readonly string[];
  /** Id of Dex's Google service account. @default "<namePrefix>-dex-<region code>" (e.g. sigstore-dex-use1) */
  readonly serviceAccountId?: string;
  /**
   * Start of each connector secret's id (`<secretIdPrefix>-<connector secret name>`);
   * secret ids are project-wide, so two regions need different prefixes.
   * @default "<namePrefix>-dex-<region>"
   */
  readonly secretIdPrefix?: string;
}

/**
 * Dex's identity and connector secrets in one region: a service account bound
 * to Dex's Kubernetes service account, and one Secret Manager secret per
 * connector, replicated only in this region and readable only by this Dex.
 */
export class Dex extends Construct {
  /** The Google service account Dex runs as. */
  readonly serviceAccount: WorkloadIdentityServiceAccount;
  private readonly secrets = new Map<string, SecretManagerSecret>();

  constructor(scope: Construct, id: string, props: DexProps) {
    super(scope, id);
    const names = regionalNames(this, "Dex", props);
    const { project, region } = props;
    if (!props.workloadPool) throw new Error(`Dex needs the cluster's workloadPool (${this.node.path})`);
    const [badSecret] = connectorSecretProblems(props.connectorSecrets);
    if (badSecret) throw new Error(`Dex ${badSecret.message} (${this.node.path})`);

    this.serviceAccount = new WorkloadIdentityServiceAccount(this, "server", {
      project,
      accountId: nameOrDefault(this, "serviceAccountId", props.serviceAccountId, () => names.serviceAccountId("dex", region), SERVICE_ACCOUNT_ID),
      displayName: `Dex (${region})`,
      description: "Dex: federates OIDC identities for Fulcio; reads its connector secrets",
      kubernetes: { workloadPool: props.workloadPool, ...DEX_KUBERNETES },
    });

    const secretIdPrefix = nameOrDefault(this, "secretIdPrefix", props.secretIdPrefix, () => names.of("dex", region), SECRET_ID);
    for (const name of props.connectorSecrets) {
      // Secret ids are project-wide and may be 255 characters long, so the
      // connector name is appended to the regional prefix rather than
      // squeezed into a 63-character resource name.
      const secretId = `${secretIdPrefix}-${name}`;
      // Not prevent_destroy: removing a connector from the configuration
      // should remove its secret, and a client secret can be reissued by the
      // identity provider.
      const secret = new SecretManagerSecret(this, `secret-${name}`, {
        project,
        secretId,
        // The secret stays in the region whose Dex reads it.
        replication: { userManaged: { replicas: [{ location: region }] } },
        // A destroyed version (a mistaken rotation) stays restorable for a week.
        versionDestroyTtl: "604800s",
      });
      new SecretManagerSecretIamMember(this, `accessor-${name}`, {
        secretId: secret.id,
        role: "roles/secretmanager.secretAccessor",
        member: this.serviceAccount.member,
      });
      this.secrets.set(name, secret);
    }
  }

  /**
   * Lets an operator or a pipeline add versions (rotate the client secret) of
   * one connector secret, on that secret only; it cannot read them.
   */
  grantSecretVersionAdder(connectorSecret: string, grantee: Grantee): SecretManagerSecretIamMember {
    const secret = this.secrets.get(connectorSecret);
    if (!secret) throw new Error(`${this.node.path}: no connector secret "${connectorSecret}" (have: ${[...this.secrets.keys()].join(", ") || "none"})`);
    return new SecretManagerSecretIamMember(this, `version-adder-${connectorSecret}-${grantee.grantId}`, {
      secretId: secret.id,
      role: "roles/secretmanager.secretVersionAdder",
      member: grantee.member,
    });
  }

  /** Secret ids (`projects/<p>/secrets/<id>`) by connector secret name, for the chart's secret references. */
  get secretIds(): { readonly [connectorSecret: string]: string } {
    return Object.fromEntries([...this.secrets].map(([name, secret]) => [name, secret.id]));
  }
}
