import { Construct } from "constructs";
import { Fn, TerraformProvider, TerraformResource, TerraformStack } from "cdktf";
import type { LoggingMetric } from "@cdktf/provider-google/lib/logging-metric";

/** hashicorp/time, the provider of `time_sleep`. */
export const TIME_PROVIDER = { source: "hashicorp/time", version: "~> 0.13" } as const;

/**
 * How long a new log-based metric takes to become usable in an alert
 * policy's filter. Until then the Monitoring API answers "Cannot find
 * metric(s)" and the google provider does not retry it (it retries only
 * 409s): hashicorp/terraform-provider-google#11102, open, reports up to ten
 * minutes.
 */
export const LOG_METRIC_PROPAGATION_SECONDS = 600;

/** The `time` provider, declared once per stack. */
class TimeProvider extends TerraformProvider {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      terraformResourceType: "time",
      terraformGeneratorMetadata: { providerName: "time", providerVersionConstraint: TIME_PROVIDER.version },
      terraformProviderSource: TIME_PROVIDER.source,
    });
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return {};
  }
}

/** Declares the `time` provider in the stack of `scope`, once. */
export function ensureTimeProvider(scope: Construct): void {
  const stack = TerraformStack.of(scope);
  if (!stack.node.tryFindChild("time")) new TimeProvider(stack, "time");
}

/** hashicorp/time's `time_sleep`: waits on create (again whenever a trigger changes). */
export class TimeSleep extends TerraformResource {
  constructor(
    scope: Construct,
    id: string,
    private readonly props: { readonly createDuration: string; readonly triggers: { readonly [key: string]: string } },
  ) {
    ensureTimeProvider(scope);
    super(scope, id, {
      terraformResourceType: "time_sleep",
      terraformGeneratorMetadata: { providerName: "time", providerVersionConstraint: TIME_PROVIDER.version },
    });
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return { create_duration: this.props.createDuration, triggers: this.props.triggers };
  }

  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    return {
      create_duration: { value: this.props.createDuration, isBlock: false, type: "simple", storageClassType: "string" },
      triggers: { value: this.props.triggers, isBlock: false, type: "map", storageClassType: "stringMap" },
    };
  }
}

export interface LogMetricsReadyProps {
  /** The log-based metrics created in this stack that alert policies use. */
  readonly metrics: readonly LoggingMetric[];
  /** @default LOG_METRIC_PROPAGATION_SECONDS */
  readonly waitSeconds?: number;
}

/**
 * A point in the apply after which log-based metrics created in the same
 * apply can be used by alert policies: a `time_sleep` that starts once every
 * metric exists and sleeps again only when a metric is replaced (its id is a
 * trigger). Alert policies on those metrics list `dependable` in `dependsOn`.
 * The wait overlaps with whatever else the apply creates meanwhile.
 */
export class LogMetricsReady extends Construct {
  /** Put this in the `dependsOn` of every alert policy on the metrics. */
  readonly dependable: TerraformResource;

  constructor(scope: Construct, id: string, props: LogMetricsReadyProps) {
    super(scope, id);
    if (props.metrics.length === 0) throw new Error(`${this.node.path}: there is no log-based metric to wait for`);
    const seconds = props.waitSeconds ?? LOG_METRIC_PROPAGATION_SECONDS;
    if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`${this.node.path}: waitSeconds (${seconds}) must be a positive whole number`);
    this.dependable = new TimeSleep(this, "wait", {
      createDuration: `${seconds}s`,
      triggers: { metrics: Fn.join(",", props.metrics.map((m) => m.id)) },
    });
  }
}
