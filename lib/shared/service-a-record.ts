import { Construct } from "constructs";
import { DnsRecordSet } from "@cdktf/provider-google/lib/dns-record-set";
import { ImportBlock, RemovedBlock } from "./state-blocks";
import type { PublicServiceId } from "./services";

export interface WeightedAddress {
  readonly address: string;
  readonly weight: number;
}

export interface ServiceARecordProps {
  readonly service: PublicServiceId;
  readonly project: string;
  readonly managedZone: string;
  /** Fully qualified name with the trailing dot. */
  readonly fqdn: string;
  readonly ttl: number;
  /**
   * Set when this stack owns the record; leave undefined in every other stack,
   * which then releases the record from its state without deleting it.
   */
  readonly owned?: {
    /** One address, or several for a weighted round-robin record. */
    readonly targets: readonly WeightedAddress[];
    /** Take over an existing record with an `import` block instead of creating it. */
    readonly adopt: boolean;
  };
}

/**
 * A service's A record, owned by exactly one stack at a time.
 *
 * Every stack uses the same Terraform address for the record, so the hand-off
 * between stacks is two declarative halves: the old owner's `removed` block
 * (forget, do not destroy) and the new owner's `import` block (adopt). Either
 * stack may be deployed first; the record is never deleted or recreated.
 */
export class ServiceARecord extends Construct {
  /** Terraform address of the record, the same in every stack. */
  static addressOf(service: PublicServiceId): string {
    return `google_dns_record_set.${ServiceARecord.logicalIdOf(service)}`;
  }

  private static logicalIdOf(service: PublicServiceId): string {
    return `${service}_a_record`;
  }

  /** The record, in the owning stack. */
  readonly record?: DnsRecordSet;

  constructor(scope: Construct, id: string, props: ServiceARecordProps) {
    super(scope, id);
    if (!props.owned) {
      new RemovedBlock(this, "released", ServiceARecord.addressOf(props.service));
      return;
    }
    const targets = props.owned.targets;
    const weighted = targets.length > 1;
    this.record = new DnsRecordSet(this, "record", {
      project: props.project,
      managedZone: props.managedZone,
      name: props.fqdn,
      type: "A",
      ttl: props.ttl,
      rrdatas: weighted ? undefined : [targets[0].address],
      routingPolicy: weighted
        ? { wrr: targets.map((t) => ({ weight: t.weight, rrdatas: [t.address] })) }
        : undefined,
    });
    // A fixed address, independent of where the construct sits, because the
    // removed and import blocks of other deployments name it.
    this.record.overrideLogicalId(ServiceARecord.logicalIdOf(props.service));
    if (props.owned.adopt) {
      new ImportBlock(
        this,
        "adopted",
        ServiceARecord.addressOf(props.service),
        `projects/${props.project}/managedZones/${props.managedZone}/rrsets/${props.fqdn}/A`,
      );
    }
  }
}
