import { Construct } from "constructs";
import { ProjectService } from "@cdktf/provider-google/lib/project-service";

/** APIs the regional stacks use; each line says what for. */
export const REGIONAL_APIS: readonly string[] = [
  "cloudresourcemanager.googleapis.com", // IAM bindings
  "compute.googleapis.com", // VPC, NAT, firewalls, addresses, bastion
  "container.googleapis.com", // GKE
  "containersecurity.googleapis.com", // GKE security posture
  "iam.googleapis.com", // service accounts
  "iamcredentials.googleapis.com", // workload identity tokens
  "sqladmin.googleapis.com", // Cloud SQL for Trillian
  "servicenetworking.googleapis.com", // private services access for Cloud SQL
  "cloudkms.googleapis.com", // signing and encryption keys
  "privateca.googleapis.com", // Fulcio's CA Service pool
  "secretmanager.googleapis.com", // connection settings, connector and key secrets
  "storage.googleapis.com", // Rekor attestations, TUF, tiles
  "pubsub.googleapis.com", // Rekor new-entry topic
  "spanner.googleapis.com", // Tessera-based logs
  "dns.googleapis.com", // A records
  "monitoring.googleapis.com", // uptime checks, alerts, managed Prometheus
  "logging.googleapis.com", // log-based metrics
  "osconfig.googleapis.com", // bastion patching
  "iap.googleapis.com", // bastion tunnel
  "cloudprofiler.googleapis.com", // optional Rekor profiling
];

export interface ProjectApisProps {
  readonly project: string;
  /** APIs beyond REGIONAL_APIS. */
  readonly extraApis?: readonly string[];
}

/**
 * Enables the Google APIs a stack needs. Several stacks enable the same API in
 * one project, and none may ever turn it off for the others: disabling on
 * destroy is off, as is disabling dependent services.
 */
export class ProjectApis extends Construct {
  readonly services: ProjectService[];

  constructor(scope: Construct, id: string, props: ProjectApisProps) {
    super(scope, id);
    const apis = [...new Set([...REGIONAL_APIS, ...(props.extraApis ?? [])])].sort();
    this.services = apis.map(
      (api) =>
        new ProjectService(this, api.replace(".googleapis.com", ""), {
          project: props.project,
          service: api,
          disableOnDestroy: false,
          disableDependentServices: false,
        }),
    );
  }
}
