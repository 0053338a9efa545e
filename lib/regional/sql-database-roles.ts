import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { ApplyTimeCommand } from "../shared/apply-time-command";

/** Database roles Cloud SQL for MySQL can assign through its Admin API (no SQL session needed). */
export type CloudSqlPredefinedRole = "cloudsqlsuperuser";

export interface CloudSqlDatabaseRolesProps {
  readonly project: string;
  /** Instance name (a reference, so the assignment waits for the instance). */
  readonly instance: string;
  /** The IAM service account's email: Cloud SQL for MySQL names such users by their full email in the Admin API. */
  readonly serviceAccountEmail: string;
  readonly roles: readonly CloudSqlPredefinedRole[];
  /** The `google_sql_user` the roles go to; the assignment runs after it exists. */
  readonly user: ITerraformDependable;
}

// No "${" anywhere: Terraform would read it as an interpolation.
const SCRIPT = [
  "set -eu",
  'command -v gcloud >/dev/null 2>&1 || { echo "Assigning Cloud SQL database roles to $SQL_USER on $INSTANCE needs gcloud (authenticated to the project, with cloudsql.users.update) on PATH" >&2; exit 1; }',
  // Newer than Cloud SDK 528.0.0 (June 2025), which lacks the command.
  'gcloud sql users assign-roles --help >/dev/null 2>&1 || { echo "Assigning Cloud SQL database roles needs a Google Cloud SDK with gcloud sql users assign-roles: run gcloud components update" >&2; exit 1; }',
  'gcloud sql users assign-roles "$SQL_USER" --project="$PROJECT" --instance="$INSTANCE" --type=CLOUD_IAM_SERVICE_ACCOUNT --database-roles="$ROLES"',
].join("\n");

/**
 * Assigns database roles to a Cloud SQL IAM service-account user through the
 * Cloud SQL Admin API, the only way to give an IAM user MySQL privileges
 * without an existing privileged SQL session.
 *
 * An IAM database user starts with no privileges on any database (Cloud SQL
 * for MySQL, "Log in using IAM database authentication": "you need to use the
 * GRANT command"), and the provider has no password-free way to assign one:
 * `google_sql_user.database_roles` only exists from google provider 7.18.0
 * (terraform-provider-google e825fbaba8, magic-modules#16202), while this
 * library is on 6.50. So, like RecordGuard, a `terraform_data` runs the API
 * call at apply time with `gcloud sql users assign-roles` (users.update with
 * `databaseRoles`), once per user and role set; it never deletes anything
 * (the roles go with the user).
 */
export class CloudSqlDatabaseRoles extends ApplyTimeCommand {
  constructor(scope: Construct, id: string, private readonly props: CloudSqlDatabaseRolesProps) {
    // Checked before anything is added to the tree: a caught error leaves no half-built construct behind.
    if (props.roles.length === 0) throw new Error(`${[scope.node.path, id].filter(Boolean).join("/")}: CloudSqlDatabaseRoles needs at least one role`);
    super(scope, id, {
      script: SCRIPT,
      environment: { PROJECT: props.project, INSTANCE: props.instance, SQL_USER: props.serviceAccountEmail, ROLES: props.roles.join(",") },
      triggers: { project: props.project, instance: props.instance, user: props.serviceAccountEmail, roles: props.roles.join(",") },
      dependsOn: [props.user],
    });
  }

  /** The roles assigned, for reviewers and tests. */
  get roles(): readonly CloudSqlPredefinedRole[] {
    return this.props.roles;
  }
}
