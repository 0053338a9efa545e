import * as path from "path";
import { Construct, Node } from "constructs";
import {
  Aspects,
  DefaultTokenResolver,
  GcsBackend,
  LocalBackend,
  StringConcat,
  TerraformElement,
  TerraformOutput,
  TerraformStack,
} from "cdktf";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import type { BackendConfig } from "../config/schema";
import { fastResolve } from "./fast-resolve";

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
  /** Elements' Terraform JSON as resolved while preparing, reused for output. */
  private readonly prepared = new Map<TerraformElement, unknown>();

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

  private elements(): TerraformElement[] {
    return this.node.findAll().filter((c): c is TerraformElement => TerraformElement.isTerraformElement(c) && TerraformStack.of(c) === this);
  }

  /**
   * cdktf resolves every element once here, to discover cross-stack
   * references, and again when it writes the stack. Nothing changes an
   * element in between unless an Aspect runs (cdktf invokes Aspects after
   * this), so without Aspects the prepared JSON is kept and reused.
   */
  prepareStack(): void {
    this.ensureBackendExists();
    const cache = !this.node.findAll().some((c) => Aspects.of(c).all.length > 0);
    this.prepared.clear();
    for (const element of this.elements()) {
      const resolved = fastResolve(element.toTerraform(), { scope: this, preparing: true, resolver: RESOLVER });
      if (cache) this.prepared.set(element, resolved);
    }
  }

  /**
   * The stack's Terraform JSON, as cdktf builds it, minus repeated work: each
   * element is resolved once (see prepareStack), and the merged document is
   * not resolved a final time, since it holds only resolved data. On stacks of
   * a few hundred resources that repeated work was most of synth time. A test
   * checks this output against cdktf's own toTerraform.
   */
  toTerraform(): any {
    const resolve = (value: unknown) => fastResolve(value, { scope: this, preparing: false, resolver: RESOLVER }) as Record<string, unknown>;
    const elements = this.elements();
    const rawOverrides = (this as unknown as { rawOverrides: Record<string, unknown> }).rawOverrides;
    const metadata: Record<string, unknown> = {
      version: (this as unknown as { cdktfVersion: string }).cdktfVersion,
      stackName: this.node.id,
      backend: "local",
      ...(Object.keys(rawOverrides).length > 0 ? { overrides: { stack: Object.keys(rawOverrides) } } : {}),
    };
    for (const element of elements) mergeResolved(metadata, resolve(element.toMetadata()));
    const outputs: Record<string, unknown> = {};
    for (const element of elements) {
      if (!TerraformOutput.isTerraformOutput(element)) continue;
      const nested = element.node.path.split("/").reduceRight<Record<string, unknown>>((inner, part) => ({ [part]: Object.keys(inner).length === 0 ? element.friendlyUniqueId : inner }), {});
      mergeResolved(outputs, nested);
    }
    const tf: Record<string, unknown> = { "//": { metadata, outputs } };
    for (const element of elements) {
      mergeResolved(tf, (this.prepared.get(element) as Record<string, unknown> | undefined) ?? resolve(element.toTerraform()));
    }
    mergeResolved(tf, resolve(rawOverrides));
    return tf;
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

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/**
 * Merges `source` into `target` as cdktf does: objects recursively, arrays
 * concatenated, `undefined` deleting the key. Both are already resolved.
 */
function mergeResolved(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) {
      delete target[key];
    } else if (Array.isArray(value)) {
      target[key] = Array.isArray(target[key]) ? [...(target[key] as unknown[]), ...value] : value;
    } else if (typeof value === "object" && value !== null) {
      if (typeof target[key] !== "object" || target[key] === null || Array.isArray(target[key])) target[key] = {};
      mergeResolved(target[key] as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      target[key] = value;
    }
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
