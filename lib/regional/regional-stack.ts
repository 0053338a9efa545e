import { Construct } from "constructs";
import { dependable, TerraformOutput } from "cdktf";
import { StorageBucketIamMember } from "@cdktf/provider-google/lib/storage-bucket-iam-member";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { resolveRegionalSettings } from "../config/regional-settings";
import type { RegionConfig, SigstoreConfig } from "../config/schema";
import { incomingJwksObject } from "../global/dex-jwks";
import { isOwner, planARecords, primaryRegionOf } from "../shared/dns-ownership";
import { jwksPublisherBundle } from "../shared/function-packages";
import { ctLogRegions, tilesShardRegions } from "../shared/log-placement";
import { hostOf, ResourceNames } from "../shared/names";
import { servesInRegion } from "../shared/placement";
import { ServiceARecord, ServiceARecordProps } from "../shared/service-a-record";
import { negServiceIds, PUBLIC_SERVICES, PublicServiceId } from "../shared/services";
import { SigstoreStack, stackLabels, TransparentScope } from "../shared/sigstore-stack";
import { RemovedBlock } from "../shared/state-blocks";
import { TerraformData } from "../shared/terraform-data";
import { Bastion } from "./bastion";
import type { RegionalContext } from "./context";
import { CtLog } from "./ctlog";
import { Dex, DEX_KUBERNETES } from "./dex";
import { DexJwksPublisher } from "./dex-jwks-publisher";
import { Fulcio } from "./fulcio";
import { FulcioRootCa } from "./fulcio-root";
import { GkeCluster } from "./gke";
import { RegionalMonitoring } from "./monitoring";
import { RegionalNetwork } from "./network";
import { ProjectApis, waitFor } from "./project-apis";
import { ProjectSettings } from "./project-settings";
import { PublicObjectsExemption } from "./public-objects-exemption";
import { Rekor } from "./rekor";
import { RegionalServiceEndpoint } from "./service-endpoint";
import { TimestampAuthority } from "./timestamp";
import { TrillianDatabase } from "./trillian-database";
import { forgetRetired, RETIRED_REGIONAL_TUF_ADDRESSES, RETIRED_REKOR_ADDRESSES } from "./retired-state";
import { TilesLog, TilesLogKind } from "./tiles-log";
import { missingReleaseSettings } from "./workloads/readiness";
import { RegionalWorkloads } from "./workloads/regional-workloads";

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

/** The tiles logs with a shard (and its sequencer) in `region`. */
export function hostedTilesLogs(config: SigstoreConfig, region: string): TilesLogKind[] {
  return (["rekor", "ctlog"] as const).filter((kind) => tilesShardRegions(config, kind).includes(region));
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
  /** The public services this region serves (from the registry and their placement), by id. */
  readonly endpoints: { readonly [K in PublicServiceId]?: RegionalServiceEndpoint };
  readonly network: RegionalNetwork;
  readonly cluster: GkeCluster;
  readonly fulcio: Fulcio;
  /** The deployment's one Fulcio root, in the primary region's stack (`privateca` mode). */
  readonly fulcioRoot?: FulcioRootCa;
  readonly timestampAuthority: TimestampAuthority;
  readonly dex: Dex;
  readonly database?: TrillianDatabase;
  /** Rekor v1, in the one region that runs it (`rekorRegionOf`). */
  readonly rekor?: Rekor;
  readonly ctlog?: CtLog;
  /** Tile-based logs whose sequencer runs in this region. */
  readonly tilesLogs: { readonly [K in TilesLogKind]?: TilesLog };
  /** Publishes this region's Dex keys, when keys are aggregated. */
  readonly jwksPublisher?: DexJwksPublisher;
  /** The Sigstore services as Helm releases. */
  readonly workloads: RegionalWorkloads;

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
    // What the standalone constructs take instead of the whole context.
    const placement = { project: context.project, region: context.region, namePrefix: names.prefix };

    // APIs are project-wide: the primary region enables them; every other
    // region reads the primary's "ready" value (a cross-stack reference), so
    // cdktf deploys the primary first and resources wait for it.
    const exemptPublicObjects = context.primary && config.project.orgPolicyExemption;
    if (context.primary) {
      this.apisReady = new ProjectApis(this, "apis", {
        project: context.project,
        extraApis: exemptPublicObjects ? ["orgpolicy.googleapis.com"] : [],
      }).gate();
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
      additionalLocations: config.additionalLocations,
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

    // Endpoints live in their own construct namespace, so a service id never
    // collides with the workload construct of the same name ("rekor").
    const services = new TransparentScope(this, "services");
    const endpoints: { [K in PublicServiceId]?: RegionalServiceEndpoint } = {};
    for (const service of negServiceIds()) {
      if (!servesInRegion(config, service, this.region)) continue;
      endpoints[service] = new RegionalServiceEndpoint(services, service, {
        service: PUBLIC_SERVICES[service],
        names,
        region: this.region,
        zones: props.region.zones,
      });
    }
    this.endpoints = endpoints;
    // Every region answers on its ingress address with the same front end as
    // the global one, over its own NEGs. The certificate of each host is issued
    // once: by the primary region when it serves the service (the others serve
    // the primary's), otherwise by the one region that runs it (Rekor v1).
    for (const service of negServiceIds()) {
      const endpoint = endpoints[service];
      if (!endpoint) continue;
      // A release that waits for its chain is not installed (RegionalWorkloads): no zone is published
      // and the front end gets no backends, decided here because the front end is built first.
      if ((service === "fulcio" || service === "tsa") && missingReleaseSettings(config, service, this.region).length > 0) endpoint.withholdZones();
      const settings = config.services[service];
      const host = hostOf(settings.subdomain, config.dns.domain);
      const issuesHere = context.primary || !servesInRegion(config, service, primaryRegionOf(config));
      const certificate = issuesHere
        ? endpoint.issueRegionalCertificate({ project: config.project.id, host, managedZone: config.dns.zoneName })
        : props.primary?.endpoints[service]?.regionalCertificate;
      if (!certificate) throw new Error(`Regional stack ${this.region} needs the primary region's certificate of ${service}`);
      endpoint.addFrontend({
        project: config.project.id,
        host,
        managedZone: config.dns.zoneName,
        maxRatePerEndpoint: settings.maxRatePerEndpoint!, // set for every NEG service by the schema
        cloudArmor: settings.cloudArmor,
        logging: config.logging,
        certificateId: certificate.id,
      });
    }

    // Signing and identity services.
    // One Fulcio root per deployment, in the primary region; every region's
    // subordinate names it (a cross-stack value outside the primary).
    let rootCaId: string | undefined;
    if (regional.fulcio.ca === "privateca") {
      if (context.primary) {
        this.fulcioRoot = new FulcioRootCa(this, "fulcio-root", { context });
        rootCaId = this.fulcioRoot.certificateAuthorityId;
      } else {
        if (!props.primary?.fulcioRoot) throw new Error(`Regional stack ${this.region} needs the primary region's Fulcio root CA`);
        rootCaId = props.primary.fulcioRoot.certificateAuthorityId;
      }
    }
    this.fulcio = new Fulcio(this, "fulcio-ca", { ...placement, workloadPool, ca: regional.fulcio.ca, rootCaId, protectionLevel });
    if (regional.fulcio.ca === "privateca") {
      // The self-signed root each region had before the deployment's one root:
      // forgotten, never destroyed (it signed certificates that may still need
      // verifying); the operator disables it (docs/trust-root.md). A no-op on new deployments.
      new RemovedBlock(this, "fulcio-former-regional-root", "google_privateca_certificate_authority.fulcio_ca_root_ca");
    }
    this.timestampAuthority = new TimestampAuthority(this, "tsa-keys", { ...placement, workloadPool, protectionLevel });
    // What the operator certifies in the ceremony (docs/trust-root.md): the public keys of this region's KMS signing keys.
    if (this.fulcio.mode === "kms") {
      new TerraformOutput(this, "fulcio_intermediate_public_key", {
        description: "Fulcio's intermediate KMS key (SPKI PEM): certify it with the offline root, then set trust.regions.<region>.fulcioChain",
        value: this.fulcio.intermediatePublicKeyPem,
      });
    }
    new TerraformOutput(this, "tsa_signing_public_key", {
      description: "The Timestamp Authority's KMS signing key (SPKI PEM): certify it under the TSA root, then set trust.regions.<region>.tsaChain",
      value: this.timestampAuthority.signingPublicKeyPem,
    });
    this.dex = new Dex(this, "dex-identity", { ...placement, workloadPool, connectorSecrets: regional.dex.connectorSecrets });

    // Transparency logs on Trillian. Rekor v1 is one log, so one region runs
    // it; the CT log runs where its placement says (one shared log, or one per
    // region), never as a copy of another's.
    const runsRekor = servesInRegion(config, "rekor", this.region);
    const ctlogHere = ctLogRegions(config).includes(this.region);
    if (runsRekor || ctlogHere) {
      this.database = new TrillianDatabase(this, "trillian", { context, settings: settings.database, network: this.network.network.id, workloadPool });
    }
    if (runsRekor) {
      this.rekor = new Rekor(this, "rekor", { ...placement, workloadPool, protectionLevel, database: this.database! });
    } else {
      // A region that ran its own Rekor v1 before keeps that log's data and key, frozen (docs/migration-runbook.md).
      forgetRetired(this, "retired-rekor", RETIRED_REKOR_ADDRESSES);
    }
    if (ctlogHere) this.ctlog = new CtLog(this, "ctlog", { ...placement, zones: context.zones, workloadPool, database: this.database! });
    // The TUF repository is the global stack's; a region's old one is kept, not destroyed.
    forgetRetired(this, "retired-tuf", RETIRED_REGIONAL_TUF_ADDRESSES);
    // A tiles log shard has one sequencer; a region runs at most one shard of each log.
    const tilesLogs: { [K in TilesLogKind]?: TilesLog } = {};
    for (const kind of hostedTilesLogs(config, this.region)) {
      const settingsOfLog = config.tiles[kind];
      tilesLogs[kind] = new TilesLog(this, `${kind}-tiles`, {
        ...placement,
        zones: context.zones,
        kind,
        shardName: settingsOfLog.shardName,
        workloadPool,
        protectionLevel,
        spanner: { processingUnits: settingsOfLog.processingUnits },
      });
    }
    this.tilesLogs = tilesLogs;

    // Dex runs in this namespace; the key publisher runs next to it.
    const dexNamespace = new NamespaceV1(this, "dex-namespace", {
      metadata: { name: DEX_KUBERNETES.namespace, labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
    });
    this.workloads = new RegionalWorkloads(this, "workloads", {
      config,
      region: props.region,
      context,
      endpoints,
      fulcio: this.fulcio,
      timestampAuthority: this.timestampAuthority,
      dex: this.dex,
      dexNamespace: { name: DEX_KUBERNETES.namespace, resource: dexNamespace },
      database: this.database,
      rekor: this.rekor,
      ctlog: this.ctlog,
      tilesLogs,
    });

    if (aggregatesDexKeys(config)) {
      this.jwksPublisher = new DexJwksPublisher(this, "dex-jwks-publisher", {
        after: [this.workloads.dex.chart.release],
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
      ...placement,
      zones: context.zones,
      primary: context.primary,
      notificationChannels: config.monitoring.notificationChannels,
      uptimeChecks: config.monitoring.uptimeChecks,
      alerts: config.monitoring.alerts,
      serviceAlerts: config.monitoring.serviceAlerts,
      clusterName: props.region.clusterName,
      // Workloads are watched where they run: Rekor v1 in its region, the CT
      // log where it is placed, the global TUF repository's signing jobs in
      // the primary region's cluster.
      features: { ...features, rekor: runsRekor, ctlog: !!this.ctlog, tuf: features.tuf && context.primary, rekorTiles: !!tilesLogs.rekor, ctlogTiles: !!tilesLogs.ctlog },
      spannerInstances: Object.values(tilesLogs).map((log) => log.spannerInstanceName),
      // Every service this region serves, through its own ingress.
      services: negServiceIds()
        .filter((service) => endpoints[service])
        .map((service) => ({
          id: service,
          title: PUBLIC_SERVICES[service].title,
          host: hostOf(config.services[service].subdomain, config.dns.domain),
          ingressAddress: endpoints[service]!.ingressAddress.address,
          healthPath: PUBLIC_SERVICES[service].healthCheckPath,
          negNames: config.services[service].exposeGlobally ? Object.values(endpoints[service]!.negNames).filter((n): n is string => !!n) : undefined,
        })),
      databaseInstances: this.database?.instances.map((i) => i.instanceName),
      privateCaPoolId: this.fulcio.mode === "privateca" ? this.fulcio.caPoolId : undefined,
    });

    const self = { stack: "regional", region: this.region } as const;
    for (const plan of planARecords(config)) {
      const owned = isOwner(plan, self);
      const endpoint = endpoints[plan.service];
      if (owned && !endpoint) throw new Error(`Regional stack ${this.region} owns the A record of ${plan.service} but does not serve it`);
      // A service this region does not serve still releases the record it may hold.
      new ServiceARecord(endpoint ?? services, endpoint ? "a-record" : `${plan.service}-a-record`, {
        service: plan.service,
        project: config.project.id,
        managedZone: config.dns.zoneName,
        fqdn: plan.fqdn,
        ttl: plan.ttl,
        owned: owned ? regionalOwnership(endpoint!, plan.adopt) : undefined,
      });
    }
    // allUsers grants fail while the organisation forbids them: with the
    // exemption, they wait for it (docs/apply-time-hazards.md).
    if (exemptPublicObjects) {
      const exemption = new PublicObjectsExemption(this, "public-objects", { project: context.project });
      for (const node of this.node.findAll()) {
        if (node instanceof StorageBucketIamMember && node.memberInput === "allUsers") node.dependsOn = [...(node.dependsOn ?? []), dependable(exemption.dependable)];
      }
    }
    waitFor(this, this.apisReady);
  }
}
