import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { CTLOG_KUBERNETES, CtLog } from "../ctlog";
import { FULCIO_KUBERNETES } from "../fulcio";
import { trillianKubernetes } from "../trillian-database";
import { CHARTS, sigstoreImage } from "./charts";
import { ChartRelease } from "./release";
import { TRILLIAN_RPC_PORT } from "./trillian";
import { CtLogValues, NEG_ANNOTATION, standaloneNegAnnotation, workloadIdentityAccount } from "./values";

/** Where the createtree job publishes the CT log's tree id. */
export const CTLOG_TREE_CONFIG_MAP = { namespace: CTLOG_KUBERNETES.namespace, name: "ctlog-config", key: "treeID" } as const;

/** Service port of the CT log chart (80 -> 6962); 6963 (metrics) is never exposed. */
export const CTLOG_HTTP_PORT = 80;

/**
 * In-cluster URL of the CT log with the given prefix (`ctLogPrefix`), where
 * Fulcio in the same region submits precertificates.
 */
export function ctLogInClusterUrl(prefix: string): string {
  return `http://${CTLOG_KUBERNETES.serviceAccount}.${CTLOG_KUBERNETES.namespace}.svc/${prefix}`;
}

/** In-cluster URL of Fulcio, where createctconfig reads the roots the log accepts. */
export const FULCIO_IN_CLUSTER_URL = `http://${FULCIO_KUBERNETES.serviceAccount}.${FULCIO_KUBERNETES.namespace}.svc`;

export interface CtLogReleaseProps {
  /** The log's resources: its account, its prefix and its standalone NEG name (`CtLog.negName`, which CtLogFrontend backends). */
  readonly ctlog: CtLog;
  /**
   * Service name of the Trillian log server holding the log's trees (in
   * Trillian's namespace): the shard release's when the log's tree instance
   * is a CT log shard (`TrillianRelease.logServerName`).
   * @default the primary release's log server
   */
  readonly trillianLogServer?: string;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The CT log front end (ct_server) on the region's Trillian. Its jobs are the
 * scaffolding's gates: createtree makes the Trillian tree and writes the id to
 * `ctlog-config`; createctconfig waits for it, reads Fulcio's roots and writes
 * the log's configuration. The release waits for both jobs.
 */
export class CtLogRelease extends Construct {
  readonly chart: ChartRelease<CtLogValues>;

  constructor(scope: Construct, id: string, props: CtLogReleaseProps) {
    super(scope, id);
    const images = CHARTS.ctlog.images;
    const trillian = trillianKubernetes();
    const values: CtLogValues = {
      namespace: { create: false, name: CTLOG_KUBERNETES.namespace },
      fullnameOverride: CTLOG_KUBERNETES.serviceAccount,
      server: {
        image: sigstoreImage(images.server),
        serviceAccount: workloadIdentityAccount(CTLOG_KUBERNETES.serviceAccount, props.ctlog.serviceAccount.email),
        ingress: { enabled: false },
        ingresses: [],
        // The chart annotates only for a GCE ingress; the standalone NEG is the caller's.
        service: { annotations: { [NEG_ANNOTATION]: standaloneNegAnnotation({ [CTLOG_HTTP_PORT]: props.ctlog.negName }) } },
      },
      createtree: { enabled: true, displayName: "ctlog-tree", image: sigstoreImage(images.createtree) },
      createctconfig: {
        enabled: true,
        image: sigstoreImage(images.createctconfig),
        initContainerImage: { curl: sigstoreImage(images.curl) },
        fulcioURL: FULCIO_IN_CLUSTER_URL,
        // The prefix h8ca's placement names the log by (`https://ctfe.<domain>/<prefix>`).
        logPrefix: props.ctlog.prefix,
      },
      trillian: { namespace: trillian.namespace, logServer: { name: props.trillianLogServer ?? trillian.logServer, portRPC: TRILLIAN_RPC_PORT } },
    };
    this.chart = new ChartRelease(this, "chart", { chart: "ctlog", name: "ctlog", namespace: CTLOG_KUBERNETES.namespace, values, dependsOn: props.dependsOn });
  }
}
