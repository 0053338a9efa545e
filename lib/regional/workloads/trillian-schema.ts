import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { TRILLIAN_DATABASE_NAME, TRILLIAN_SCHEMA_KSA, trillianKubernetes, TrillianDatabase, TrillianMySqlInstance } from "../trillian-database";
import { CHARTS } from "./charts";
import { KubernetesObject, ManifestsRelease } from "./release";
import { WORKLOAD_IDENTITY_ANNOTATION } from "./values";

/** MySQL privileges the schema job grants; nothing that creates, alters or drops. */
export type DataPrivilege = "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "CREATE";

/** One GRANT: privileges on every table of one database to one IAM service-account user (`'<account id>'@'%'`). */
export interface DatabaseGrant {
  /** MySQL user name of an IAM service account: its account id (the email before "@"). */
  readonly user: string;
  readonly database: string;
  readonly privileges: readonly DataPrivilege[];
}

/** What Trillian's log server and signer do in MySQL (queries, queueing, integration, tree admin and GC): rows only. */
export const TRILLIAN_PRIVILEGES: readonly DataPrivilege[] = ["SELECT", "INSERT", "UPDATE", "DELETE"];

/**
 * The tables of Trillian v1.7.3's MySQL schema (storage/mysql/schema/storage.sql),
 * which createdb v0.7.31 creates with the same statements.
 */
export const TRILLIAN_TABLES = ["Trees", "TreeControl", "Subtree", "TreeHead", "LeafData", "SequencedLeafData", "Unsequenced"] as const;

/**
 * A statement that fails (error 1146) unless every Trillian table exists:
 * createdb only logs a failed CREATE TABLE and still exits 0, so the job
 * checks the result before it grants.
 */
export function schemaCheckStatement(database: string = TRILLIAN_DATABASE_NAME): string {
  return `SELECT 1 FROM ${TRILLIAN_TABLES.map((t) => `\`${database}\`.\`${t}\``).join(", ")} LIMIT 0;`;
}

const IDENTIFIER = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The GRANT statements, one per grant; names are checked, so nothing but identifiers reaches the SQL. */
export function grantStatements(grants: readonly DatabaseGrant[]): string {
  return grants
    .map((g) => {
      for (const [what, name] of [["user", g.user], ["database", g.database]] as const) {
        if (!IDENTIFIER.test(name)) throw new Error(`grant ${what} "${name}" must be lowercase letters, digits, "-" or "_"`);
      }
      if (g.privileges.length === 0) throw new Error(`grant to "${g.user}" on "${g.database}" names no privilege`);
      return `GRANT ${[...new Set(g.privileges)].join(", ")} ON \`${g.database}\`.* TO '${g.user}'@'%';`;
    })
    .join(" ");
}

const PROXY_PORT = 3306;
const PROXY_HEALTH_PORT = 9090;

export interface TrillianSchemaProps {
  /** The region's Trillian storage: its instances that hold trees, their users and the schema administrator. */
  readonly database: TrillianDatabase;
  /** MySQL user names (account ids) of the schema administrator, the log server and the log signer. */
  readonly mysqlUsers: { readonly schemaAdmin: string; readonly logServer: string; readonly logSigner: string };
  /** More grants on the primary, e.g. Rekor's search index user on its own database. @default [] */
  readonly primaryGrants?: readonly DatabaseGrant[];
  /** @default 900 */
  readonly timeoutSeconds?: number;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Trillian's MySQL schema and the Trillian accounts' privileges, on every
 * Cloud SQL instance that holds trees (the primary and each CT log shard),
 * before the Trillian releases start: a release of the manifests chart in
 * Trillian's namespace with the schema administrator's Kubernetes service
 * account and one Job per instance.
 *
 * Each Job runs, as the schema administrator (`cloudsqlsuperuser`, through
 * workload identity; no password anywhere):
 * 1. the Cloud SQL Auth Proxy as a native sidecar (`--auto-iam-authn
 *    --private-ip`, TCP on 127.0.0.1), started when its /startup probe passes;
 * 2. the chart's pinned createdb (scaffolding cmd/trillian/createdb, the
 *    schema of Trillian v1.7.3's storage.sql), which creates only what is
 *    missing (`CREATE TABLE IF NOT EXISTS`, indexes checked first);
 * 3. the `mysql` client: a check that every Trillian table exists (createdb
 *    exits 0 even when a CREATE fails), then the GRANTs: rows only
 *    (`TRILLIAN_PRIVILEGES`) on `trillian.*` to the log server and the signer.
 *
 * The Jobs are Helm post-install/post-upgrade hooks (re-created on every
 * upgrade: both steps are idempotent), so the release — and, through
 * depends_on, the Trillian releases and the createtree jobs after them —
 * waits until they complete; a failure fails and rolls back the deploy.
 */
export class TrillianSchema extends Construct {
  readonly release: ManifestsRelease;
  /** The GRANTs each instance's job runs, by Job name. */
  readonly grants: ReadonlyMap<string, readonly DatabaseGrant[]>;

  constructor(scope: Construct, id: string, props: TrillianSchemaProps) {
    super(scope, id);
    const { database } = props;
    const namespace = trillianKubernetes().namespace;
    const images = CHARTS.trillian.images;
    const labels = { "app.kubernetes.io/name": "trillian-schema", "app.kubernetes.io/part-of": "sigstore" };
    const trillianGrants = (): DatabaseGrant[] =>
      [props.mysqlUsers.logServer, props.mysqlUsers.logSigner].map((user) => ({ user, database: TRILLIAN_DATABASE_NAME, privileges: TRILLIAN_PRIVILEGES }));

    const grants = new Map<string, readonly DatabaseGrant[]>();
    const jobs = database.instances.map((instance) => {
      const shard = database.shardOf(instance);
      const name = shard ? `${TRILLIAN_SCHEMA_KSA}-${shard}` : TRILLIAN_SCHEMA_KSA;
      const instanceGrants = [...trillianGrants(), ...(shard ? [] : (props.primaryGrants ?? []))];
      grants.set(name, instanceGrants);
      const statements = `${schemaCheckStatement()} ${grantStatements(instanceGrants)}`;
      return schemaJob({ name, namespace, labels, instance, admin: props.mysqlUsers.schemaAdmin, statements, images });
    });
    this.grants = grants;

    const serviceAccount: KubernetesObject = {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: TRILLIAN_SCHEMA_KSA, namespace, labels, annotations: { [WORKLOAD_IDENTITY_ANNOTATION]: database.schemaAdmin.email } },
    };
    // Logging in needs the user and its role on every instance, and GRANT needs its grantees to exist (MySQL 8 creates no user on GRANT).
    const dependsOn: ITerraformDependable[] = [
      ...(props.dependsOn ?? []),
      ...database.instances.flatMap((instance) => [database.schemaAdminRoles(instance), ...instance.iamUsers]),
    ];
    this.release = new ManifestsRelease(this, "release", {
      name: "trillian-schema",
      namespace,
      // The first release in Trillian's namespace; the Trillian chart's own --create-namespace then finds it.
      createNamespace: true,
      objects: [serviceAccount, ...jobs],
      timeoutSeconds: props.timeoutSeconds ?? 900,
      dependsOn,
    });
  }
}

function schemaJob(p: {
  readonly name: string;
  readonly namespace: string;
  readonly labels: { readonly [key: string]: string };
  readonly instance: TrillianMySqlInstance;
  readonly admin: string;
  readonly statements: string;
  readonly images: typeof CHARTS.trillian.images;
}): KubernetesObject {
  const hardened = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
  };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: p.name,
      namespace: p.namespace,
      labels: p.labels,
      annotations: {
        // After the service account exists; the previous run's Job is removed first (Job templates are immutable).
        "helm.sh/hook": "post-install,post-upgrade",
        "helm.sh/hook-delete-policy": "before-hook-creation",
      },
    },
    spec: {
      // Retries cover IAM grants and the database role still propagating on a fresh deployment.
      backoffLimit: 6,
      activeDeadlineSeconds: 840,
      template: {
        metadata: { labels: p.labels },
        spec: {
          serviceAccountName: TRILLIAN_SCHEMA_KSA,
          restartPolicy: "Never",
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
          initContainers: [
            {
              // A native sidecar (restartPolicy Always): the next init container starts once /startup answers, and it stops when the Job's container ends.
              name: "cloud-sql-proxy",
              image: p.images.cloudSqlProxy.ref,
              restartPolicy: "Always",
              command: ["/cloud-sql-proxy"],
              args: [
                "--auto-iam-authn",
                // The instances have no public IP; the proxy connects to the public one unless told otherwise.
                "--private-ip",
                "--address=127.0.0.1",
                `--port=${PROXY_PORT}`,
                "--health-check",
                "--http-address=0.0.0.0",
                `--http-port=${PROXY_HEALTH_PORT}`,
                "--exit-zero-on-sigterm",
                p.instance.connectionName,
              ],
              startupProbe: { httpGet: { path: "/startup", port: PROXY_HEALTH_PORT }, periodSeconds: 2, failureThreshold: 60 },
              securityContext: hardened,
              resources: { requests: { cpu: "100m", memory: "128Mi" } },
            },
            {
              name: "createdb",
              image: p.images.createdb.ref,
              // No password: the proxy logs the user in with the pod's workload identity.
              args: [`--db_name=${TRILLIAN_DATABASE_NAME}`, `--mysql_uri=${p.admin}@tcp(127.0.0.1:${PROXY_PORT})/`],
              securityContext: hardened,
              resources: { requests: { cpu: "50m", memory: "64Mi" } },
            },
          ],
          containers: [
            {
              name: "grant",
              image: p.images.mysqlClient.ref,
              command: ["mysql"],
              args: [
                "--protocol=TCP",
                "--host=127.0.0.1",
                `--port=${PROXY_PORT}`,
                `--user=${p.admin}`,
                // The hop to the proxy stays inside the pod; the proxy encrypts (mTLS) to the instance. No TLS inside that tunnel.
                "--ssl-mode=DISABLED",
                // Lets the client answer a clear-text auth request with the empty password; the proxy supplies the IAM token.
                "--enable-cleartext-plugin",
                `--execute=${p.statements}`,
              ],
              securityContext: hardened,
              resources: { requests: { cpu: "50m", memory: "64Mi" } },
            },
          ],
        },
      },
    },
  };
}
