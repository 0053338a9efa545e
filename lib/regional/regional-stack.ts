import { Construct } from "constructs";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { resolveRegionalSettings } from "../config/regional-settings";
import type { RegionConfig, SigstoreConfig } from "../config/schema";
import { incomingJwksObject } from "../global/dex-jwks";
import { isOwner, planARecords, primaryRegionOf } from "../shared/dns-ownership";
import { jwksPublisherBundle } from "../shared/function-packages";
import { hostOf, ResourceNames } from "../shared/names";
import { ServiceARecord, ServiceARecordProps } from "../shared/service-a-record";
import { PUBLIC_SERVICE_IDS, PUBLIC_SERVICES, PublicServiceId } from "../shared/services";
import { SigstoreStack, stackLabels } from "../shared/sigstore-stack";
import { TerraformData } from "../shared/terraform-data";
import { Bastion } from "./bastion";
import type { RegionalContext } from "./context";
import { CtLog } from "./ctlog";
import { Dex } from "./dex";
import { DexJwksPublisher } from "./dex-jwks-publisher";
import { Fulcio } from "./fulcio";
import { GkeCluster } from "./gke";
import { RegionalMonitoring } from "./monitoring";
import { RegionalNetwork } from "./network";
import { ProjectApis, waitFor } from "./project-apis";
import { ProjectSettings } from "./project-settings";
import { Rekor } from "./rekor";
import { RegionalServiceEndpoint } from "./service-endpoint";
import { TimestampAuthority } from "./timestamp";
import { TrillianDatabase } from "./trillian-database";
import { TilesLog, TilesLogKind } from "./tiles-log";
import { TufRepository } from "./tuf";

export interface RegionalStackProps {
  readonly config: SigstoreConfig;
  readonly region: RegionConfig;
  /**
   * The primary region's stack, for every other region: it enables the
   * project's APIs once, and the others wait for it.
   */
  readonly primary?: RegionalStack;
}

/** Name of the global stack's incoming JWKS bucket (deterministic, so regions need no reference back). */
export function jwksIncomingBucketName(config: SigstoreConfig): string {
  return new ResourceNames(config.namePrefix, config.project.id).bucket("dex-jwks-incoming");
}

/** The tiles logs whose sequencer runs in `region`. */
export function hostedTilesLogs(config: SigstoreConfig, region: string): TilesLogKind[] {
  const kinds: TilesLogKind[] = [];
  if (config.features.rekorTiles && (config.tiles.rekor.region ?? primaryRegionOf(config)) === region) kinds.push("rekor");
  if (config.features.ctlogTiles && (config.tiles.ctlog.region ?? primaryRegionOf(config)) === region) kinds.push("ctlog");
  return kinds;
}

/** Whether the deployment aggregates Dex keys (Dex behind the global load balancer). */
export function aggregatesDexKeys(config: SigstoreConfig): boolean {
  return config.services.dex.exposeGlobally && config.dexJwks.enabled;
}

/**
 * The regional owner's record: on the front end's :443 rule (so never before
 * it exists). Taking over a live record (adopt) also waits for the
 * certificate to be ACTIVE; a record created new has no traffic to break.
 */
function regionalOwnership(endpoint: RegionalServiceEndpoint, adopt: boolean): ServiceARecordProps["owned"] {
  const frontend = endpoint.frontend!;
  return {
    adopt,
    targets: [{ address: frontend.servingAddress, weight: 1 }],
    servedBy: [frontend.httpsForwardingRule],
    activeCertificates: adopt && endpoint.regionalCertificate ? [endpoint.regionalCertificate] : [],
  };
}

/** Everything one region of the deployment needs; one stack per region. */
export class RegionalStack extends SigstoreStack {
  /** Stack id of a region, also the name of its state. */
  static idOf(region: string): string {
    return `regional-${region}`;
  }

  readonly region: string;
  /** Becomes known once the project's APIs are enabled (by the primary region). */
  readonly apisReady: TerraformData;
  readonly endpoints: { readonly [K in PublicServiceId]: RegionalServiceEndpoint };
  readonly network: RegionalNetwork;
  readonly cluster: GkeCluster;
  readonly fulcio: Fulcio;
  readonly timestampAuthority: TimestampAuthority;
  readonly dex: Dex;
  readonly database?: TrillianDatabase;
  readonly rekor?: Rekor;
  readonly ctlog?: CtLog;
  readonly tuf?: TufRepository;
  /** Tile-based logs whose sequencer runs in this region. */
  readonly tilesLogs: { readonly [K in TilesLogKind]?: TilesLog };
  /** Publishes this region's Dex keys, when keys are aggregated. */
  readonly jwksPublisher?: DexJwksPublisher;

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
    const settings = resolveRegionalSettings(config.regional, props.region);
    const { features, regional } = config;
    const context: RegionalContext = {
      project: config.project.id,
      projectNumber: config.project.number,
      region: this.region,
      zones: props.region.zones,
      names,
      primary: this.region === primaryRegionOf(config),
    };
    const protectionLevel = regional.kms.protectionLevel;

    // APIs are project-wide: the primary region enables them; every other
    // region reads the primary's "ready" value (a cross-stack reference), so
    // cdktf deploys the primary first and resources wait for it.
    if (context.primary) {
      this.apisReady = new ProjectApis(this, "apis", { project: context.project }).gate();
    } else {
      if (!props.primary) throw new Error(`Regional stack ${this.region} needs the primary region's stack`);
      this.apisReady = new TerraformData(this, "apis-ready", { primary: props.primary.apisReady.outputAttribute("apis") });
    }

    if (context.primary) {
      new ProjectSettings(this, "project", { project: context.project, settings: config.project });
    }

    this.network = new RegionalNetwork(this, "network", { context, settings: settings.network, bastion: regional.bastion.enabled });
    this.cluster = new GkeCluster(this, "gke", {
      context,
      clusterName: props.region.clusterName,
      settings: settings.gke,
      masterCidr: settings.network.masterCidr,
      network: this.network.network.id,
      subnet: this.network.subnet.id,
      podsRangeName: this.network.podsRangeName,
      servicesRangeName: this.network.servicesRangeName,
      nodeTag: this.network.nodeTag,
    });
    this.cluster.configureKubernetesProviders(this);
    const workloadPool = this.cluster.workloadPool;

    if (regional.bastion.enabled) {
      new Bastion(this, "bastion", {
        context,
        subnet: this.network.subnet.id,
        tag: this.network.bastionTag,
        machineType: regional.bastion.machineType,
        accessMembers: regional.bastion.accessMembers,
      });
    }

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
    // Every region answers on its ingress address with the same front end as
    // the global one, over its own NEGs. The certificate of each host is issued
    // once, by the primary region; the others serve it too.
    for (const service of PUBLIC_SERVICE_IDS) {
      const settings = config.services[service];
      const host = hostOf(settings.subdomain, config.dns.domain);
      const certificate = context.primary
        ? endpoints[service].issueRegionalCertificate({ project: config.project.id, host, managedZone: config.dns.zoneName })
        : props.primary?.endpoints[service].regionalCertificate;
      if (!certificate) throw new Error(`Regional stack ${this.region} needs the primary region's certificate of ${service}`);
      endpoints[service].addFrontend({
        project: config.project.id,
        host,
        managedZone: config.dns.zoneName,
        maxRatePerEndpoint: settings.maxRatePerEndpoint,
        cloudArmor: settings.cloudArmor,
        logging: config.logging,
        certificateId: certificate.id,
      });
    }

    // Signing and identity services.
    this.fulcio = new Fulcio(this, "fulcio-ca", { context, workloadPool, ca: regional.fulcio.ca, protectionLevel });
    this.timestampAuthority = new TimestampAuthority(this, "tsa-keys", { context, workloadPool, protectionLevel });
    this.dex = new Dex(this, "dex-identity", { context, workloadPool, connectorSecrets: regional.dex.connectorSecrets });

    // Transparency logs on Trillian.
    if (features.rekor || features.ctlog) {
      this.database = new TrillianDatabase(this, "trillian", { context, settings: settings.database, network: this.network.network.id, workloadPool });
    }
    if (features.rekor) this.rekor = new Rekor(this, "rekor", { context, workloadPool, protectionLevel, database: this.database! });
    if (features.ctlog) this.ctlog = new CtLog(this, "ctlog", { context, workloadPool, database: this.database! });
    if (features.tuf) this.tuf = new TufRepository(this, "tuf", { context, workloadPool, protectionLevel });
    // A tiles log has one sequencer, so it runs in one region (default: the primary).
    const tilesLogs: { [K in TilesLogKind]?: TilesLog } = {};
    for (const kind of hostedTilesLogs(config, this.region)) {
      const settingsOfLog = config.tiles[kind];
      tilesLogs[kind] = new TilesLog(this, `${kind}-tiles`, {
        context,
        kind,
        shardName: settingsOfLog.shardName,
        workloadPool,
        protectionLevel,
        spanner: { processingUnits: settingsOfLog.processingUnits },
      });
    }
    this.tilesLogs = tilesLogs;

    if (aggregatesDexKeys(config)) {
      // Dex runs in this namespace; the publisher runs next to it.
      const dexNamespace = new NamespaceV1(this, "dex-namespace", {
        metadata: { name: "dex-system", labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
      });
      this.jwksPublisher = new DexJwksPublisher(this, "dex-jwks-publisher", {
        context,
        workloadPool,
        namespace: dexNamespace.metadata.name,
        incomingBucket: jwksIncomingBucketName(config),
        objectName: incomingJwksObject(this.region),
        image: config.dexJwks.publisher.image,
        pollIntervalSeconds: config.dexJwks.publisher.pollIntervalSeconds,
        bundle: jwksPublisherBundle(),
      });
    }

    new RegionalMonitoring(this, "monitoring", {
      context,
      notificationChannels: config.monitoring.notificationChannels,
      uptimeChecks: config.monitoring.uptimeChecks,
      alerts: config.monitoring.alerts,
      clusterName: props.region.clusterName,
      // Tiles logs are watched where they run.
      features: { ...features, rekorTiles: !!tilesLogs.rekor, ctlogTiles: !!tilesLogs.ctlog },
      spannerInstances: Object.values(tilesLogs).map((log) => log.spannerInstanceName),
      services: PUBLIC_SERVICE_IDS.map((service) => ({
        id: service,
        title: PUBLIC_SERVICES[service].title,
        host: hostOf(config.services[service].subdomain, config.dns.domain),
        ingressAddress: endpoints[service].ingressAddress.address,
        healthPath: PUBLIC_SERVICES[service].healthCheckPath,
        negNames: config.services[service].exposeGlobally ? Object.values(endpoints[service].negNames).filter((n): n is string => !!n) : undefined,
      })),
      databaseInstances: this.database?.instances.map((i) => i.instanceName),
      privateCaPoolId: this.fulcio.mode === "privateca" ? this.fulcio.caPoolId : undefined,
    });

    const self = { stack: "regional", region: this.region } as const;
    for (const plan of planARecords(config)) {
      const owned = isOwner(plan, self);
      new ServiceARecord(endpoints[plan.service], "a-record", {
        service: plan.service,
        project: config.project.id,
        managedZone: config.dns.zoneName,
        fqdn: plan.fqdn,
        ttl: plan.ttl,
        owned: owned ? regionalOwnership(endpoints[plan.service], plan.adopt) : undefined,
      });
    }
    waitFor(this, this.apisReady);
  }
}
