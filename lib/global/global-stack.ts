import { Construct } from "constructs";
import type { SigstoreConfig } from "../config/schema";
import type { RegionalStack } from "../regional/regional-stack";
import { isOwner, planARecords, primaryRegionOf } from "../shared/dns-ownership";
import { hostOf, ResourceNames } from "../shared/names";
import { ServiceARecord, WeightedAddress } from "../shared/service-a-record";
import { PUBLIC_SERVICE_IDS, PUBLIC_SERVICES, PublicServiceId } from "../shared/services";
import { SigstoreStack, stackLabels } from "../shared/sigstore-stack";
import { GlobalFrontend } from "./global-frontend";

export interface GlobalStackProps {
  readonly config: SigstoreConfig;
  /** Every regional stack of the deployment, in configuration order. */
  readonly regions: readonly RegionalStack[];
}

/** The resources that exist once per deployment: global load balancers and what they need. */
export class GlobalStack extends SigstoreStack {
  static readonly ID = "global";

  readonly frontends: { readonly [K in PublicServiceId]?: GlobalFrontend };

  constructor(scope: Construct, props: GlobalStackProps) {
    const { config } = props;
    super(scope, GlobalStack.ID, {
      projectId: config.project.id,
      region: primaryRegionOf(config),
      backend: config.backend,
      labels: stackLabels(config, GlobalStack.ID),
    });
    const names = new ResourceNames(config.namePrefix, config.project.id);
    const primary = props.regions.find((r) => r.region === primaryRegionOf(config));
    if (!primary) throw new Error(`No regional stack for the primary region ${primaryRegionOf(config)}`);

    const frontends: { [K in PublicServiceId]?: GlobalFrontend } = {};
    for (const id of PUBLIC_SERVICE_IDS) {
      const service = config.services[id];
      if (!service.exposeGlobally) continue;
      frontends[id] = new GlobalFrontend(this, id, {
        project: config.project.id,
        names,
        service: PUBLIC_SERVICES[id],
        host: hostOf(service.subdomain, config.dns.domain),
        managedZone: config.dns.zoneName,
        regions: props.regions.map((r) => r.endpoints[id].exported),
        maxRatePerEndpoint: service.maxRatePerEndpoint,
        cloudArmor: service.cloudArmor,
        logging: config.logging,
      });
    }
    this.frontends = frontends;

    for (const plan of planARecords(config)) {
      const frontend = frontends[plan.service];
      const owned = isOwner(plan, { stack: "global" });
      if (owned && !frontend) {
        throw new Error(`The global stack owns the A record of ${plan.service} but does not expose it`);
      }
      let targets: WeightedAddress[] = [];
      if (owned && frontend) {
        targets =
          plan.globalWeight === undefined
            ? [{ address: frontend.ipAddress, weight: 1 }]
            : [
                { address: frontend.ipAddress, weight: plan.globalWeight },
                { address: primary.endpoints[plan.service].exported.ingressAddress, weight: complementOf(plan.globalWeight) },
              ];
      }
      new ServiceARecord(this, `${plan.service}-a-record`, {
        service: plan.service,
        project: config.project.id,
        managedZone: config.dns.zoneName,
        fqdn: plan.fqdn,
        ttl: plan.ttl,
        owned: owned ? { adopt: plan.adopt, targets } : undefined,
      });
    }
  }
}

/** 1 - w without binary noise such as 0.30000000000000004 in the synthesized JSON. */
function complementOf(weight: number): number {
  return Math.round((1 - weight) * 1e6) / 1e6;
}
