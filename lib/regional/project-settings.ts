import { Construct } from "constructs";
import { ComputeProjectMetadataItem } from "@cdktf/provider-google/lib/compute-project-metadata-item";
import { ProjectIamAuditConfig } from "@cdktf/provider-google/lib/project-iam-audit-config";
import type { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";
import type { ProjectConfig } from "../config/schema";
import { grantProjectRole, principal } from "../shared/iam";

export interface ProjectSettingsProps {
  readonly project: string;
  /** `project.auditLogs`, `project.osLogin` and `project.roleBindings` of the configuration. */
  readonly settings: Pick<ProjectConfig, "auditLogs" | "osLogin" | "roleBindings">;
}

/**
 * Project-wide settings: Data Access audit logs, OS Login, and role bindings
 * for named groups. They exist once per project, so only one stack (the
 * primary region's) declares them; two stacks would fight over them.
 */
export class ProjectSettings extends Construct {
  /** The operator-chosen bindings, in configuration order. */
  readonly roleBindings: readonly ProjectIamMember[];

  constructor(scope: Construct, id: string, props: ProjectSettingsProps) {
    super(scope, id);
    const { project, settings } = props;
    if (settings.auditLogs.enabled) {
      const logTypes = [...new Set(settings.auditLogs.logTypes)];
      if (logTypes.length === 0) throw new Error(`${this.node.path}: audit logs are enabled but no log type is listed`);
      // "allServices" covers every API; admin activity logs are always on and not configured here.
      new ProjectIamAuditConfig(this, "audit-logs", {
        project,
        service: "allServices",
        auditLogConfig: logTypes.map((logType) => ({ logType })),
      });
    }
    if (settings.osLogin.enabled) {
      new ComputeProjectMetadataItem(this, "os-login", { project, key: "enable-oslogin", value: "TRUE" });
      if (settings.osLogin.twoFactor) {
        new ComputeProjectMetadataItem(this, "os-login-2fa", { project, key: "enable-oslogin-2fa", value: "TRUE" });
      }
    }
    // Ids come from role and member, so removing one binding never re-creates another.
    const bindings: ProjectIamMember[] = [];
    const seen = new Set<string>();
    for (const binding of settings.roleBindings) {
      for (const member of binding.members) {
        const key = `${binding.role} ${member}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const role = binding.role.replace(/^roles\//, "");
        bindings.push(
          grantProjectRole(this, `role-${role}-${member}`, { project, role: binding.role, grantee: principal(member, member), operatorChosen: true }),
        );
      }
    }
    this.roleBindings = bindings;
  }
}
