import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { TilesLog } from "../tiles-log";
import { CHARTS, sigstoreImage } from "./charts";
import { ChartRelease, ManifestsRelease } from "./release";
import { CtLogTilesValues, RekorTilesValues, TilesImageValues, workloadIdentityAccount } from "./values";

/** NEG ports of the tiles charts: HTTP 80 (both) and gRPC 3001 (Rekor v2); metrics (2112) never. */
export const TILES_NEG_PORTS = { rekor: { http: 80, grpc: 3001 }, ctlog: { http: 80 } } as const;

export interface TilesLogReleaseProps {
  readonly log: TilesLog;
  /** The log's origin (its public host), which names its checkpoints. */
  readonly origin: string;
  /** Rekor v2: the shard's Tink keyset (JSON) encrypted with its key-encryption key (`tiles.rekor.encryptedKeysets.<region>`). */
  readonly encryptedKeyset?: string;
  readonly dependsOn?: ITerraformDependable[];
}

function tilesImage(chart: "rekor-tiles" | "ctlog-tiles"): TilesImageValues {
  // The tiles charts render <registry>/<repository>/<flavor>@<version> when version is a digest.
  const { registry, repository, version } = sigstoreImage(CHARTS[chart].images.gcp);
  return { flavor: "gcp", registry, repository: repository.replace(/\/gcp$/, ""), version };
}

/**
 * A tiles log's sequencer release (one per shard, `<chart>-<shard>`), on the
 * shard's bucket and Spanner databases, with standalone NEGs of its serving
 * ports under the names the global tiles front end uses.
 */
export class TilesLogRelease extends Construct {
  readonly chart: ChartRelease<RekorTilesValues | CtLogTilesValues>;
  /** Rekor v2: the ConfigMap holding the encrypted keyset. */
  readonly keyset?: ManifestsRelease;

  constructor(scope: Construct, id: string, props: TilesLogReleaseProps) {
    super(scope, id);
    const { log } = props;
    const k8s = log.kubernetes;
    const serviceAccount = workloadIdentityAccount(k8s.serviceAccount, log.serviceAccount.email);
    let values: RekorTilesValues | CtLogTilesValues;
    const chartName = log.spec.chart as "rekor-tiles" | "ctlog-tiles";
    const releaseName = `${chartName}-${log.shardName}`;
    if (log.spec.kind === "rekor") {
      if (!props.encryptedKeyset) throw new Error(`${this.node.path}: Rekor v2 needs its encrypted Tink keyset (tiles.rekor.encryptedKeysets.<region>)`);
      const configMapName = `${releaseName}-keyset`;
      this.keyset = new ManifestsRelease(this, "keyset", {
        name: configMapName,
        namespace: k8s.namespace,
        createNamespace: true,
        objects: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: configMapName, namespace: k8s.namespace }, data: { "tink.keyset.enc": props.encryptedKeyset } }],
      });
      values = {
        image: tilesImage("rekor-tiles"),
        namespace: { create: false, name: k8s.namespace },
        serviceAccount,
        neg: {
          http: { name: log.negNames.http, port: TILES_NEG_PORTS.rekor.http },
          grpc: { name: log.negNames.grpc!, port: TILES_NEG_PORTS.rekor.grpc },
        },
        server: {
          hostname: props.origin,
          gcp: { bucket: log.tileBucketName, spanner: log.sequencerDatabasePath },
          signer: { tink: { kekURI: log.keyEncryptionKeyUri, configMapName } },
        },
      } satisfies RekorTilesValues;
    } else {
      values = {
        image: tilesImage("ctlog-tiles"),
        namespace: { create: false, name: k8s.namespace },
        serviceAccount,
        neg: { http: { name: log.negNames.http, port: TILES_NEG_PORTS.ctlog.http } },
        server: {
          hostname: props.origin,
          gcp: { bucket: log.tileBucketName, spanner: log.sequencerDatabasePath, signer: { publicKey: `${log.publicKeySecretId}/versions/latest`, privateKey: `${log.privateKeySecretId}/versions/latest` } },
        },
      } satisfies CtLogTilesValues;
    }
    this.chart = new ChartRelease(this, "chart", {
      chart: chartName,
      name: releaseName,
      namespace: k8s.namespace,
      values,
      dependsOn: [...(props.dependsOn ?? []), ...(this.keyset ? [this.keyset.release] : [])],
    });
  }
}
