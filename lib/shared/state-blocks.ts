import { Construct } from "constructs";
import { TerraformElement } from "cdktf";

// Top-level Terraform blocks that move a resource in or out of a stack's
// state. cdktf 0.21 has no construct for `removed`, and its `importFrom()`
// attaches a validation that runs `terraform version` at every synth: slow,
// and fatal where Terraform is not installed (a PR-review job that only
// synthesizes). The stacks' `required_version` already guarantees support.

abstract class StateBlock extends TerraformElement {
  toHclTerraform(): unknown {
    return this.toTerraform();
  }

  toMetadata(): unknown {
    return {};
  }
}

/**
 * A `removed` block with `destroy = false`: the stack forgets the resource at
 * `from` without touching the real object. Terraform treats it as a no-op when
 * the address is not in state, so it is safe to keep declaring it.
 */
export class RemovedBlock extends StateBlock {
  constructor(
    scope: Construct,
    id: string,
    /** Resource address, e.g. `google_dns_record_set.fulcio_a_record`. */
    readonly from: string,
  ) {
    super(scope, id, "removed");
  }

  toTerraform(): unknown {
    return { removed: [{ from: this.from, lifecycle: { destroy: false } }] };
  }
}

/**
 * An `import` block: the stack adopts an existing object at `to`. Terraform
 * skips it once the address is in state.
 */
export class ImportBlock extends StateBlock {
  constructor(
    scope: Construct,
    id: string,
    /** Resource address, e.g. `google_dns_record_set.fulcio_a_record`. */
    readonly to: string,
    /** Provider-specific import id of the existing object. */
    readonly importId: string,
  ) {
    super(scope, id, "import");
  }

  toTerraform(): unknown {
    return { import: [{ to: this.to, id: this.importId }] };
  }
}
