import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";
import { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
import { ServiceAccountIamMember } from "@cdktf/provider-google/lib/service-account-iam-member";

/**
 * Someone IAM can grant a role to. `grantId` is a short stable label used in
 * the logical ID of each grant (members are often tokens, unusable in IDs).
 */
export interface Grantee {
  readonly grantId: string;
  /** IAM member string: `serviceAccount:…`, `group:…`, `user:…`. */
  readonly member: string;
}

/**
 * A grant id unique in its stack: the construct's path below the stack, e.g.
 * `fulcio-server`. Ids from the construct's own id alone collide when one
 * resource is granted to two accounts with the same id under different
 * parents (every service's account is called "server").
 */
export function grantIdOf(construct: Construct): string {
  const scopes = construct.node.scopes;
  const stack = Math.max(...scopes.map((s, i) => (TerraformStack.isStack(s) ? i : -1)));
  return scopes
    .slice(stack + 1)
    .map((s) => s.node.id)
    .filter(Boolean)
    .join("-");
}

/** A fixed principal such as a Google group, e.g. `principal("breakglass", "group:sre@example.com")`. */
export function principal(grantId: string, member: string): Grantee {
  return { grantId, member };
}

/**
 * Roles that exist only at project level (Cloud SQL has no instance IAM, node
 * agents write project-wide metrics and logs, ...). Every other role must be
 * granted on the resource it concerns; `grantProjectRole` refuses it.
 */
export const PROJECT_ONLY_ROLES: { readonly [role: string]: string } = {
  "roles/logging.logWriter": "log entries are written to the project",
  "roles/monitoring.metricWriter": "metrics are written to the project",
  "roles/monitoring.viewer": "node agents read the project's metric descriptors",
  "roles/stackdriver.resourceMetadata.writer": "GKE node agents write resource metadata",
  "roles/autoscaling.metricsWriter": "GKE cluster autoscaler metrics",
  "roles/cloudsql.client": "Cloud SQL has no instance-level IAM",
  "roles/cloudsql.instanceUser": "Cloud SQL has no instance-level IAM",
  "roles/cloudprofiler.agent": "profiles are written to the project",
  "roles/cloudtrace.agent": "traces are written to the project",
  "roles/eventarc.eventReceiver": "Eventarc triggers are authorized at project level",
  "roles/pubsub.publisher": "the Cloud Storage service agent publishes Eventarc events to topics Eventarc creates",
};

/**
 * Grants a project-level role, which must be one of PROJECT_ONLY_ROLES unless
 * `operatorChosen` says an operator asked for it by name in the configuration.
 */
export function grantProjectRole(
  scope: Construct,
  id: string,
  props: { readonly project: string; readonly role: string; readonly grantee: Grantee; readonly operatorChosen?: boolean },
): ProjectIamMember {
  if (!props.operatorChosen && !(props.role in PROJECT_ONLY_ROLES)) {
    throw new Error(`${props.role} is not a project-only role; grant it on the resource instead (${scope.node.path}/${id})`);
  }
  return new ProjectIamMember(scope, id, { project: props.project, role: props.role, member: props.grantee.member });
}

export interface WorkloadIdentityServiceAccountProps {
  readonly project: string;
  /** Account id (`ResourceNames.serviceAccountId`). */
  readonly accountId: string;
  readonly displayName: string;
  readonly description?: string;
  /**
   * The Kubernetes service account that may act as this account, through
   * workload identity. Omit for accounts used outside the cluster.
   */
  readonly kubernetes?: {
    /** The cluster's workload pool (`<project>.svc.id.goog`), as a reference to the cluster so the binding waits for it. */
    readonly workloadPool: string;
    readonly namespace: string;
    readonly serviceAccount: string;
  };
}

/**
 * A Google service account for one workload, usable from its Kubernetes
 * service account through workload identity. No keys are ever created.
 */
export class WorkloadIdentityServiceAccount extends Construct implements Grantee {
  readonly account: ServiceAccount;

  constructor(scope: Construct, id: string, props: WorkloadIdentityServiceAccountProps) {
    super(scope, id);
    this.account = new ServiceAccount(this, "account", {
      project: props.project,
      accountId: props.accountId,
      displayName: props.displayName,
      description: props.description,
    });
    const k8s = props.kubernetes;
    if (k8s) {
      new ServiceAccountIamMember(this, "workload-identity", {
        serviceAccountId: this.account.name,
        role: "roles/iam.workloadIdentityUser",
        member: `serviceAccount:${k8s.workloadPool}[${k8s.namespace}/${k8s.serviceAccount}]`,
      });
    }
  }

  get grantId(): string {
    return grantIdOf(this);
  }

  get email(): string {
    return this.account.email;
  }

  get member(): string {
    return `serviceAccount:${this.account.email}`;
  }
}
