import type { Construct } from "constructs";
import { SecretManagerSecret } from "@cdktf/provider-google/lib/secret-manager-secret";
import { SecretManagerSecretIamMember } from "@cdktf/provider-google/lib/secret-manager-secret-iam-member";
import type { Grantee } from "../shared/iam";
import { preventDestroy } from "../shared/protection";
import type { RegionalContext } from "./context";

export interface SigningKeySecretProps {
  readonly context: RegionalContext;
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
  const { context } = props;
  const secret = preventDestroy(
    new SecretManagerSecret(scope, id, {
      project: context.project,
      secretId: props.secretId,
      replication: { userManaged: { replicas: [{ location: context.region }] } },
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
