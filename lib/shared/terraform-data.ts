import { Construct } from "constructs";
import { IResolvable, TerraformResource } from "cdktf";

/**
 * Terraform's built-in `terraform_data` resource: a value that becomes
 * readable (as `output`) once the stack that holds it is applied.
 *
 * cdktf's own `DataResource` attaches a validation that runs `terraform
 * version` at every synth, which is slow and fails where Terraform is not
 * installed; the stacks' `required_version` already covers the >= 1.4 need.
 */
export class TerraformData extends TerraformResource {
  constructor(
    scope: Construct,
    id: string,
    /** Stored in state and reflected in `output` after apply. */
    private readonly input: { readonly [key: string]: unknown },
  ) {
    super(scope, id, {
      terraformResourceType: "terraform_data",
      terraformGeneratorMetadata: { providerName: "terraform" },
    });
  }

  /** A member of the applied value, e.g. `outputAttribute("http")`. */
  outputAttribute(path: string): IResolvable {
    return this.interpolationForAttribute(`output.${path}`);
  }

  /** The whole applied value. */
  get output(): IResolvable {
    return this.interpolationForAttribute("output");
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return { input: this.input };
  }

  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    return { input: { value: this.input, isBlock: false, type: "simple", storageClassType: "anyMap" } };
  }
}
