import * as path from "path";
import { Construct, Node } from "constructs";
import { GcsBackend, LocalBackend, TerraformElement, TerraformOutput, TerraformStack } from "cdktf";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import type { BackendConfig } from "../config/schema";
import { fastPrepareStack, fastToTerraform, isFastSynthesisEnabled } from "./fast-synthesis";

/** Terraform that understands `removed` blocks (1.7; OpenTofu 1.10 for their `lifecycle`). */
export const REQUIRED_TERRAFORM_VERSION = ">= 1.7";

export interface SigstoreStackProps {
  readonly projectId: string;
  /** Default region of the google provider. */
  readonly region: string;
  readonly backend: BackendConfig;
  /** Labels put on every resource that supports them. */
  readonly labels: { readonly [key: string]: string };
}

/**
 * A construct that gives its children their own construct-id namespace
 * without taking part in their Terraform addresses: `services/rekor/ingress-address`
 * is `rekor_ingress-address`, as if the scope were not there. The public
 * services' endpoints and front ends live in one, so that a service id
 * ("rekor", "tuf") never collides with the construct of the workload that
 * implements it, while existing services keep their addresses. Logical ids
 * that would still collide are an error at synth time (below).
 */
export class TransparentScope extends Construct {}

/**
 * Base of every stack of this library. It fixes what must be the same in all
 * of them: the provider, the state backend, the Terraform version, and how
 * resources are named in Terraform state.
 *
 * Logical IDs are the construct path below the stack joined with "_"
 * ("fulcio/backend-http" becomes "fulcio_backend_http"), with no hash suffix:
 * they read well in a plan and do not change unless a construct id changes.
 * Two paths that would collide are an error at synth time rather than two
 * resources silently sharing one address.
 */
export abstract class SigstoreStack extends TerraformStack {
  private readonly logicalIds = new Map<string, string>();

  protected constructor(scope: Construct, id: string, props: SigstoreStackProps) {
    super(scope, id);
    new GoogleProvider(this, "google", {
      project: props.projectId,
      region: props.region,
      defaultLabels: { ...props.labels },
    });
    configureBackend(this, id, props.backend);
    this.addOverride("terraform.required_version", REQUIRED_TERRAFORM_VERSION);
  }

  protected allocateLogicalId(element: TerraformElement | Node): string {
    const node = TerraformElement.isTerraformElement(element) ? element.node : element;
    const components = node.scopes
      .slice(node.scopes.indexOf(this) + 1)
      .filter((c) => !(c instanceof TransparentScope))
      .map((c) => c.node.id);
    const id = components.join("_").replace(/[^A-Za-z0-9_]/g, "_");
    const owner = this.logicalIds.get(id);
    if (owner !== undefined && owner !== node.path) {
      throw new Error(`Logical ID "${id}" would be used by both ${owner} and ${node.path}; rename one of the constructs`);
    }
    this.logicalIds.set(id, node.path);
    return id;
  }

  /**
   * Stock cdktf unless the app opted in with `enableFastSynthesis(app)`,
   * which gives the same JSON faster (see fast-synthesis.ts).
   */
  prepareStack(): void {
    if (isFastSynthesisEnabled(this)) fastPrepareStack(this);
    else super.prepareStack();
  }

  toTerraform(): any {
    return isFastSynthesisEnabled(this) ? fastToTerraform(this) : super.toTerraform();
  }

  /**
   * Cross-stack values are NEG names, zones and IP addresses: not secrets.
   * cdktf marks the outputs it creates for them sensitive, which would hide
   * every backend and DNS change behind "(sensitive value)" in the global
   * stack's plan, the very plan reviewers need to read. Never route a secret
   * through a cross-stack reference.
   */
  registerOutgoingCrossStackReference(identifier: string): TerraformOutput {
    const output = super.registerOutgoingCrossStackReference(identifier);
    output.sensitive = false;
    return output;
  }
}

/** Local state directory of a stack, relative to where Terraform runs for it. */
export function localStatePath(directory: string, stackId: string): string {
  // cdktf runs Terraform in <outdir>/stacks/<stack>; going up three levels
  // reaches the project directory that holds cdktf.json. A relative path keeps
  // both the backend and every remote-state reader independent of the
  // checkout location.
  return path.posix.join("../../..", directory.split(path.sep).join("/"), `terraform.${stackId}.tfstate`);
}

function configureBackend(stack: TerraformStack, stackId: string, backend: BackendConfig): void {
  if (backend.type === "gcs") {
    new GcsBackend(stack, { bucket: backend.bucket, prefix: `${backend.prefix}/${stackId}` });
  } else {
    new LocalBackend(stack, { path: localStatePath(backend.directory, stackId) });
  }
}

/** Labels that say which deployment and stack own a resource. */
export function stackLabels(config: { readonly namePrefix: string }, stackId: string): { [key: string]: string } {
  // Underscores, not hyphens: cdktf would snake-case the keys of provider maps anyway.
  return { managed_by: "sigstore-cdktf", sigstore_deployment: config.namePrefix, sigstore_stack: stackId };
}
