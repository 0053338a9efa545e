import type { Construct } from "constructs";
import { SecretManagerSecret } from "@cdktf/provider-google/lib/secret-manager-secret";
import { SecretManagerSecretIamMember } from "@cdktf/provider-google/lib/secret-manager-secret-iam-member";
import type { Grantee } from "../shared/iam";
import { preventDestroy } from "../shared/protection";

export interface SigningKeySecretProps {
  readonly project: string;
  /** Region the secret's one replica is kept in. */
  readonly region: string;
  /** Project-wide secret id. */
  readonly secretId: string;
  /** The log's service account, the only reader. */
  readonly reader: Grantee;
}

/**
 * A secret holding a log's signing key (the operator adds the version): kept
 * in the region of the log that signs with it, protected from deletion by
 * Terraform and by Secret Manager, readable by the log's service account only.
 * The resources are created in `scope` (ids `<id>` and `<id>-accessor`), so
 * the logs keep their Terraform addresses.
 */
export function addSigningKeySecret(scope: Construct, id: string, props: SigningKeySecretProps): SecretManagerSecret {
  const secret = preventDestroy(
    new SecretManagerSecret(scope, id, {
      project: props.project,
      secretId: props.secretId,
      replication: { userManaged: { replicas: [{ location: props.region }] } },
      // A destroyed version (a mistaken rotation) stays restorable for 30 days.
      versionDestroyTtl: "2592000s",
      deletionProtection: true,
    }),
  );
  new SecretManagerSecretIamMember(scope, `${id}-accessor`, {
    secretId: secret.id,
    role: "roles/secretmanager.secretAccessor",
    member: props.reader.member,
  });
  return secret;
}
