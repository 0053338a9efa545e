import { Construct } from "constructs";
import { dependable, TerraformResource } from "cdktf";
import { ProjectService } from "@cdktf/provider-google/lib/project-service";
import { TerraformData } from "../shared/terraform-data";

/** APIs the regional stacks use; each line says what for. */
export const REGIONAL_APIS: readonly string[] = [
  "cloudresourcemanager.googleapis.com", // IAM bindings
  "compute.googleapis.com", // VPC, NAT, firewalls, addresses, bastion, the regional front ends
  "certificatemanager.googleapis.com", // the regional front ends' certificates
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

/** APIs the global stack uses. */
export const GLOBAL_APIS: readonly string[] = [
  "compute.googleapis.com", // load balancers, Cloud Armor, backend buckets
  "certificatemanager.googleapis.com", // managed certificates, DNS authorization
  "dns.googleapis.com", // A and CNAME records
  "iam.googleapis.com", // service accounts
  "cloudresourcemanager.googleapis.com", // IAM bindings
  "storage.googleapis.com", // JWKS buckets
  "cloudfunctions.googleapis.com", // the JWKS merger
  "run.googleapis.com", // gen2 functions run on Cloud Run
  "cloudbuild.googleapis.com", // function builds
  "artifactregistry.googleapis.com", // function images
  "eventarc.googleapis.com", // storage event trigger
  "pubsub.googleapis.com", // Eventarc transport
  "monitoring.googleapis.com", // uptime checks, alerts
  "logging.googleapis.com", // log-based metrics
];

export interface ProjectApisProps {
  readonly project: string;
  /** Service names such as `compute.googleapis.com`. @default REGIONAL_APIS */
  readonly apis?: readonly string[];
  /** APIs beyond `apis`, e.g. for workloads added on top. @default none */
  readonly extraApis?: readonly string[];
}

const API_NAME = /^[a-z][a-z0-9-]*\.googleapis\.com$/;

/**
 * Enables the Google APIs a stack needs. Several stacks enable the same API in
 * one project, and none may ever turn it off for the others: disabling on
 * destroy is off, as is disabling dependent services.
 */
export class ProjectApis extends Construct {
  /** One resource per API, for resources that must wait for a specific API. */
  readonly services: readonly ProjectService[];

  constructor(scope: Construct, id: string, props: ProjectApisProps) {
    super(scope, id);
    const apis = [...new Set([...(props.apis ?? REGIONAL_APIS), ...(props.extraApis ?? [])])].sort();
    if (apis.length === 0) throw new Error(`${this.node.path}: no API to enable`);
    const invalid = apis.filter((api) => !API_NAME.test(api));
    if (invalid.length > 0) {
      throw new Error(`${this.node.path}: ${invalid.join(", ")} is not a Google API service name such as "compute.googleapis.com"`);
    }
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

  /**
   * One `terraform_data` that becomes known once these APIs are enabled, for
   * resources (`waitFor`) and other stacks to wait on: a single depends_on each.
   */
  gate(): TerraformData {
    const ready = new TerraformData(this, "ready", { apis: this.services.length });
    // `dependable` renders a bare address: Terraform rejects "${…}" in depends_on.
    ready.dependsOn = this.services.map((s) => dependable(s));
    return ready;
  }
}

/**
 * Makes every Google resource in `scope` depend on `ready`. Call it once the
 * scope is complete (a plain walk rather than an Aspect, so synth can reuse
 * the JSON it resolves while preparing the stack).
 */
export function waitFor(scope: Construct, ready: TerraformData): void {
  const dependency = dependable(ready);
  for (const node of scope.node.findAll()) {
    if (!TerraformResource.isTerraformResource(node)) continue;
    const type = node.terraformResourceType;
    if (!type.startsWith("google_") || type === "google_project_service") continue;
    node.dependsOn = [...new Set([...(node.dependsOn ?? []), dependency])];
  }
}
