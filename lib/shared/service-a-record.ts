import { Construct } from "constructs";
import { ITerraformDependable, Op } from "cdktf";
import type { CertificateManagerCertificate } from "@cdktf/provider-google/lib/certificate-manager-certificate";
import { DnsRecordSet } from "@cdktf/provider-google/lib/dns-record-set";
import { RecordGuard } from "./record-guard";
import { ImportBlock, RemovedBlock } from "./state-blocks";
import type { PublicServiceId } from "./services";

export interface WeightedAddress {
  readonly address: string;
  readonly weight: number;
}

/**
 * What an A record is for: a public service of the registry, or another host
 * only the global stack serves (`ctlog`, `rekor-tiles`, a tiles shard…).
 */
export type ARecordId = PublicServiceId | (string & {});

export interface ServiceARecordProps {
  /**
   * The record's id; its Terraform address, the same in every stack, is
   * `google_dns_record_set.<id with "_" for "-">_a_record`.
   */
  readonly service: ARecordId;
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
    /**
     * The :443 forwarding rules, in this stack, of the front ends the targets
     * belong to: the record depends on them, so it never points at an
     * address nothing listens on. (A target of another stack must be read
     * from that stack's forwarding rule.) @default none
     */
    readonly servedBy?: readonly ITerraformDependable[];
    /**
     * Certificates that must be ACTIVE before the record may point at the
     * front ends that serve them (a precondition). @default none
     */
    readonly activeCertificates?: readonly CertificateManagerCertificate[];
    /**
     * How the operator asks for adoption, for the message of the guard that
     * stops a non-adopting owner from overwriting an existing record.
     * @default "set adoptExisting: true on the service's dns settings to take it over"
     */
    readonly adoptHint?: string;
  };
}

/**
 * A service's A record, owned by exactly one stack at a time.
 *
 * Every stack uses the same Terraform address for the record, so the hand-off
 * between stacks is two declarative halves: the old owner's `removed` block
 * (forget, do not destroy) and the new owner's `import` block (adopt). Either
 * stack may be deployed first; the record is never deleted or recreated.
 *
 * An owner that does not adopt creates the record behind a `RecordGuard`,
 * because the provider's create silently replaces a record of the same name.
 */
export class ServiceARecord extends Construct {
  /** Terraform address of the record, the same in every stack. */
  static addressOf(service: ARecordId): string {
    return `google_dns_record_set.${ServiceARecord.logicalIdOf(service)}`;
  }

  private static logicalIdOf(service: ARecordId): string {
    // The addresses the tiles and CT log hosts' records always had (e.g. rekor_tiles_a_record).
    return `${service.replace(/-/g, "_")}_a_record`;
  }

  /** The record, in the owning stack. */
  readonly record?: DnsRecordSet;

  constructor(scope: Construct, id: string, props: ServiceARecordProps) {
    super(scope, id);
    if (!props.owned) {
      new RemovedBlock(this, "released", ServiceARecord.addressOf(props.service));
      return;
    }
    const { targets, adopt } = props.owned;
    const weighted = targets.length > 1;
    const guard = adopt
      ? undefined
      : new RecordGuard(this, "no-overwrite", {
        project: props.project,
        managedZone: props.managedZone,
        fqdn: props.fqdn,
        targets,
        adoptHint: props.owned.adoptHint ?? "Set adoptExisting: true on the service's dns settings to take it over.",
      });
    const certificates = props.owned.activeCertificates ?? [];
    const dependsOn = [...(props.owned.servedBy ?? []), ...(guard ? [guard] : [])];
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
      dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
      lifecycle: certificates.length === 0 ? undefined : {
        // Refreshed at plan time when the certificate exists; when it is
        // created in the same run the check runs at apply, after its creation.
        precondition: certificates.map((c) => ({
          condition: Op.eq("ACTIVE", c.managed.state),
          errorMessage: `${props.fqdn} must not point at a front end before its certificate is ACTIVE; Certificate Manager is still issuing it (or failed: gcloud certificate-manager certificates describe ${c.name}). Deploy again once managed.state is ACTIVE.`,
        })),
      },
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
