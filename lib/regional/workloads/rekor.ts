import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { REKOR_KUBERNETES, REKOR_SEARCH_INDEX_DATABASE, Rekor } from "../rekor";
import { trillianKubernetes } from "../trillian-database";
import { CHARTS, sigstoreImage } from "./charts";
import { ChartRelease } from "./release";
import { TRILLIAN_HTTP_PORT, TRILLIAN_RPC_PORT } from "./trillian";
import { CLOUD_SQL_SOCKET_DIR, NEG_ANNOTATION, RekorValues, standaloneNegAnnotation, workloadIdentityAccount, CLOUD_SQL_PROXY_ARGS } from "./values";

/** Service port of the Rekor chart's server (80 -> 3000); 2112 (metrics) is never exposed. */
export const REKOR_HTTP_PORT = 80;

/** Where the createtree job publishes Rekor's tree id: ConfigMap `<release>-config`, key treeID. */
export const REKOR_TREE_CONFIG_MAP = { namespace: REKOR_KUBERNETES.namespace, name: "rekor-config", key: "treeID" } as const;

export interface RekorReleaseProps {
  readonly rekor: Rekor;
  /** Connection name of the Cloud SQL instance with the search index. */
  readonly searchIndexConnectionName: string;
  /** Rekor's MySQL IAM user (its account id). */
  readonly mysqlUser: string;
  /** Standalone NEG name of the HTTP port (the `rekor` service endpoint's `negNames.http`). */
  readonly negName: string;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Rekor v1 on the region's Trillian: signs with its KMS key, stores
 * attestations in its bucket, indexes in Cloud SQL through the Auth Proxy as
 * its own IAM user, and publishes new entries to Pub/Sub. The chart's
 * createtree job creates the Trillian tree and writes its id to the
 * `rekor-config` ConfigMap, which the server reads (the scaffolding's gate).
 */
export class RekorRelease extends Construct {
  readonly chart: ChartRelease<RekorValues>;

  constructor(scope: Construct, id: string, props: RekorReleaseProps) {
    super(scope, id);
    const images = CHARTS.rekor.images;
    const trillian = trillianKubernetes();
    // The chart has no value for the new-entry publisher; Rekor without a topic has none.
    const extraArgs = newEntryPublisherOf(props.rekor) ? [`--rekor_server.new_entry_publisher=${newEntryPublisherOf(props.rekor)}`] : [];
    const values: RekorValues = {
      namespace: { create: false, name: REKOR_KUBERNETES.namespace },
      initContainerImage: { curl: sigstoreImage(images.curl) },
      redis: { enabled: true, image: sigstoreImage(images.redis) },
      mysql: {
        enabled: false,
        gcp: {
          enabled: true,
          instance: props.searchIndexConnectionName,
          cloudsql: {
            ...sigstoreImage(images.cloudSqlProxy),
            iamUsername: props.mysqlUser,
            unixDomainSocket: { enabled: true, path: CLOUD_SQL_SOCKET_DIR },
            extraArgs: CLOUD_SQL_PROXY_ARGS,
          },
        },
      },
      trillian: {
        enabled: false,
        forceNamespace: trillian.namespace,
        logServer: { name: trillian.logServer, portRPC: TRILLIAN_RPC_PORT, portHTTP: TRILLIAN_HTTP_PORT },
      },
      server: {
        image: sigstoreImage(images.server),
        fullnameOverride: REKOR_KUBERNETES.serviceAccount,
        logging: { production: true },
        signer: `gcpkms://${props.rekor.signingKeyId}`,
        serviceAccount: workloadIdentityAccount(REKOR_KUBERNETES.serviceAccount, props.rekor.serviceAccount.email),
        ingress: { enabled: false },
        ingresses: [],
        attestation_storage: { enabled: true, bucket: `gs://${props.rekor.attestationBucketName}`, persistence: { enabled: false } },
        searchIndex: { storageProvider: "mysql", mysql: { envCredentials: [{ name: "MYSQL_DATABASE", value: REKOR_SEARCH_INDEX_DATABASE }] } },
        extraArgs,
        // The chart annotates only for a GCE ingress; the standalone NEG is the caller's.
        service: { annotations: { [NEG_ANNOTATION]: standaloneNegAnnotation({ [REKOR_HTTP_PORT]: props.negName }) } },
      },
      createtree: { image: sigstoreImage(images.createtree), serviceAccount: { create: true, name: "rekor-createtree" } },
    };
    this.chart = new ChartRelease(this, "chart", { chart: "rekor", name: "rekor", namespace: REKOR_KUBERNETES.namespace, values, dependsOn: props.dependsOn });
  }
}

function newEntryPublisherOf(rekor: Rekor): string | undefined {
  try {
    return rekor.newEntryPublisherUrl;
  } catch {
    return undefined;
  }
}
