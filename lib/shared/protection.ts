import type { TerraformResource } from "cdktf";

/**
 * Adds `lifecycle.prevent_destroy`: Terraform then refuses any plan that would
 * destroy the resource (a key, a database, a log's bucket) until the flag is
 * removed on purpose. Returns the resource for chaining.
 */
export function preventDestroy<T extends TerraformResource>(resource: T): T {
  resource.lifecycle = { ...(resource.lifecycle ?? {}), preventDestroy: true };
  return resource;
}
