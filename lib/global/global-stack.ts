import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import type { SigstoreConfig } from "../config/schema";
import type { RegionalStack } from "../regional/regional-stack";
import { isOwner, planARecords, primaryRegionOf } from "../shared/dns-ownership";
import { fqdnOf, hostOf, ResourceNames } from "../shared/names";
import { enabledServiceIds, isExposedGlobally, isServiceEnabled, placementRegionOf } from "../shared/placement";
import { ServiceARecord, WeightedAddress } from "../shared/service-a-record";
import { PUBLIC_SERVICES, PublicServiceId } from "../shared/services";
import { SigstoreStack, stackLabels, TransparentScope } from "../shared/sigstore-stack";
import { aggregatesDexKeys } from "../regional/regional-stack";
import { GLOBAL_APIS, ProjectApis, waitFor } from "../regional/project-apis";
import { jwksMergerSource } from "../shared/function-packages";
import { BucketFrontend } from "./bucket-frontend";
import { DexJwksAggregation } from "./dex-jwks";
import { ExtraRoute, GlobalFrontend } from "./global-frontend";
import { TilesFrontend } from "./tiles-frontend";
import { TILES_LOGS, TilesLogExport } from "../regional/tiles-log";
import { ctLogHost, tilesShardLabel, tilesWriteLabel } from "../shared/log-placement";
import { CtLogFrontend } from "./ctlog-frontend";
import { TrustOutputs } from "./trust-outputs";
import { TufRepository } from "./tuf-repository";
import { GlobalUptime } from "./uptime";
import type { ManagedCertificate } from "./managed-certificate";

export interface GlobalStackProps {
  readonly config: SigstoreConfig;
  /** Every regional stack of the deployment, in configuration order. */
  readonly regions: readonly RegionalStack[];
}

/** The resources that exist once per deployment: global load balancers and what they need. */
export class GlobalStack extends SigstoreStack {
  static readonly ID = "global";

  /** Load balancers over regional NEGs, per public service the global stack exposes. */
  readonly frontends: { readonly [K in PublicServiceId]?: GlobalFrontend };
  /** Load balancers over buckets (the TUF repository), per public service. */
  readonly bucketFrontends: { readonly [K in PublicServiceId]?: BucketFrontend };
  /** The instance's one TUF repository, when `features.tuf` is on. */
  readonly tuf?: TufRepository;
  /** Serves every region's Dex keys at /auth/keys, when Dex is global. */
  readonly dexJwks?: DexJwksAggregation;
  /** The `trust_material` and `instance_urls` outputs, from every region's values. */
  readonly trust: TrustOutputs;

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
        serviceAlerts: config.monitoring.serviceAlerts,
      });
    }

    if (isServiceEnabled(config, "tuf")) {
      this.tuf = new TufRepository(this, "tuf-repository", {
        project: config.project.id,
        projectNumber: config.project.number,
        names,
        location: config.services.tuf.location,
        protectionLevel: config.regional.kms.protectionLevel,
        // The refresh jobs run in the primary region's cluster.
        kubernetes: { workloadPool: primary.cluster.workloadPool },
      });
    }
    /** What each bucket service serves. */
    const bucketsOf: { [K in PublicServiceId]?: string } = { tuf: this.tuf?.servingBucketName };

    // Front ends live in their own construct namespace, like the regional endpoints.
    const services = new TransparentScope(this, "services");
    const frontends: { [K in PublicServiceId]?: GlobalFrontend } = {};
    const bucketFrontends: { [K in PublicServiceId]?: BucketFrontend } = {};
    for (const id of enabledServiceIds(config)) {
      if (!isExposedGlobally(config, id)) continue;
      const service = config.services[id];
      const spec = PUBLIC_SERVICES[id];
      const host = hostOf(service.subdomain, config.dns.domain);
      if (spec.backend === "bucket") {
        const bucketName = bucketsOf[id];
        if (!bucketName) throw new Error(`Public service ${id} is served from a bucket, but the global stack has no bucket for it`);
        bucketFrontends[id] = new BucketFrontend(services, id, {
          project: config.project.id,
          namePrefix: names.prefix,
          service: spec,
          host,
          managedZone: config.dns.zoneName,
          bucketName,
          cloudArmor: service.cloudArmor,
        });
        continue;
      }
      // Only the regions that run the service publish its NEGs (one for Rekor v1).
      const serving = props.regions.flatMap((r) => {
        const endpoint = r.endpoints[id];
        return endpoint ? [endpoint.exported] : [];
      });
      const dex = id === "dex";
      // Exactly /auth/keys (a path rule without * is an exact match) comes
      // from the merged key set; discovery and the login flow stay with Dex.
      const extraRoutes: ExtraRoute[] = dex && this.dexJwks ? [{ paths: ["/auth/keys"], service: this.dexJwks.backendBucket.id }] : [];
      frontends[id] = new GlobalFrontend(services, id, {
        project: config.project.id,
        namePrefix: names.prefix,
        service: spec,
        host,
        managedZone: config.dns.zoneName,
        regions: serving,
        maxRatePerEndpoint: service.maxRatePerEndpoint!,
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
    this.bucketFrontends = bucketFrontends;
    // The CDN's service agent exists once the project uses Cloud CDN: grant after the backend bucket.
    if (this.tuf && bucketFrontends.tuf) this.tuf.cdnReader.dependsOn = [bucketFrontends.tuf.backendBucket.fqn];

    // Tiles logs: each shard is served on its own host (reads from its bucket,
    // writes to its pods); with shards in several regions, one write host in
    // front of all of them sends each write to a healthy shard near the client.
    for (const kind of ["rekor", "ctlog"] as const) {
      const shards = props.regions.filter((r) => r.tilesLogs[kind]);
      if (shards.length === 0) continue;
      const log = config.tiles[kind];
      const serve = (id: string, label: string, exported: TilesLogExport, writers?: TilesLogExport[], namePart?: string) => {
        const frontend = new TilesFrontend(this, id, {
          project: config.project.id,
          namePrefix: names.prefix,
          log: exported,
          writers,
          namePart,
          host: hostOf(label, config.dns.domain),
          managedZone: config.dns.zoneName,
          maxRatePerEndpoint: log.maxRatePerEndpoint,
          cloudArmor: log.cloudArmor,
          logging: config.logging,
        });
        // A new host with no regional history: the global stack owns its record.
        newGlobalHostRecord(this, config, id, fqdnOf(label, config.dns.domain), frontend, `tiles.${kind}.subdomain`);
      };
      if (shards.length === 1) {
        serve(`${kind}-tiles`, tilesWriteLabel(config, kind), shards[0].tilesLogs[kind]!.exported);
        continue;
      }
      for (const shard of shards) {
        serve(`${kind}-tiles-${shard.region}`, tilesShardLabel(config, kind, shard.region), shard.tilesLogs[kind]!.exported);
      }
      const exported = shards.map((s) => s.tilesLogs[kind]!.exported);
      // Reads on the write host are the first shard's; clients read each shard on its own host.
      serve(`${kind}-tiles`, tilesWriteLabel(config, kind), exported[0], exported, `${TILES_LOGS[kind].chart}-${log.shardName}-write`);
    }

    // Every CT log on one public host, each under its own path, for Fulcio and monitors.
    const ctLogs = props.regions.filter((r) => r.ctlog).map((r) => r.ctlog!.exported);
    if (ctLogs.length > 0) {
      const ctFrontend = new CtLogFrontend(this, "ctlog", {
        project: config.project.id,
        namePrefix: names.prefix,
        logs: ctLogs,
        host: ctLogHost(config),
        managedZone: config.dns.zoneName,
        maxRatePerEndpoint: config.ctlog.maxRatePerEndpoint,
        cloudArmor: config.ctlog.cloudArmor,
        logging: config.logging,
      });
      // A new host with no regional history: the global stack owns its record.
      newGlobalHostRecord(this, config, "ctlog", fqdnOf(config.ctlog.subdomain, config.dns.domain), ctFrontend, "ctlog.subdomain");
    }

    if (config.monitoring.uptimeChecks) {
      new GlobalUptime(this, "uptime", {
        project: config.project.id,
        names,
        notificationChannels: config.monitoring.notificationChannels,
        alerts: config.monitoring.alerts,
        serviceAlerts: config.monitoring.serviceAlerts,
        targets: [
          ...enabledServiceIds(config).filter((id) => isExposedGlobally(config, id)).map((id) => ({
            id,
            title: PUBLIC_SERVICES[id].title,
            host: hostOf(config.services[id].subdomain, config.dns.domain),
            path: PUBLIC_SERVICES[id].healthCheckPath,
          })),
          // Each CT log through its own path, as monitors read it: its signed tree head.
          ...ctLogs.map((log) => ({ id: `ctlog-${log.region}`, title: `CT log ${log.prefix}`, host: ctLogHost(config), path: `/${log.prefix}/ct/v1/get-sth` })),
        ],
      });
    }

    for (const plan of planARecords(config)) {
      const frontend = frontends[plan.service] ?? bucketFrontends[plan.service];
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
                { address: this.regionalIngressOf(props, plan.service), weight: complementOf(plan.globalWeight) },
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
    this.trust = new TrustOutputs(this, "trust", { config, regions: props.regions });
    waitFor(this, apisReady);
  }

  /** The ingress address of the region that answers for a service in the "regional" phase. */
  private regionalIngressOf(props: GlobalStackProps, id: PublicServiceId): string {
    const region = placementRegionOf(props.config, id) ?? primaryRegionOf(props.config);
    const endpoint = props.regions.find((r) => r.region === region)?.endpoints[id];
    if (!endpoint) throw new Error(`A weighted hand-off of ${id} needs its regional ingress in ${region}, which does not serve it`);
    return endpoint.exported.ingressAddress;
  }
}

/**
 * The A record of a host that only the global stack ever served (the CT log,
 * a tiles log's hosts): created, never adopted, by the rules of every other
 * record. It reads the :443 rule's address and depends on the rule, waits
 * for the certificate to be ACTIVE, and its guard stops it from replacing a
 * record of the same name that is not this deployment's.
 */
function newGlobalHostRecord(
  scope: Construct,
  config: SigstoreConfig,
  id: string,
  fqdn: string,
  frontend: { readonly servingAddress: string; readonly httpsForwardingRule: ITerraformDependable; readonly certificate: ManagedCertificate },
  subdomainField: string,
): ServiceARecord {
  return new ServiceARecord(scope, `${id}-a-record`, {
    service: id,
    project: config.project.id,
    managedZone: config.dns.zoneName,
    fqdn,
    ttl: 300,
    owned: {
      adopt: false,
      targets: [{ address: frontend.servingAddress, weight: 1 }],
      servedBy: [frontend.httpsForwardingRule],
      activeCertificates: [frontend.certificate.certificate!],
      adoptHint: `This host is new to the deployment and has nothing to adopt: delete that record if it is stale, or set ${subdomainField} to a free name.`,
    },
  });
}

/** 1 - w without binary noise such as 0.30000000000000004 in the synthesized JSON. */
function complementOf(weight: number): number {
  return Math.round((1 - weight) * 1e6) / 1e6;
}
