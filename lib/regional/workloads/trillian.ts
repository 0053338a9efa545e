import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { TRILLIAN_DATABASE_NAME, trillianKubernetes, TrillianDatabase } from "../trillian-database";
import { CHARTS, sigstoreImage } from "./charts";
import { ChartRelease } from "./release";
import { CLOUD_SQL_SOCKET_DIR, cloudSqlDsn, TrillianValues, workloadIdentityAccount } from "./values";

/** Trillian's gRPC port, where Rekor and the CT log (and their createtree jobs) reach the log server. */
export const TRILLIAN_RPC_PORT = 8091;
export const TRILLIAN_HTTP_PORT = 8090;

export interface TrillianReleaseProps {
  /** The region's Trillian storage and accounts. */
  readonly database: TrillianDatabase;
  /** Account ids of the log server and signer, which are their MySQL IAM user names. */
  readonly mysqlUsers: { readonly logServer: string; readonly logSigner: string };
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Trillian's log server and log signer, on the region's Cloud SQL primary
 * through the Cloud SQL Auth Proxy (a sidecar with --auto-iam-authn over a
 * Unix socket): each logs in as its own Google service account, with no
 * password anywhere. The chart's in-cluster MySQL and its createdb job are
 * off; the database is Terraform's.
 */
export class TrillianRelease extends Construct {
  readonly chart: ChartRelease<TrillianValues>;

  constructor(scope: Construct, id: string, props: TrillianReleaseProps) {
    super(scope, id);
    const k8s = trillianKubernetes();
    const images = CHARTS.trillian.images;
    const connectionName = props.database.connectionName;
    const values: TrillianValues = {
      namespace: { create: false, name: k8s.namespace },
      fullnameOverride: "trillian",
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
    this.chart = new ChartRelease(this, "chart", { chart: "trillian", name: "trillian", namespace: k8s.namespace, values, dependsOn: props.dependsOn });
  }

  /** `<service>.<namespace>:<port>` of the log server's gRPC API, what createtree and the logs dial. */
  static get adminServer(): string {
    const k8s = trillianKubernetes();
    return `${k8s.logServer}.${k8s.namespace}:${TRILLIAN_RPC_PORT}`;
  }
}
