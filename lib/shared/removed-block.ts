import { Construct } from "constructs";
import { TerraformElement } from "cdktf";

/**
 * A Terraform `removed` block with `destroy = false`: the stack forgets the
 * resource at `from` without touching the real object. Terraform treats it as
 * a no-op when the address is not in state, so it is safe to keep declaring it.
 * cdktf 0.21 has no construct for it, hence this small element.
 */
export class RemovedBlock extends TerraformElement {
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

  toHclTerraform(): unknown {
    return this.toTerraform();
  }

  toMetadata(): unknown {
    return {};
  }
}
