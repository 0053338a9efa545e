import { Construct } from "constructs";
import { ComputeProjectMetadataItem } from "@cdktf/provider-google/lib/compute-project-metadata-item";
import { ProjectIamAuditConfig } from "@cdktf/provider-google/lib/project-iam-audit-config";
import type { ProjectConfig } from "../config/schema";
import { grantProjectRole, principal } from "../shared/iam";

export interface ProjectSettingsProps {
  readonly project: string;
  readonly settings: Pick<ProjectConfig, "auditLogs" | "osLogin" | "roleBindings">;
}

/**
 * Project-wide settings: Data Access audit logs, OS Login, and role bindings
 * for named groups. They exist once per project, so only one stack (the
 * primary region's) declares them; two stacks would fight over them.
 */
export class ProjectSettings extends Construct {
  constructor(scope: Construct, id: string, props: ProjectSettingsProps) {
    super(scope, id);
    const { project, settings } = props;
    if (settings.auditLogs.enabled) {
      new ProjectIamAuditConfig(this, "audit-logs", {
        project,
        service: "allServices",
        auditLogConfig: settings.auditLogs.logTypes.map((logType) => ({ logType })),
      });
    }
    if (settings.osLogin.enabled) {
      new ComputeProjectMetadataItem(this, "os-login", { project, key: "enable-oslogin", value: "TRUE" });
      if (settings.osLogin.twoFactor) {
        new ComputeProjectMetadataItem(this, "os-login-2fa", { project, key: "enable-oslogin-2fa", value: "TRUE" });
      }
    }
    settings.roleBindings.forEach((binding, i) =>
      binding.members.forEach((member, j) =>
        grantProjectRole(this, `role-${i}-${j}`, { project, role: binding.role, grantee: principal(`binding-${i}-${j}`, member), operatorChosen: true }),
      ),
    );
  }
}
