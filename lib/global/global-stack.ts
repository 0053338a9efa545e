import { Construct } from "constructs";
import type { SigstoreConfig } from "../config/schema";
import type { RegionalStack } from "../regional/regional-stack";
import { isOwner, planARecords, primaryRegionOf } from "../shared/dns-ownership";
import { fqdnOf, hostOf, ResourceNames } from "../shared/names";
import { DnsRecordSet } from "@cdktf/provider-google/lib/dns-record-set";
import { ServiceARecord, WeightedAddress } from "../shared/service-a-record";
import { PUBLIC_SERVICE_IDS, PUBLIC_SERVICES, PublicServiceId } from "../shared/services";
import { SigstoreStack, stackLabels } from "../shared/sigstore-stack";
import { aggregatesDexKeys } from "../regional/regional-stack";
import { GLOBAL_APIS, ProjectApis, waitFor } from "../regional/project-apis";
import { jwksMergerSource } from "../shared/function-packages";
import { DexJwksAggregation } from "./dex-jwks";
import { ExtraRoute, GlobalFrontend } from "./global-frontend";
import { TilesFrontend } from "./tiles-frontend";
import { GlobalUptime } from "./uptime";

export interface GlobalStackProps {
  readonly config: SigstoreConfig;
  /** Every regional stack of the deployment, in configuration order. */
  readonly regions: readonly RegionalStack[];
}

/** The resources that exist once per deployment: global load balancers and what they need. */
export class GlobalStack extends SigstoreStack {
  static readonly ID = "global";

  readonly frontends: { readonly [K in PublicServiceId]?: GlobalFrontend };
  /** Serves every region's Dex keys at /auth/keys, when Dex is global. */
  readonly dexJwks?: DexJwksAggregation;

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

    const apisReady = new ProjectApis(this, "apis", { project: config.project.id, apis: GLOBAL_APIS }).gate();

    if (aggregatesDexKeys(config)) {
      this.dexJwks = new DexJwksAggregation(this, "dex-jwks", {
        project: config.project.id,
        projectNumber: config.project.number,
        names,
        functionRegion: primaryRegionOf(config),
        settings: config.dexJwks,
        source: jwksMergerSource(),
        publishers: props.regions.map((r) => {
          if (!r.jwksPublisher) throw new Error(`Regional stack ${r.region} has no Dex key publisher`);
          return { region: r.region, serviceAccountEmail: r.jwksPublisher.serviceAccount.email };
        }),
        cloudArmor: config.services.dex.cloudArmor,
        notificationChannels: config.monitoring.notificationChannels,
        alerts: config.monitoring.alerts,
      });
    }

    const frontends: { [K in PublicServiceId]?: GlobalFrontend } = {};
    for (const id of PUBLIC_SERVICE_IDS) {
      const service = config.services[id];
      if (!service.exposeGlobally) continue;
      const dex = id === "dex";
      // Exactly /auth/keys (a path rule without * is an exact match) comes
      // from the merged key set; discovery and the login flow stay with Dex.
      const extraRoutes: ExtraRoute[] = dex && this.dexJwks ? [{ paths: ["/auth/keys"], service: this.dexJwks.backendBucket.id }] : [];
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
        extraRoutes,
        // A login is three requests (authorize, callback, token exchange, the
        // last from the CLI without the browser's cookies) that must reach the
        // same Dex: pin clients by IP with consistent hashing. See docs/dex-jwks.md.
        httpBackend: dex ? { sessionAffinity: "CLIENT_IP", localityLbPolicy: "RING_HASH" } : undefined,
      });
    }
    this.frontends = frontends;

    for (const kind of ["rekor", "ctlog"] as const) {
      const host = props.regions.find((r) => r.tilesLogs[kind]);
      if (!host) continue;
      const log = config.tiles[kind];
      const frontend = new TilesFrontend(this, `${kind}-tiles`, {
        project: config.project.id,
        names,
        log: host.tilesLogs[kind]!.exported,
        host: hostOf(log.subdomain, config.dns.domain),
        managedZone: config.dns.zoneName,
        maxRatePerEndpoint: log.maxRatePerEndpoint,
        cloudArmor: log.cloudArmor,
        logging: config.logging,
      });
      // A new host with no regional history: the global stack simply owns its record.
      new DnsRecordSet(this, `${kind}-tiles-a-record`, {
        project: config.project.id,
        managedZone: config.dns.zoneName,
        name: fqdnOf(log.subdomain, config.dns.domain),
        type: "A",
        ttl: 300,
        rrdatas: [frontend.servingAddress],
        dependsOn: [frontend.httpsForwardingRule],
      });
    }

    if (config.monitoring.uptimeChecks) {
      new GlobalUptime(this, "uptime", {
        project: config.project.id,
        names,
        notificationChannels: config.monitoring.notificationChannels,
        alerts: config.monitoring.alerts,
        targets: PUBLIC_SERVICE_IDS.filter((id) => config.services[id].exposeGlobally).map((id) => ({
          id,
          title: PUBLIC_SERVICES[id].title,
          host: hostOf(config.services[id].subdomain, config.dns.domain),
          path: PUBLIC_SERVICES[id].healthCheckPath,
        })),
      });
    }

    for (const plan of planARecords(config)) {
      const frontend = frontends[plan.service];
      const owned = isOwner(plan, { stack: "global" });
      if (owned && !frontend) {
        throw new Error(`The global stack owns the A record of ${plan.service} but does not expose it`);
      }
      let targets: WeightedAddress[] = [];
      if (owned && frontend) {
        // Addresses read from the :443 rules: the primary's is a cross-stack
        // reference to its regional front end's forwarding rule.
        targets =
          plan.globalWeight === undefined
            ? [{ address: frontend.servingAddress, weight: 1 }]
            : [
                { address: frontend.servingAddress, weight: plan.globalWeight },
                { address: primary.endpoints[plan.service].exported.ingressAddress, weight: complementOf(plan.globalWeight) },
              ];
      }
      new ServiceARecord(this, `${plan.service}-a-record`, {
        service: plan.service,
        project: config.project.id,
        managedZone: config.dns.zoneName,
        fqdn: plan.fqdn,
        ttl: plan.ttl,
        owned:
          owned && frontend
            ? {
                adopt: plan.adopt,
                targets,
                servedBy: [frontend.httpsForwardingRule],
                // Nothing moves to the global address before its certificate is ACTIVE.
                activeCertificates: [frontend.certificate.certificate!],
              }
            : undefined,
      });
    }
    waitFor(this, apisReady);
  }
}

/** 1 - w without binary noise such as 0.30000000000000004 in the synthesized JSON. */
function complementOf(weight: number): number {
  return Math.round((1 - weight) * 1e6) / 1e6;
}
