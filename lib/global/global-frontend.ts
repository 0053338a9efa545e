import type { Construct } from "constructs";
import type { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import type { RegionalServiceExport } from "../regional/service-endpoint";
import { negGroupOf, ServiceFrontend, ServiceFrontendProps } from "../frontend/service-frontend";

export type { BackendTuning, ExtraRoute } from "../frontend/service-frontend";

/**
 * `ServiceFrontendProps` with every region's NEGs instead of `groups`; the
 * global front end always reserves its own address and certificate.
 */
export interface GlobalFrontendProps extends Omit<ServiceFrontendProps, "groups" | "namePart" | "address" | "certificate"> {
  /** What every region offers; the backends are each region's NEGs in each of its zones. */
  readonly regions: readonly RegionalServiceExport[];
}

/**
 * The service front end (`ServiceFrontend`) of the global stack: its own
 * global address, over the standalone NEGs of every region.
 *
 * Region data arrives only as cross-stack references: nothing here looks up a
 * NEG, so planning a region that is not deployed yet cannot fail on a look-up.
 */
export class GlobalFrontend extends ServiceFrontend {
  readonly address: ComputeGlobalAddress;

  constructor(scope: Construct, id: string, props: GlobalFrontendProps) {
    const { regions, ...shared } = props;
    super(scope, id, { ...shared, groups: regions.map(negGroupOf) });
    this.address = this.reservedAddress!;
  }
}
