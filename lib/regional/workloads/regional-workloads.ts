import { Construct } from "constructs";
import { AnnotationMetadataEntryType, ITerraformDependable, TerraformOutput } from "cdktf";
import { DataKubernetesConfigMapV1 } from "@cdktf/provider-kubernetes/lib/data-kubernetes-config-map-v1";
import type { RegionConfig, SigstoreConfig } from "../../config/schema";
import { ctLogRegionFor, ctLogUrl, tilesShardLabel } from "../../shared/log-placement";
import { hostOf } from "../../shared/names";
import { servesInRegion } from "../../shared/placement";
import type { PublicServiceId } from "../../shared/services";
import type { RegionalContext } from "../context";
import type { CtLog } from "../ctlog";
import type { Dex } from "../dex";
import type { Fulcio } from "../fulcio";
import { REKOR_SEARCH_INDEX_DATABASE, Rekor } from "../rekor";
import type { RegionalServiceEndpoint } from "../service-endpoint";
import type { TilesLog, TilesLogKind } from "../tiles-log";
import type { TimestampAuthority } from "../timestamp";
import type { TrillianDatabase } from "../trillian-database";
import { chainField, chartCertificateChain } from "./chains";
import { missingReleaseSettings } from "./readiness";
import { CTLOG_TREE_CONFIG_MAP, CtLogRelease, ctLogInClusterUrl } from "./ctlog";
import { DexRelease } from "./dex";
import { FulcioRelease } from "./fulcio";
import { dexIssuerUrl, fulcioIdentityConfig } from "./identity";
import { NegReadiness } from "./neg-readiness";
import { REKOR_TREE_CONFIG_MAP, RekorRelease } from "./rekor";
import { TilesLogRelease } from "./tiles";
import { TimestampRelease } from "./tsa";
import { TrillianRelease } from "./trillian";
import { TrillianSchema } from "./trillian-schema";

export interface RegionalWorkloadsProps {
  readonly config: SigstoreConfig;
  readonly region: RegionConfig;
  readonly context: RegionalContext;
  /** The region's service endpoints (fulcio, tsa, dex everywhere; rekor where it is placed). */
  readonly endpoints: { readonly [K in PublicServiceId]?: RegionalServiceEndpoint };
  readonly fulcio: Fulcio;
  readonly timestampAuthority: TimestampAuthority;
  readonly dex: Dex;
  /** The namespace Dex runs in (the stack creates it: the key publisher shares it). */
  readonly dexNamespace: { readonly name: string; readonly resource: ITerraformDependable };
  /** Trillian's storage: present where a Trillian log (Rekor v1 or the CT log) runs. */
  readonly database?: TrillianDatabase;
  /** Rekor v1: present only in `rekorRegionOf(config)`. */
  readonly rekor?: Rekor;
  /** The CT log: present only where `ctLogRegions(config)` places one. */
  readonly ctlog?: CtLog;
  readonly tilesLogs: { readonly [K in TilesLogKind]?: TilesLog };
}

/**
 * The Sigstore services of one region as Helm releases, wired to the
 * region's resources, in the scaffolding's order (Trillian, then the logs
 * whose createtree jobs need it; Fulcio before the CT log that reads its
 * roots), with each public release's NEGs looked up in every zone before the
 * region publishes their names.
 */
export class RegionalWorkloads extends Construct {
  /** Trillian's tables and its accounts' GRANTs on every instance that holds trees, before any Trillian release. */
  readonly trillianSchema?: TrillianSchema;
  /** Trillian on the primary instance (Rekor v1's trees, and the CT log's without shards). */
  readonly trillian?: TrillianRelease;
  /** Trillian on the CT log's shard instance, when the log's trees live on a shard (`regional.database.ctlogShards`). */
  readonly ctlogTrillian?: TrillianRelease;
  readonly rekor?: RekorRelease;
  readonly ctlog?: CtLogRelease;
  readonly fulcio?: FulcioRelease;
  readonly timestamp?: TimestampRelease;
  readonly dex: DexRelease;
  readonly tiles: { readonly [K in TilesLogKind]?: TilesLogRelease };

  constructor(scope: Construct, id: string, props: RegionalWorkloadsProps) {
    super(scope, id);
    const { config, context, endpoints } = props;
    const region = context.region;
    const names = context.names;
    const regional = config.regional;
    const zones = props.region.zones;
    const endpoint = (id: PublicServiceId): RegionalServiceEndpoint => {
      const found = endpoints[id];
      if (!found) throw new Error(`${this.node.path}: ${region} serves ${id} but was given no endpoint for it`);
      return found;
    };
    const waitForNegs = (id: string, endpointNames: readonly string[], release: ITerraformDependable) =>
      new NegReadiness(this, id, { project: context.project, negNames: endpointNames, zones, release }).lookups;

    const dexHost = hostOf(config.services.dex.subdomain, config.dns.domain);
    const issuerUrl = dexIssuerUrl(dexHost);

    // Dex and its connectors.
    this.dex = new DexRelease(this, "dex", {
      dex: props.dex,
      issuerUrl,
      connectors: regional.dex.connectors,
      negName: endpoint("dex").negNames.http,
      namespace: props.dexNamespace.name,
      dependsOn: [props.dexNamespace.resource],
    });
    endpoint("dex").publishAfter(...waitForNegs("dex-negs", [endpoint("dex").negNames.http], this.dex.chart.release));

    // Fulcio signs with its region's CA; a KMS intermediate needs its chain (trust.regions) first.
    // It submits to the CT log its placement names: in-cluster when that log
    // runs here, through the log's public host otherwise.
    const fulcioEndpoint = endpoint("fulcio");
    const chain = chartCertificateChain(config, "fulcio", region);
    const ctRegion = ctLogRegionFor(config, region);
    const ctLogUrlHere = ctRegion === undefined ? undefined : ctRegion === region && props.ctlog ? ctLogInClusterUrl(props.ctlog.prefix) : ctLogUrl(config, ctRegion);
    if (missingReleaseSettings(config, "fulcio", region).length === 0) {
      this.fulcio = new FulcioRelease(this, "fulcio", {
        fulcio: props.fulcio,
        certificateChain: chain,
        identity: fulcioIdentityConfig(regional.fulcio.issuers, regional.fulcio.acceptDex ? { issuerUrl } : undefined),
        ctLogUrl: ctLogUrlHere,
        negNames: { http: fulcioEndpoint.negNames.http, grpc: fulcioEndpoint.negNames.grpc! },
      });
      const fulcioNegs = [fulcioEndpoint.negNames.http, fulcioEndpoint.negNames.grpc!];
      fulcioEndpoint.publishAfter(...waitForNegs("fulcio-negs", fulcioNegs, this.fulcio.chart.release));
    } else {
      fulcioEndpoint.withholdZones();
      warn(this, 
        `Fulcio is not installed in ${region} yet: its KMS intermediate needs a certificate chain. Certify the key (output fulcio_intermediate_public_key) with the root, then set ${chainField("fulcio", region)} (and trust.fulcio.rootCertificate). Until then the region publishes no Fulcio zone, and the global stack's plan stops on its precondition.`,
      );
    }

    const tsaEndpoint = endpoint("tsa");
    const tsaChain = chartCertificateChain(config, "tsa", region);
    const keyset = regional.tsa.encryptedKeysets[region];
    if (missingReleaseSettings(config, "tsa", region, props.timestampAuthority.signer).length === 0) {
      this.timestamp = new TimestampRelease(this, "tsa", { tsa: props.timestampAuthority, certificateChain: tsaChain!, encryptedKeyset: keyset, negName: tsaEndpoint.negNames.http });
      tsaEndpoint.publishAfter(...waitForNegs("tsa-negs", [tsaEndpoint.negNames.http], this.timestamp.chart.release));
    } else {
      tsaEndpoint.withholdZones();
      warn(this, 
        `The Timestamp Authority is not installed in ${region} yet: set ${chainField("tsa", region)} (and trust.tsa.rootCertificate)` +
          (props.timestampAuthority.signer === "tink" ? ` and regional.tsa.encryptedKeysets.${region}` : "") + ".",
      );
    }

    // Trillian and the logs on it; each log's createtree job publishes its tree id in a ConfigMap.
    // The stack places the logs (Rekor v1: servesInRegion; the CT log: ctLogRegions) and gives Trillian's storage where one runs.
    const runsRekor = servesInRegion(config, "rekor", region);
    if (runsRekor !== !!props.rekor) throw new Error(`${this.node.path}: Rekor v1 ${runsRekor ? "runs" : "does not run"} in ${region} (services.rekor.region), but its resources were ${props.rekor ? "" : "not "}given`);
    if ((props.rekor || props.ctlog) && !props.database) throw new Error(`${this.node.path}: a Trillian log runs in ${region}, but no Trillian database was given`);
    if (props.database && (props.rekor || props.ctlog)) {
      const mysqlUsers = { logServer: names.serviceAccountId("logserver", region), logSigner: names.serviceAccountId("logsigner", region) };
      // The schema jobs run first: without tables and GRANTs the servers cannot start, nor createtree create a tree.
      this.trillianSchema = new TrillianSchema(this, "trillian-schema", {
        database: props.database,
        mysqlUsers: { ...mysqlUsers, schemaAdmin: names.serviceAccountId("dbschema", region) },
        // Rekor's search index creates its own table (CREATE TABLE IF NOT EXISTS EntryIndex), then reads and inserts.
        primaryGrants: props.rekor ? [{ user: names.serviceAccountId("rekor", region), database: REKOR_SEARCH_INDEX_DATABASE, privileges: ["CREATE", "SELECT", "INSERT"] }] : [],
      });
      const afterSchema = [this.trillianSchema.release.release];
      this.trillian = new TrillianRelease(this, "trillian", { database: props.database, mysqlUsers, dependsOn: afterSchema });
      // A CT log whose trees live on a shard instance dials a Trillian on that instance.
      const ctTrees = props.ctlog?.treeInstance;
      if (ctTrees && ctTrees !== props.database.primary) {
        this.ctlogTrillian = new TrillianRelease(this, "ctlog-trillian", { database: props.database, mysqlUsers, instance: ctTrees, dependsOn: afterSchema });
      }
      const ctlogTrillian = this.ctlogTrillian ?? this.trillian;
      if (props.rekor) {
        const rekorEndpoint = endpoint("rekor");
        this.rekor = new RekorRelease(this, "rekor", {
          rekor: props.rekor,
          searchIndexConnectionName: props.database.connectionName,
          mysqlUser: names.serviceAccountId("rekor", region),
          negName: rekorEndpoint.negNames.http,
          dependsOn: [this.trillian.chart.release],
        });
        rekorEndpoint.publishAfter(...waitForNegs("rekor-negs", [rekorEndpoint.negNames.http], this.rekor.chart.release));
        this.treeIdOutput("rekor", REKOR_TREE_CONFIG_MAP, this.rekor.chart.release, "Rekor v1");
      }
      if (props.ctlog) {
        // The log signs only with the key in Secret Manager, whose public half the trust root pins.
        const publicKeyPem = config.ctlog.publicKeys[region];
        if (this.fulcio && publicKeyPem) {
          // createctconfig reads Fulcio's roots, so the CT log follows Fulcio.
          this.ctlog = new CtLogRelease(this, "ctlog", {
            ctlog: props.ctlog,
            publicKeyPem,
            trillianLogServer: ctlogTrillian.logServerName,
            dependsOn: [ctlogTrillian.chart.release, this.fulcio.chart.release],
          });
          props.ctlog.publishAfter(...waitForNegs("ctlog-negs", [props.ctlog.negName], this.ctlog.chart.release), this.ctlog.publicKeyCheck);
          this.treeIdOutput("ctlog", CTLOG_TREE_CONFIG_MAP, this.ctlog.chart.release, "the CT log");
        } else {
          props.ctlog.withholdZones();
          warn(this, this.fulcio
            ? `The CT log is not installed in ${region} yet: it signs only with its key from Secret Manager. Add the passphrase-encrypted private key and its passphrase as versions of the secrets ${props.ctlog.keySecretNames.privateKey} and ${props.ctlog.keySecretNames.passphrase} (docs/trust-root.md), then set ctlog.publicKeys.${region} to its public key. Until then the region publishes no CT log zone.`
            : `The CT log is not installed in ${region} yet: its configuration job reads the roots of Fulcio, which is not installed.`);
        }
      }
    }

    const tiles: { [K in TilesLogKind]?: TilesLogRelease } = {};
    for (const [kind, log] of Object.entries(props.tilesLogs) as [TilesLogKind, TilesLog][]) {
      // Each shard is its own log, named by its own host (one shard: the log's subdomain).
      const origin = hostOf(tilesShardLabel(config, kind, region), config.dns.domain);
      const encryptedKeyset = kind === "rekor" ? config.tiles.rekor.encryptedKeysets[region] : undefined;
      if (kind === "rekor" && !encryptedKeyset) {
        log.withholdZones();
        warn(this, `Rekor v2 is not installed in ${region} yet: set tiles.rekor.encryptedKeysets.${region} (the shard's Tink keyset, encrypted with its key-encryption key).`);
        continue;
      }
      const release = new TilesLogRelease(this, `${kind}-tiles`, { log, origin, encryptedKeyset });
      tiles[kind] = release;
      const negs = [log.negNames.http, ...(log.negNames.grpc ? [log.negNames.grpc] : [])];
      log.publishAfter(...waitForNegs(`${kind}-tiles-negs`, negs, release.chart.release));
    }
    this.tiles = tiles;
  }

  /** Reads the tree id the createtree job wrote, after the release (whose wait includes the job). */
  private treeIdOutput(id: string, configMap: { readonly namespace: string; readonly name: string; readonly key: string }, release: ITerraformDependable, title: string): void {
    const data = new DataKubernetesConfigMapV1(this, `${id}-tree-config`, {
      metadata: { name: configMap.name, namespace: configMap.namespace },
      dependsOn: [release],
    });
    new TerraformOutput(this, `${id}-tree-id`, {
      description: `Trillian tree id of ${title}, written by its createtree job to ${configMap.namespace}/${configMap.name}`,
      value: data.data.lookup(configMap.key),
    });
  }
}

/** A synth warning (shown by cdktf), without a stack trace: the manifest stays free of absolute paths. */
function warn(scope: Construct, message: string): void {
  scope.node.addMetadata(AnnotationMetadataEntryType.WARN, message, { stackTrace: false });
}
