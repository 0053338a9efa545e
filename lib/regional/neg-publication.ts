import type { Construct } from "constructs";
import { dependable, ITerraformDependable, Token } from "cdktf";
import { TerraformData } from "../shared/terraform-data";

export interface NegPublicationProps {
  /** Standalone NEG names by port name (`http`, `grpc`). */
  readonly negNames: { readonly http: string; readonly grpc?: string };
  /** Zones the NEGs are in (one NEG per zone). */
  readonly zones: readonly string[];
  /** Further published values, after the names and zones. @default none */
  readonly extra?: { readonly [key: string]: string };
}

/**
 * The NEG names and served zones a regional stack publishes for the global
 * stack's front ends: one `terraform_data` (id `id` in `scope`, so callers
 * keep their Terraform addresses) whose outputs the front ends read, so a
 * name is seen only after whatever `publishAfter` waits for.
 */
export class NegPublication {
  readonly data: TerraformData;
  // The same array the resource's input holds: withholding empties it before synthesis.
  private readonly zones: string[];

  constructor(scope: Construct, id: string, props: NegPublicationProps) {
    this.zones = [...props.zones];
    this.data = new TerraformData(scope, id, { ...props.negNames, zones: this.zones, ...props.extra });
  }

  /** Makes the published values wait for what creates the NEGs (the chart's Service). */
  publishAfter(...dependencies: ITerraformDependable[]): void {
    this.data.dependsOn = [...(this.data.dependsOn ?? []), ...dependencies.map((d) => dependable(d))];
  }

  /**
   * Publishes no served zone: the release is not installed in this region
   * yet, so its NEGs do not exist; the global stack's zone precondition then
   * stops its plan instead of routing to missing NEGs.
   */
  withholdZones(): void {
    this.zones.splice(0, this.zones.length);
  }

  /** Whether no served zone is published. */
  get zonesWithheld(): boolean {
    return this.zones.length === 0;
  }

  /** The zones published now (empty once withheld). */
  get publishedZones(): string[] {
    return [...this.zones];
  }

  /** A published value, as a reference. */
  attribute(name: string): string {
    return Token.asString(this.data.outputAttribute(name));
  }

  /** The served zones, as a reference. */
  get servedZones(): string[] {
    return Token.asList(this.data.outputAttribute("zones"));
  }
}
