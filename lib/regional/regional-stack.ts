import { Construct } from "constructs";
import type { RegionConfig, SigstoreConfig } from "../config/schema";
import { isOwner, planARecords } from "../shared/dns-ownership";
import { ResourceNames } from "../shared/names";
import { ServiceARecord } from "../shared/service-a-record";
import { PUBLIC_SERVICE_IDS, PUBLIC_SERVICES, PublicServiceId } from "../shared/services";
import { SigstoreStack, stackLabels } from "../shared/sigstore-stack";
import { RegionalServiceEndpoint } from "./service-endpoint";

export interface RegionalStackProps {
  readonly config: SigstoreConfig;
  readonly region: RegionConfig;
}

/** Everything one region of the deployment needs; one stack per region. */
export class RegionalStack extends SigstoreStack {
  /** Stack id of a region, also the name of its state. */
  static idOf(region: string): string {
    return `regional-${region}`;
  }

  readonly region: string;
  readonly endpoints: { readonly [K in PublicServiceId]: RegionalServiceEndpoint };

  constructor(scope: Construct, props: RegionalStackProps) {
    const id = RegionalStack.idOf(props.region.region);
    const { config } = props;
    super(scope, id, {
      projectId: config.project.id,
      region: props.region.region,
      backend: config.backend,
      labels: stackLabels(config, id),
    });
    this.region = props.region.region;
    const names = new ResourceNames(config.namePrefix, config.project.id);

    const endpoints = {} as { [K in PublicServiceId]: RegionalServiceEndpoint };
    for (const service of PUBLIC_SERVICE_IDS) {
      endpoints[service] = new RegionalServiceEndpoint(this, service, {
        service: PUBLIC_SERVICES[service],
        names,
        region: this.region,
        zones: props.region.zones,
      });
    }
    this.endpoints = endpoints;

    const self = { stack: "regional", region: this.region } as const;
    for (const plan of planARecords(config)) {
      const owned = isOwner(plan, self);
      new ServiceARecord(endpoints[plan.service], "a-record", {
        service: plan.service,
        project: config.project.id,
        managedZone: config.dns.zoneName,
        fqdn: plan.fqdn,
        ttl: plan.ttl,
        owned: owned
          ? { adopt: plan.adopt, targets: [{ address: endpoints[plan.service].ingressAddress.address, weight: 1 }] }
          : undefined,
      });
    }
  }
}
