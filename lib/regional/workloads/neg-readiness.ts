import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { DataGoogleComputeNetworkEndpointGroup } from "@cdktf/provider-google/lib/data-google-compute-network-endpoint-group";

export interface NegReadinessProps {
  readonly project: string;
  /** NEG names the release's Service annotation asks the NEG controller for. */
  readonly negNames: readonly string[];
  /** Every zone of the cluster: the NEG controller makes one NEG per name and zone. */
  readonly zones: readonly string[];
  /** The release whose Service carries the NEG annotation. */
  readonly release: ITerraformDependable;
}

/**
 * Proof, in the regional stack, that the NEGs of a release exist in every
 * zone: one `google_compute_network_endpoint_group` look-up per name and zone,
 * with depends_on the release. Terraform defers reading a data source whose
 * depends_on has planned changes to apply time, after the release is
 * installed (and Helm waited for its pods), so a brand-new region plans
 * cleanly; the provider's read fails with "<id> not found" when a NEG is
 * missing, so the apply fails here rather than in the global stack. Published
 * NEG names depend on these look-ups (`publishAfter`).
 */
export class NegReadiness extends Construct {
  readonly lookups: readonly DataGoogleComputeNetworkEndpointGroup[];

  constructor(scope: Construct, id: string, props: NegReadinessProps) {
    super(scope, id);
    if (props.zones.length === 0) throw new Error(`${this.node.path}: NegReadiness needs at least one zone`);
    const lookups: DataGoogleComputeNetworkEndpointGroup[] = [];
    for (const name of props.negNames) {
      for (const zone of props.zones) {
        lookups.push(
          new DataGoogleComputeNetworkEndpointGroup(this, `${name}-${zone}`, {
            project: props.project,
            name,
            zone,
            dependsOn: [props.release],
          }),
        );
      }
    }
    this.lookups = lookups;
  }
}
