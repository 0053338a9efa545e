import { Construct } from "constructs";
import { ITerraformDependable, TerraformResource } from "cdktf";

export interface ApplyTimeCommandProps {
  /** POSIX shell script, run with `/bin/sh -c` where Terraform runs. No "${" in it: Terraform would read an interpolation. */
  readonly script: string;
  /** The script's environment: where the values the script needs go, references included. */
  readonly environment: { readonly [name: string]: string };
  /** What the command is about: a change to any of these runs it again (`triggers_replace`). */
  readonly triggers: { readonly [name: string]: string };
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A step Terraform runs once at apply time, for what no provider resource
 * does: a `terraform_data` whose creation runs a shell script (local-exec) and
 * fails the apply when the script fails. It runs again only when its
 * triggers change, and never on destroy. RecordGuard and CloudSqlDatabaseRoles
 * are such steps (both call gcloud).
 */
export abstract class ApplyTimeCommand extends TerraformResource {
  private readonly triggers: { readonly [name: string]: string };

  constructor(scope: Construct, id: string, props: ApplyTimeCommandProps) {
    super(scope, id, {
      terraformResourceType: "terraform_data",
      terraformGeneratorMetadata: { providerName: "terraform" },
      dependsOn: props.dependsOn,
      provisioners: [{ type: "local-exec", interpreter: ["/bin/sh", "-c"], command: props.script, environment: { ...props.environment } }],
    });
    this.triggers = props.triggers;
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return { triggers_replace: { ...this.triggers } };
  }

  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    return { triggers_replace: { value: { ...this.triggers }, isBlock: false, type: "simple", storageClassType: "anyMap" } };
  }
}
