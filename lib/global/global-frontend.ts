import type { Construct } from "constructs";
import type { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import type { CloudArmorConfig, LoggingConfig } from "../config/schema";
import type { RegionalServiceExport } from "../regional/service-endpoint";
import type { PublicServiceSpec } from "../shared/services";
import type { HttpsFrontendProps } from "./https-entry";
import { BackendTuning, ExtraRoute, negGroupOf, ServiceFrontend } from "../frontend/service-frontend";

export type { BackendTuning, ExtraRoute } from "../frontend/service-frontend";

export interface GlobalFrontendProps extends HttpsFrontendProps {
  readonly service: PublicServiceSpec;
  /** What every region offers; the backends are each region's NEGs in each of its zones. */
  readonly regions: readonly RegionalServiceExport[];
  /** Capacity of one endpoint (pod) in requests per second, for RATE balancing. */
  readonly maxRatePerEndpoint: number;
  /** Cloud Armor policy of the backend services. @default allow by default, adaptive protection on, no rules */
  readonly cloudArmor?: CloudArmorConfig;
  /** Request and health-check logging. @default every request logged, no health-check probes */
  readonly logging?: LoggingConfig;
  /** Path rules ahead of the service's own routing. @default none */
  readonly extraRoutes?: readonly ExtraRoute[];
  /** Applied to the HTTP backend service. @default the backend service defaults */
  readonly httpBackend?: BackendTuning;
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
    super(scope, id, {
      project: props.project,
      namePrefix: props.namePrefix,
      service: props.service,
      host: props.host,
      managedZone: props.managedZone,
      groups: props.regions.map(negGroupOf),
      maxRatePerEndpoint: props.maxRatePerEndpoint,
      cloudArmor: props.cloudArmor,
      logging: props.logging,
      extraRoutes: props.extraRoutes,
      httpBackend: props.httpBackend,
    });
    this.address = this.reservedAddress!;
  }
}
