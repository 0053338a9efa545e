import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import { SecretManagerSecret } from "@cdktf/provider-google/lib/secret-manager-secret";
import { SecretManagerSecretIamMember } from "@cdktf/provider-google/lib/secret-manager-secret-iam-member";
import { SecretManagerSecretVersion } from "@cdktf/provider-google/lib/secret-manager-secret-version";
import { ServiceNetworkingConnection } from "@cdktf/provider-google/lib/service-networking-connection";
import { ServiceAccountIamMember } from "@cdktf/provider-google/lib/service-account-iam-member";
import { SqlDatabase } from "@cdktf/provider-google/lib/sql-database";
import { SqlDatabaseInstance } from "@cdktf/provider-google/lib/sql-database-instance";
import { SqlUser } from "@cdktf/provider-google/lib/sql-user";
import type { DatabaseSettings } from "../config/schema";
import { grantProjectRole, Grantee, WorkloadIdentityServiceAccount } from "../shared/iam";
import { preventDestroy } from "../shared/protection";
import type { RegionalContext } from "./context";
import { CloudSqlDatabaseRoles } from "./sql-database-roles";

/**
 * Where the Trillian chart runs (release "trillian" in trillian-system with the
 * Sigstore scaffold's `fullnameOverride`s). A CT log shard's Trillian release
 * runs in the same namespace with `logServer.fullnameOverride` and
 * `logSigner.fullnameOverride` suffixed by the shard name, so its service
 * accounts are `trillian-logserver-<shard>` and `trillian-logsigner-<shard>`.
 */
export function trillianKubernetes(shard?: string): { readonly namespace: string; readonly logServer: string; readonly logSigner: string } {
  const suffix = shard ? `-${shard}` : "";
  return { namespace: "trillian-system", logServer: `trillian-logserver${suffix}`, logSigner: `trillian-logsigner${suffix}` };
}

/** The database Trillian's schema lives in, on every instance. */
export const TRILLIAN_DATABASE_NAME = "trillian";

/** The Kubernetes service account of the schema jobs (TrillianSchema), in Trillian's namespace. */
export const TRILLIAN_SCHEMA_KSA = "trillian-schema";

/** A service account that logs in to MySQL with IAM database authentication. */
export interface CloudSqlIamAccount {
  /** The account's email; Cloud SQL for MySQL names the IAM user after it. */
  readonly email: string;
}

export interface MaintenanceWindow {
  /** 1 (Monday) to 7 (Sunday). */
  readonly day: number;
  /** Hour of the day, 0 to 23, UTC. */
  readonly hour: number;
}

export type InstanceSettings = Pick<DatabaseSettings, "tier" | "diskSizeGb" | "highAvailability" | "backupRetentionCount" | "transactionLogRetentionDays">;

export interface TrillianMySqlInstanceProps {
  readonly context: RegionalContext;
  /** Cloud SQL instance name (project-wide, so it carries the region). */
  readonly instanceName: string;
  /** Self link or id of the VPC network the instance gets its private IP in. */
  readonly network: string;
  readonly settings: InstanceSettings;
  readonly maintenanceWindow: MaintenanceWindow;
  /** The private services access connection: the instance cannot get a private IP before it exists. */
  readonly dependsOn: ITerraformDependable[];
  /**
   * Makes this instance a read replica of another. A replica has no database,
   * users or settings secrets of its own: they all replicate from the primary.
   */
  readonly replicaOf?: TrillianMySqlInstance;
  /**
   * Accept only connections through Cloud SQL connectors (the Auth Proxy the
   * charts run), which check `cloudsql.instances.connect` in IAM before any
   * MySQL handshake. Cloud SQL refuses it on an instance with read replicas.
   */
  readonly requireConnectors: boolean;
}

// Flags every instance carries. IAM authentication replaces passwords;
// local_infile off keeps clients from making the server read their files
// (CIS benchmark for Cloud SQL for MySQL).
const DATABASE_FLAGS = [
  { name: "cloudsql_iam_authentication", value: "on" },
  { name: "local_infile", value: "off" },
];

/**
 * One hardened Cloud SQL for MySQL 8.0 instance for Trillian: private IP
 * only, encrypted connections only, IAM database authentication, deletion
 * protection in Terraform and in the API, backups kept after deletion,
 * automated backups with binary logs (point-in-time recovery) on a primary,
 * query insights, a maintenance window, and disk autoresize. A primary also
 * gets the `trillian` database, its IAM users and the Secret Manager secrets
 * with its (non-secret) connection settings.
 */
export class TrillianMySqlInstance extends Construct {
  readonly instance: SqlDatabaseInstance;
  /** Whether this is a read replica. */
  readonly isReplica: boolean;
  private readonly database?: SqlDatabase;
  private readonly settingSecrets?: { readonly connectionName: SettingSecret; readonly databaseName: SettingSecret };
  private readonly context: RegionalContext;
  private readonly users: SqlUser[] = [];

  constructor(scope: Construct, id: string, props: TrillianMySqlInstanceProps) {
    super(scope, id);
    const { context, settings } = props;
    this.context = context;
    this.isReplica = props.replicaOf !== undefined;
    if (props.replicaOf?.isReplica) throw new Error(`${this.node.path}: a read replica must replicate a primary instance, not another replica`);
    const { day, hour } = props.maintenanceWindow;
    if (!Number.isInteger(day) || day < 1 || day > 7 || !Number.isInteger(hour) || hour < 0 || hour > 23) {
      throw new Error(`${this.node.path}: maintenance window needs day 1 to 7 and hour 0 to 23, got day ${day}, hour ${hour}`);
    }

    this.instance = preventDestroy(
      new SqlDatabaseInstance(this, "instance", {
        project: context.project,
        region: context.region,
        name: props.instanceName,
        databaseVersion: "MYSQL_8_0",
        masterInstanceName: props.replicaOf?.instance.name,
        // A read replica is never promoted automatically; HA of the primary covers zone failures.
        replicaConfiguration: props.replicaOf ? { failoverTarget: false } : undefined,
        deletionProtection: true,
        dependsOn: props.dependsOn,
        settings: {
          tier: settings.tier,
          // Enterprise Plus needs db-perf-optimized tiers; set it explicitly so a provider default never changes the edition.
          edition: "ENTERPRISE",
          activationPolicy: "ALWAYS",
          availabilityType: !this.isReplica && settings.highAvailability ? "REGIONAL" : "ZONAL",
          diskType: "PD_SSD",
          diskSize: settings.diskSizeGb,
          diskAutoresize: true,
          deletionProtectionEnabled: true,
          // Automated backups outlive an instance deleted by mistake.
          retainBackupsOnDelete: true,
          connectorEnforcement: props.requireConnectors ? "REQUIRED" : "NOT_REQUIRED",
          ipConfiguration: {
            ipv4Enabled: false,
            privateNetwork: props.network,
            sslMode: "ENCRYPTED_ONLY",
          },
          databaseFlags: DATABASE_FLAGS,
          // Replicas cannot take automated backups; they copy the primary's data.
          backupConfiguration: this.isReplica
            ? undefined
            : {
                enabled: true,
                binaryLogEnabled: true,
                transactionLogRetentionDays: settings.transactionLogRetentionDays,
                backupRetentionSettings: { retainedBackups: settings.backupRetentionCount, retentionUnit: "COUNT" },
              },
          insightsConfig: {
            queryInsightsEnabled: true,
            queryStringLength: 1024,
            recordApplicationTags: false,
            recordClientAddress: false,
          },
          maintenanceWindow: { day, hour, updateTrack: "stable" },
        },
        // Autoresize grows the disk; without this the next plan would try to shrink it back.
        lifecycle: { ignoreChanges: ["settings[0].disk_size"] },
      }),
    );

    if (!this.isReplica) {
      this.database = preventDestroy(
        new SqlDatabase(this, "database", {
          project: context.project,
          instance: this.instance.name,
          name: TRILLIAN_DATABASE_NAME,
        }),
      );
      this.settingSecrets = {
        connectionName: new SettingSecret(this, "connection-name", { context, secretId: `${props.instanceName}-connection-name`, value: this.instance.connectionName }),
        databaseName: new SettingSecret(this, "database-name", { context, secretId: `${props.instanceName}-database`, value: this.database.name }),
      };
    }
  }

  /** Instance name (a reference, so users of it wait for the instance). */
  get instanceName(): string {
    return this.instance.name;
  }

  /** `<project>:<region>:<instance>`, what the Cloud SQL Auth Proxy connects to. */
  get connectionName(): string {
    return this.instance.connectionName;
  }

  /** Name of the Trillian database (primaries only). */
  get databaseName(): string {
    return this.primaryOnly(this.database, "databaseName").name;
  }

  /** Secret (`projects/<p>/secrets/<id>`) holding the connection name (primaries only). */
  get connectionNameSecretId(): string {
    return this.primaryOnly(this.settingSecrets, "connectionNameSecretId").connectionName.secretId;
  }

  /** Secret holding the database name (primaries only). */
  get databaseNameSecretId(): string {
    return this.primaryOnly(this.settingSecrets, "databaseNameSecretId").databaseName.secretId;
  }

  /**
   * Adds an IAM database user (`CLOUD_IAM_SERVICE_ACCOUNT`) for a service
   * account. It has no MySQL privileges until an administrator GRANTs them.
   */
  addIamUser(id: string, account: CloudSqlIamAccount): SqlUser {
    this.primaryOnly(this.database, "addIamUser");
    const user = new SqlUser(this, `iam-user-${id}`, {
      project: this.context.project,
      instance: this.instance.name,
      name: account.email,
      type: "CLOUD_IAM_SERVICE_ACCOUNT",
    });
    this.users.push(user);
    return user;
  }

  /** The IAM service-account users added so far (what a GRANT to them must wait for). */
  get iamUsers(): readonly SqlUser[] {
    return [...this.users];
  }

  /** Adds an IAM group user (`CLOUD_IAM_GROUP`), e.g. for breakglass access. */
  addIamGroup(id: string, groupEmail: string): SqlUser {
    this.primaryOnly(this.database, "addIamGroup");
    return new SqlUser(this, `iam-group-${id}`, {
      project: this.context.project,
      instance: this.instance.name,
      name: groupEmail,
      type: "CLOUD_IAM_GROUP",
    });
  }

  /** Lets a reader access the connection-name and database-name secrets, each on the secret itself. */
  grantSettingsRead(grantee: Grantee): void {
    const secrets = this.primaryOnly(this.settingSecrets, "grantSettingsRead");
    secrets.connectionName.grantRead(grantee);
    secrets.databaseName.grantRead(grantee);
  }

  private primaryOnly<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new Error(`${this.node.path}: ${what} is not available on a read replica (users, databases and settings replicate from the primary)`);
    return value;
  }
}

/**
 * A Secret Manager secret holding one non-secret connection setting that a
 * chart reads, kept in the region, with access granted per secret.
 */
class SettingSecret extends Construct {
  private readonly secret: SecretManagerSecret;

  constructor(scope: Construct, id: string, props: { readonly context: RegionalContext; readonly secretId: string; readonly value: string }) {
    super(scope, id);
    this.secret = new SecretManagerSecret(this, "secret", {
      project: props.context.project,
      secretId: props.secretId,
      replication: { userManaged: { replicas: [{ location: props.context.region }] } },
    });
    new SecretManagerSecretVersion(this, "version", { secret: this.secret.id, secretData: props.value });
  }

  get secretId(): string {
    return this.secret.id;
  }

  grantRead(grantee: Grantee): SecretManagerSecretIamMember {
    return new SecretManagerSecretIamMember(this, `accessor-${grantee.grantId}`, {
      secretId: this.secret.id,
      role: "roles/secretmanager.secretAccessor",
      member: grantee.member,
    });
  }
}

export interface TrillianDatabaseProps {
  readonly context: RegionalContext;
  /** The region's database settings (`regional.database` with the region's overrides). */
  readonly settings: DatabaseSettings;
  /** Self link or id of the region's VPC network; private services access is set up on it. */
  readonly network: string;
  /** The cluster's workload pool (`<project>.svc.id.goog`), as a reference to the cluster. */
  readonly workloadPool: string;
  /** Weekly maintenance window of every instance. @default { day: 7, hour: 3 } (Sunday 03:00 UTC) */
  readonly maintenanceWindow?: MaintenanceWindow;
}

/**
 * Trillian's storage in one region: private services access on the VPC, a
 * Cloud SQL for MySQL 8.0 primary (optionally with a read replica), one more
 * instance per CT log shard, the `trillian` database and IAM database users
 * on each, and the log server's and log signer's service accounts.
 *
 * There are no passwords anywhere. The upstream module created a `trillian`
 * user with a generated password (random_id, a password secret read back
 * through a data source), which put the password in Terraform state and
 * outputs. Here every login uses IAM database authentication: the charts'
 * Cloud SQL Auth Proxy runs with `--auto-iam-authn` as the workload's service
 * account, so nothing sensitive lands in state. The Secret Manager secrets
 * only hold what the charts need to connect (connection name, database name,
 * IAM user name), each readable by the accounts that use it.
 *
 * IAM users start without MySQL privileges. On every instance that holds
 * trees, a schema administrator account (`schemaAdmin`) gets the one database
 * role the Cloud SQL Admin API can assign on MySQL, `cloudsqlsuperuser`
 * (CloudSqlDatabaseRoles; provider 6.50 cannot); it is used only by the schema
 * jobs (workloads/TrillianSchema), which create Trillian's tables and GRANT
 * the log server and signer `SELECT, INSERT, UPDATE, DELETE` on `trillian.*`
 * alone. The provider deletes `root@%` right after creating an instance, so
 * no password-based administrator exists.
 *
 * The Trillian chart takes one `mysql.gcp.cloudsql.iamUsername` for both
 * deployments; the log signer, which runs as its own account, overrides it
 * with `logSigner.extraArgs: ["--mysql_uri=<signer user>@unix(...)/trillian?..."]`
 * (the last flag wins).
 */
export class TrillianDatabase extends Construct {
  /** The Trillian log server's service account. */
  readonly logServer: WorkloadIdentityServiceAccount;
  /** The Trillian log signer's service account. */
  readonly logSigner: WorkloadIdentityServiceAccount;
  /** The primary instance (Trillian's trees, and Rekor's search index). */
  readonly primary: TrillianMySqlInstance;
  /** Read replica of the primary, when `settings.readReplica`. */
  readonly replica?: TrillianMySqlInstance;
  /**
   * The schema administrator: `cloudsqlsuperuser` on every instance that holds
   * trees, used only by the schema jobs (Kubernetes service account
   * `trillian-schema` in Trillian's namespace), never by a serving workload.
   */
  readonly schemaAdmin: WorkloadIdentityServiceAccount;
  private readonly adminRoles = new Map<TrillianMySqlInstance, CloudSqlDatabaseRoles>();
  private readonly connection: ServiceNetworkingConnection;
  private readonly shardInstances = new Map<string, TrillianMySqlInstance>();
  private readonly userSecrets: { readonly logServer: SettingSecret; readonly logSigner: SettingSecret };

  constructor(scope: Construct, id: string, props: TrillianDatabaseProps) {
    super(scope, id);
    const { context, settings } = props;
    if (!props.workloadPool) throw new Error(`TrillianDatabase needs the cluster's workloadPool (${this.node.path})`);
    if (!props.network) throw new Error(`TrillianDatabase needs the VPC network (${this.node.path})`);
    settings.ctlogShards.forEach((shard, index) => {
      if (!/^[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?$/.test(shard)) {
        throw new Error(`CT log shard "${shard}" must be 1 to 20 lowercase letters, digits or hyphens (${this.node.path})`);
      }
      if (settings.ctlogShards.indexOf(shard) !== index) throw new Error(`CT log shard "${shard}" is listed twice (${this.node.path})`);
      // The replica's instance name is <prefix>-trillian-<region>-replica.
      if (shard === "replica") throw new Error(`CT log shard name "replica" is reserved for the read replica (${this.node.path})`);
    });
    const breakglass = settings.breakglassGroup;
    if (breakglass !== undefined && !/^group:[^\s@]+@[^\s@]+$/.test(breakglass)) {
      throw new Error(`breakglassGroup must be a group member such as "group:sre@example.com", got "${breakglass}" (${this.node.path})`);
    }

    // Private services access: Cloud SQL's private IPs come from a range
    // reserved in this region's VPC and peered to Google's service network.
    const range = new ComputeGlobalAddress(this, "psa-range", {
      project: context.project,
      name: context.names.of("sql-psa", context.region),
      purpose: "VPC_PEERING",
      addressType: "INTERNAL",
      prefixLength: 16,
      network: props.network,
    });
    this.connection = new ServiceNetworkingConnection(this, "psa-connection", {
      network: props.network,
      service: "servicenetworking.googleapis.com",
      reservedPeeringRanges: [range.name],
      // Removing the peering fails while any Cloud SQL instance still uses it
      // (deleted instances linger for days); on destroy Terraform forgets it
      // and it goes with the VPC.
      deletionPolicy: "ABANDON",
    });

    const k8s = trillianKubernetes();
    this.logServer = new WorkloadIdentityServiceAccount(this, "log-server", {
      project: context.project,
      accountId: context.names.serviceAccountId("logserver", context.region),
      displayName: `Trillian log server (${context.region})`,
      description: "Trillian log server: reads and writes Merkle trees in Cloud SQL",
      kubernetes: { workloadPool: props.workloadPool, namespace: k8s.namespace, serviceAccount: k8s.logServer },
    });
    this.logSigner = new WorkloadIdentityServiceAccount(this, "log-signer", {
      project: context.project,
      accountId: context.names.serviceAccountId("logsigner", context.region),
      displayName: `Trillian log signer (${context.region})`,
      description: "Trillian log signer: integrates queued entries into Merkle trees in Cloud SQL",
      kubernetes: { workloadPool: props.workloadPool, namespace: k8s.namespace, serviceAccount: k8s.logSigner },
    });
    this.schemaAdmin = new WorkloadIdentityServiceAccount(this, "schema-admin", {
      project: context.project,
      accountId: context.names.serviceAccountId("dbschema", context.region),
      displayName: `Trillian schema administrator (${context.region})`,
      description: "Creates Trillian's tables and grants the log server and signer their privileges (schema jobs only)",
      kubernetes: { workloadPool: props.workloadPool, namespace: k8s.namespace, serviceAccount: TRILLIAN_SCHEMA_KSA },
    });
    const accounts = [this.logServer, this.logSigner];
    // A shard's Trillian release runs as its own Kubernetes service accounts, as the same Google accounts.
    for (const shard of settings.ctlogShards) {
      const shardK8s = trillianKubernetes(shard);
      for (const [account, ksa] of [[this.logServer, shardK8s.logServer], [this.logSigner, shardK8s.logSigner]] as const) {
        new ServiceAccountIamMember(this, `${account.node.id}-workload-identity-${shard}`, {
          serviceAccountId: account.account.name,
          role: "roles/iam.workloadIdentityUser",
          member: `serviceAccount:${props.workloadPool}[${shardK8s.namespace}/${ksa}]`,
        });
      }
    }
    // Cloud SQL has no instance-level IAM: connecting (Auth Proxy) and logging in (IAM user) are project roles.
    for (const account of [...accounts, this.schemaAdmin]) {
      grantProjectRole(this, `${account.node.id}-cloudsql-client`, { project: context.project, role: "roles/cloudsql.client", grantee: account });
      grantProjectRole(this, `${account.node.id}-cloudsql-instance-user`, { project: context.project, role: "roles/cloudsql.instanceUser", grantee: account });
    }
    if (breakglass) {
      const group = { grantId: "breakglass", member: breakglass };
      grantProjectRole(this, "breakglass-cloudsql-client", { project: context.project, role: "roles/cloudsql.client", grantee: group });
      grantProjectRole(this, "breakglass-cloudsql-instance-user", { project: context.project, role: "roles/cloudsql.instanceUser", grantee: group });
    }

    const maintenanceWindow = props.maintenanceWindow ?? { day: 7, hour: 3 };
    const instanceProps = {
      context,
      network: props.network,
      settings,
      maintenanceWindow,
      dependsOn: [this.connection],
    };
    const hardenedPrimary = (instanceId: string, instanceName: string, requireConnectors: boolean): TrillianMySqlInstance => {
      const instance = new TrillianMySqlInstance(this, instanceId, { ...instanceProps, instanceName, requireConnectors });
      for (const account of accounts) {
        instance.addIamUser(account.node.id, account);
        instance.grantSettingsRead(account);
      }
      if (breakglass) instance.addIamGroup("breakglass", breakglass.slice("group:".length));
      const adminUser = instance.addIamUser("schema-admin", this.schemaAdmin);
      this.adminRoles.set(
        instance,
        new CloudSqlDatabaseRoles(instance, "schema-admin-roles", {
          project: context.project,
          instance: instance.instanceName,
          serviceAccountEmail: this.schemaAdmin.email,
          roles: ["cloudsqlsuperuser"],
          user: adminUser,
        }),
      );
      return instance;
    };

    const primaryName = context.names.of("trillian", context.region);
    this.primary = hardenedPrimary("primary", primaryName, !settings.readReplica);
    if (settings.readReplica) {
      this.replica = new TrillianMySqlInstance(this, "replica", {
        ...instanceProps,
        instanceName: context.names.of("trillian", context.region, "replica"),
        replicaOf: this.primary,
        requireConnectors: false,
      });
    }
    for (const shard of settings.ctlogShards) {
      this.shardInstances.set(shard, hardenedPrimary(`shard-${shard}`, context.names.of("trillian", context.region, shard), true));
    }

    // MySQL names an IAM service account user after the part of its email before "@", the account id.
    this.userSecrets = {
      logServer: new SettingSecret(this, "log-server-user", {
        context,
        secretId: `${primaryName}-log-server-user`,
        value: context.names.serviceAccountId("logserver", context.region),
      }),
      logSigner: new SettingSecret(this, "log-signer-user", {
        context,
        secretId: `${primaryName}-log-signer-user`,
        value: context.names.serviceAccountId("logsigner", context.region),
      }),
    };
    this.userSecrets.logServer.grantRead(this.logServer);
    this.userSecrets.logSigner.grantRead(this.logSigner);
  }

  /** Name of the primary instance. */
  get instanceName(): string {
    return this.primary.instanceName;
  }

  /** Connection name of the primary instance. */
  get connectionName(): string {
    return this.primary.connectionName;
  }

  /** The private services access connection, for resources that need private IPs in Google's service network. */
  get privateNetworkConnection(): ServiceNetworkingConnection {
    return this.connection;
  }

  /** The Trillian accounts (log server, log signer). */
  get trillianAccounts(): readonly Grantee[] {
    return [this.logServer, this.logSigner];
  }

  /** CT log shard instances by shard name, in configuration order. */
  get shards(): ReadonlyMap<string, TrillianMySqlInstance> {
    return this.shardInstances;
  }

  /** Every instance that holds Trillian trees: the primary and the shards (not the replica). */
  get instances(): readonly TrillianMySqlInstance[] {
    return [this.primary, ...this.shardInstances.values()];
  }

  /**
   * The instance new CT log trees go to: the last configured shard (shards
   * are added over time, e.g. one per year, and older ones stay readable), or
   * the primary when there are none.
   */
  get ctlogInstance(): TrillianMySqlInstance {
    return [...this.shardInstances.values()].pop() ?? this.primary;
  }

  /** The assignment of the schema administrator's database role on an instance that holds trees. */
  schemaAdminRoles(instance: TrillianMySqlInstance): CloudSqlDatabaseRoles {
    const roles = this.adminRoles.get(instance);
    if (!roles) throw new Error(`${this.node.path}: schemaAdminRoles needs one of this database's primary or shard instances`);
    return roles;
  }

  /** Name of a shard instance's shard, or undefined for the primary. */
  shardOf(instance: TrillianMySqlInstance): string | undefined {
    if (!this.instances.includes(instance)) throw new Error(`${this.node.path}: shardOf needs one of this database's primary or shard instances`);
    return [...this.shardInstances].find(([, i]) => i === instance)?.[0];
  }

  /** Secret holding the log server's MySQL user name. */
  get logServerUserSecretId(): string {
    return this.userSecrets.logServer.secretId;
  }

  /** Secret holding the log signer's MySQL user name. */
  get logSignerUserSecretId(): string {
    return this.userSecrets.logSigner.secretId;
  }

  /**
   * Adds an IAM database user for another service account (e.g. Rekor's
   * search index) on an instance, by default the primary. The account also
   * needs roles/cloudsql.client and roles/cloudsql.instanceUser
   * (`grantProjectRole`), which its own construct grants.
   */
  addIamUser(id: string, account: CloudSqlIamAccount, instance: TrillianMySqlInstance = this.primary): SqlUser {
    if (!this.instances.includes(instance)) throw new Error(`${this.node.path}: addIamUser needs one of this database's primary or shard instances`);
    return instance.addIamUser(id, account);
  }
}
