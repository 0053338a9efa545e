import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { TRILLIAN_DATABASE_NAME, trillianKubernetes, TrillianDatabase, TrillianMySqlInstance } from "../trillian-database";
import { CHARTS, sigstoreImage } from "./charts";
import { ChartRelease } from "./release";
import { CLOUD_SQL_PROXY_ARGS, CLOUD_SQL_SOCKET_DIR, cloudSqlDsn, TrillianValues, workloadIdentityAccount } from "./values";

/** Trillian's gRPC port, where Rekor and the CT log (and their createtree jobs) reach the log server. */
export const TRILLIAN_RPC_PORT = 8091;
export const TRILLIAN_HTTP_PORT = 8090;

export interface TrillianReleaseProps {
  /** The region's Trillian storage and accounts. */
  readonly database: TrillianDatabase;
  /** Account ids of the log server and signer, which are their MySQL IAM user names. */
  readonly mysqlUsers: { readonly logServer: string; readonly logSigner: string };
  /**
   * The instance whose trees this release serves: the primary, or a CT log
   * shard's instance, which gets its own release (`trillian-<shard>`, with
   * the shard's Kubernetes names) so its trees are created and read there.
   * @default the database's primary
   */
  readonly instance?: TrillianMySqlInstance;
  /** What must finish first: the schema jobs (TrillianSchema), whose tables and GRANTs the servers need to start. */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Trillian's log server and log signer, on one of the region's Cloud SQL
 * instances (the primary, or a CT log shard's) through the Cloud SQL Auth
 * Proxy (a sidecar with --auto-iam-authn --private-ip over a Unix socket):
 * each logs in as its own Google service account, with no password anywhere.
 * The chart's in-cluster MySQL and its createdb job are off (the job reads a
 * password from a Secret): the database is Terraform's, and its tables and
 * the servers' privileges come from TrillianSchema, which the release
 * depends on.
 */
export class TrillianRelease extends Construct {
  readonly chart: ChartRelease<TrillianValues>;
  /** The log server's Service name (in Trillian's namespace), what the logs on this release dial. */
  readonly logServerName: string;

  constructor(scope: Construct, id: string, props: TrillianReleaseProps) {
    super(scope, id);
    const instance = props.instance ?? props.database.primary;
    const shard = props.database.shardOf(instance);
    const k8s = trillianKubernetes(shard);
    const name = shard ? `trillian-${shard}` : "trillian";
    const images = CHARTS.trillian.images;
    const connectionName = instance.connectionName;
    const values: TrillianValues = {
      namespace: { create: false, name: k8s.namespace },
      fullnameOverride: name,
      initContainerImage: { curl: sigstoreImage(images.curl), netcat: sigstoreImage(images.netcat) },
      storageSystem: { driver: "mysql", envCredentials: [{ name: "MYSQL_DATABASE", value: TRILLIAN_DATABASE_NAME }] },
      mysql: {
        enabled: false,
        // Names a Secret that is never created, so the chart does not generate a password Secret.
        auth: { existingSecret: "trillian-no-password" },
        gcp: {
          enabled: true,
          instance: connectionName,
          cloudsql: {
            ...sigstoreImage(images.cloudSqlProxy),
            iamUsername: props.mysqlUsers.logServer,
            unixDomainSocket: { enabled: true, path: CLOUD_SQL_SOCKET_DIR },
            extraArgs: CLOUD_SQL_PROXY_ARGS,
          },
        },
      },
      createdb: { enabled: false },
      logServer: {
        fullnameOverride: k8s.logServer,
        image: sigstoreImage(images.logServer),
        serviceAccount: workloadIdentityAccount(k8s.logServer, props.database.logServer.email),
        extraArgs: [],
      },
      logSigner: {
        fullnameOverride: k8s.logSigner,
        image: sigstoreImage(images.logSigner),
        serviceAccount: workloadIdentityAccount(k8s.logSigner, props.database.logSigner.email),
        // The chart has one iamUsername; the signer logs in as its own account (the last --mysql_uri wins).
        extraArgs: [`--mysql_uri=${cloudSqlDsn(props.mysqlUsers.logSigner, connectionName, TRILLIAN_DATABASE_NAME)}`],
      },
    };
    this.logServerName = k8s.logServer;
    this.chart = new ChartRelease(this, "chart", { chart: "trillian", name, namespace: k8s.namespace, values, dependsOn: props.dependsOn });
  }

  /** `<service>.<namespace>:<port>` of the log server's gRPC API, what createtree and the logs dial. */
  static get adminServer(): string {
    const k8s = trillianKubernetes();
    return `${k8s.logServer}.${k8s.namespace}:${TRILLIAN_RPC_PORT}`;
  }
}
