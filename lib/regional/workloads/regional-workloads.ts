import { Construct } from "constructs";
import { AnnotationMetadataEntryType, ITerraformDependable, TerraformOutput } from "cdktf";
import { DataKubernetesConfigMapV1 } from "@cdktf/provider-kubernetes/lib/data-kubernetes-config-map-v1";
import type { RegionConfig, SigstoreConfig } from "../../config/schema";
import { hostOf } from "../../shared/names";
import type { PublicServiceId } from "../../shared/services";
import type { RegionalContext } from "../context";
import type { CtLog } from "../ctlog";
import type { Dex } from "../dex";
import type { Fulcio } from "../fulcio";
import type { Rekor } from "../rekor";
import type { RegionalServiceEndpoint } from "../service-endpoint";
import type { TilesLog, TilesLogKind } from "../tiles-log";
import type { TimestampAuthority } from "../timestamp";
import type { TrillianDatabase } from "../trillian-database";
import { CTLOG_IN_CLUSTER_URL, CTLOG_TREE_CONFIG_MAP, CtLogRelease } from "./ctlog";
import { DexRelease } from "./dex";
import { FulcioRelease } from "./fulcio";
import { dexIssuerUrl, fulcioIdentityConfig } from "./identity";
import { NegReadiness } from "./neg-readiness";
import { hostsCtLog, hostsRekorV1, hostsTrillian } from "./placement";
import { REKOR_TREE_CONFIG_MAP, RekorRelease } from "./rekor";
import { TilesLogRelease } from "./tiles";
import { TimestampRelease } from "./tsa";
import { TrillianRelease } from "./trillian";

export interface RegionalWorkloadsProps {
  readonly config: SigstoreConfig;
  readonly region: RegionConfig;
  readonly context: RegionalContext;
  readonly endpoints: { readonly [K in PublicServiceId]: RegionalServiceEndpoint };
  readonly fulcio: Fulcio;
  readonly timestampAuthority: TimestampAuthority;
  readonly dex: Dex;
  /** The namespace Dex runs in (the stack creates it: the key publisher shares it). */
  readonly dexNamespace: { readonly name: string; readonly resource: ITerraformDependable };
  readonly database?: TrillianDatabase;
  readonly rekor?: Rekor;
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
  readonly trillian?: TrillianRelease;
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
    const waitForNegs = (id: string, endpointNames: readonly string[], release: ITerraformDependable) =>
      new NegReadiness(this, id, { project: context.project, negNames: endpointNames, zones, release }).lookups;

    const dexHost = hostOf(config.services.dex.subdomain, config.dns.domain);
    const issuerUrl = dexIssuerUrl(dexHost);

    // Dex and its connectors.
    this.dex = new DexRelease(this, "dex", {
      dex: props.dex,
      issuerUrl,
      connectors: regional.dex.connectors,
      negName: endpoints.dex.negNames.http,
      namespace: props.dexNamespace.name,
      dependsOn: [props.dexNamespace.resource],
    });
    endpoints.dex.publishAfter(...waitForNegs("dex-negs", [endpoints.dex.negNames.http], this.dex.chart.release));

    // Fulcio signs with its region's CA; a KMS intermediate needs its chain first.
    const chain = regional.fulcio.certificateChains[region];
    if (props.fulcio.mode === "privateca" || chain) {
      this.fulcio = new FulcioRelease(this, "fulcio", {
        fulcio: props.fulcio,
        certificateChain: chain,
        identity: fulcioIdentityConfig(regional.fulcio.issuers, regional.fulcio.acceptDex ? { issuerUrl } : undefined),
        ctLogUrl: hostsCtLog(config, region) ? CTLOG_IN_CLUSTER_URL : undefined,
        negNames: { http: endpoints.fulcio.negNames.http, grpc: endpoints.fulcio.negNames.grpc! },
      });
      const fulcioNegs = [endpoints.fulcio.negNames.http, endpoints.fulcio.negNames.grpc!];
      endpoints.fulcio.publishAfter(...waitForNegs("fulcio-negs", fulcioNegs, this.fulcio.chart.release));
    } else {
      endpoints.fulcio.withholdZones();
      warn(this, 
        `Fulcio is not installed in ${region} yet: its KMS intermediate needs a certificate chain. Sign the key's CSR with the root, then set regional.fulcio.certificateChains.${region}. Until then the region publishes no Fulcio zone, and the global stack's plan stops on its precondition.`,
      );
    }

    const tsaChain = regional.tsa.certificateChains[region];
    const keyset = regional.tsa.encryptedKeysets[region];
    if (tsaChain && (props.timestampAuthority.signer === "kms" || keyset)) {
      this.timestamp = new TimestampRelease(this, "tsa", { tsa: props.timestampAuthority, certificateChain: tsaChain, encryptedKeyset: keyset, negName: endpoints.tsa.negNames.http });
      endpoints.tsa.publishAfter(...waitForNegs("tsa-negs", [endpoints.tsa.negNames.http], this.timestamp.chart.release));
    } else {
      endpoints.tsa.withholdZones();
      warn(this, 
        `The Timestamp Authority is not installed in ${region} yet: set regional.tsa.certificateChains.${region}` +
          (props.timestampAuthority.signer === "tink" ? ` and regional.tsa.encryptedKeysets.${region}` : "") + ".",
      );
    }

    // Trillian and the logs on it; each log's createtree job publishes its tree id in a ConfigMap.
    if (hostsTrillian(config, region) && props.database) {
      this.trillian = new TrillianRelease(this, "trillian", {
        database: props.database,
        mysqlUsers: { logServer: names.serviceAccountId("logserver", region), logSigner: names.serviceAccountId("logsigner", region) },
      });
      if (hostsRekorV1(config, region) && props.rekor) {
        this.rekor = new RekorRelease(this, "rekor", {
          rekor: props.rekor,
          searchIndexConnectionName: props.database.connectionName,
          mysqlUser: names.serviceAccountId("rekor", region),
          dependsOn: [this.trillian.chart.release],
        });
        this.treeIdOutput("rekor", REKOR_TREE_CONFIG_MAP, this.rekor.chart.release, "Rekor v1");
      }
      if (hostsCtLog(config, region) && props.ctlog) {
        if (this.fulcio) {
          // createctconfig reads Fulcio's roots, so the CT log follows Fulcio.
          this.ctlog = new CtLogRelease(this, "ctlog", { ctlog: props.ctlog, dependsOn: [this.trillian.chart.release, this.fulcio.chart.release] });
          this.treeIdOutput("ctlog", CTLOG_TREE_CONFIG_MAP, this.ctlog.chart.release, "the CT log");
        } else {
          warn(this, `The CT log is not installed in ${region} yet: its configuration job reads the roots of Fulcio, which is not installed.`);
        }
      }
    }

    const tiles: { [K in TilesLogKind]?: TilesLogRelease } = {};
    for (const [kind, log] of Object.entries(props.tilesLogs) as [TilesLogKind, TilesLog][]) {
      const origin = hostOf(config.tiles[kind].subdomain, config.dns.domain);
      const encryptedKeyset = config.tiles[kind].encryptedKeyset;
      if (kind === "rekor" && !encryptedKeyset) {
        warn(this, `Rekor v2 is not installed in ${region} yet: set tiles.rekor.encryptedKeyset (its Tink keyset, encrypted with the log's key-encryption key).`);
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
