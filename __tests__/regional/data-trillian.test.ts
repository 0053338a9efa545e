import { TrillianDatabase, TrillianMySqlInstance, trillianKubernetes } from "../../lib/regional/trillian-database";
import { bodiesOf, entriesOf, synthConstruct, testContext } from "../helpers/construct";
import { databaseSettings, keysOf, NETWORK, resolved, WORKLOAD_POOL } from "./data-helpers";
import { accountOf, resourceAt, target } from "./trust-helpers";
import type { DatabaseSettings } from "../../lib/config/schema";
import { REVIEWED_PROJECT_ROLES } from "../helpers/roles";

function synthDatabase(settings: Partial<DatabaseSettings> = {}, region = "us-east1"): { json: any; database: TrillianDatabase } {
  let database!: TrillianDatabase;
  const json = synthConstruct((scope) => {
    database = new TrillianDatabase(scope, "trillian-db", {
      context: testContext({ region }),
      settings: databaseSettings(settings),
      network: NETWORK,
      workloadPool: WORKLOAD_POOL,
    });
  });
  return { json, database };
}

/** Name of the instance a `${google_sql_database_instance.x.name}` reference points at. */
const instanceNameOf = (json: any, ref: string): string => resourceAt(json, ref, "google_sql_database_instance", "name").name;
const instancesOf = (json: any): any[] => bodiesOf(json, "google_sql_database_instance");
const primariesOf = (json: any): any[] => instancesOf(json).filter((i) => i.master_instance_name === undefined);

const FULL = { readReplica: true, ctlogShards: ["2025", "2026"], breakglassGroup: "group:sre@example.com" };

describe("TrillianDatabase: private services access", () => {
  const { json } = synthDatabase();

  it("reserves a /16 for VPC peering on the region's network and connects it to Google's service network", () => {
    const [address] = bodiesOf(json, "google_compute_global_address");
    expect(address).toEqual({
      project: "sigstore-test",
      name: "sigstore-sql-psa-us-east1",
      purpose: "VPC_PEERING",
      address_type: "INTERNAL",
      prefix_length: 16,
      network: NETWORK,
    });
    const [connection] = bodiesOf(json, "google_service_networking_connection");
    expect(connection).toMatchObject({ network: NETWORK, service: "servicenetworking.googleapis.com", deletion_policy: "ABANDON" });
    expect(connection.reserved_peering_ranges).toHaveLength(1);
    target(json, connection.reserved_peering_ranges[0], "google_compute_global_address", "name");
  });

  it("creates no instance before the peering exists", () => {
    const [connectionId] = entriesOf(json, "google_service_networking_connection")[0];
    for (const instance of instancesOf(json)) expect(instance.depends_on).toEqual([`google_service_networking_connection.${connectionId}`]);
  });
});

describe("TrillianDatabase: the primary instance", () => {
  const { json } = synthDatabase();
  const [instance] = instancesOf(json);

  it("is MySQL 8.0 in the region, named after the region", () => {
    expect(instancesOf(json)).toHaveLength(1);
    expect(instance).toMatchObject({ name: "sigstore-trillian-us-east1", region: "us-east1", database_version: "MYSQL_8_0", project: "sigstore-test" });
    expect(instance.settings).toMatchObject({ tier: "db-custom-2-7680", edition: "ENTERPRISE", disk_size: 50, disk_type: "PD_SSD" });
  });

  it("has a private IP only and accepts encrypted connections only", () => {
    expect(instance.settings.ip_configuration).toEqual({ ipv4_enabled: false, private_network: NETWORK, ssl_mode: "ENCRYPTED_ONLY" });
    expect(instance.settings.ip_configuration.authorized_networks).toBeUndefined();
  });

  it("requires Cloud SQL connectors when it has no read replica", () => {
    expect(instance.settings.connector_enforcement).toBe("REQUIRED");
  });

  it("takes automated backups with binary logs for point-in-time recovery, with the configured retention", () => {
    expect(instance.settings.backup_configuration).toEqual({
      enabled: true,
      binary_log_enabled: true,
      transaction_log_retention_days: 7,
      backup_retention_settings: { retained_backups: 30, retention_unit: "COUNT" },
    });
    expect(instance.settings.retain_backups_on_delete).toBe(true);
  });

  it("is protected from deletion in Terraform, in the API and by prevent_destroy", () => {
    expect(instance.deletion_protection).toBe(true);
    expect(instance.settings.deletion_protection_enabled).toBe(true);
    expect(instance.lifecycle.prevent_destroy).toBe(true);
  });

  it("turns on IAM database authentication and keeps local_infile off", () => {
    expect(instance.settings.database_flags).toEqual([
      { name: "cloudsql_iam_authentication", value: "on" },
      { name: "local_infile", value: "off" },
    ]);
  });

  it("records query insights without client addresses, has a maintenance window, and grows its disk without Terraform shrinking it", () => {
    expect(instance.settings.insights_config).toEqual({ query_insights_enabled: true, query_string_length: 1024, record_application_tags: false, record_client_address: false });
    expect(instance.settings.maintenance_window).toEqual({ day: 7, hour: 3, update_track: "stable" });
    expect(instance.settings.disk_autoresize).toBe(true);
    expect(instance.lifecycle.ignore_changes).toEqual(["settings[0].disk_size"]);
  });

  it("is regional (two zones) with high availability, zonal without", () => {
    expect(instance.settings.availability_type).toBe("REGIONAL");
    const [zonal] = instancesOf(synthDatabase({ highAvailability: false }).json);
    expect(zonal.settings.availability_type).toBe("ZONAL");
  });

  it("follows the backup settings", () => {
    const [other] = instancesOf(synthDatabase({ backupRetentionCount: 14, transactionLogRetentionDays: 3, tier: "db-custom-4-15360", diskSizeGb: 100 }).json);
    expect(other.settings.backup_configuration).toMatchObject({ transaction_log_retention_days: 3, backup_retention_settings: { retained_backups: 14 } });
    expect(other.settings).toMatchObject({ tier: "db-custom-4-15360", disk_size: 100 });
  });

  it("holds the protected trillian database", () => {
    const [database] = bodiesOf(json, "google_sql_database");
    expect(database).toMatchObject({ name: "trillian", project: "sigstore-test", lifecycle: { prevent_destroy: true } });
    expect(instanceNameOf(json, database.instance)).toBe("sigstore-trillian-us-east1");
  });

  it("accepts another maintenance window and refuses an impossible one", () => {
    const json2 = synthConstruct((scope) => {
      new TrillianDatabase(scope, "db", { context: testContext(), settings: databaseSettings(), network: NETWORK, workloadPool: WORKLOAD_POOL, maintenanceWindow: { day: 2, hour: 22 } });
    });
    expect(instancesOf(json2)[0].settings.maintenance_window).toMatchObject({ day: 2, hour: 22 });
    expect(() =>
      synthConstruct((scope) => {
        new TrillianDatabase(scope, "db", { context: testContext(), settings: databaseSettings(), network: NETWORK, workloadPool: WORKLOAD_POOL, maintenanceWindow: { day: 0, hour: 24 } });
      }),
    ).toThrow(/maintenance window needs day 1 to 7 and hour 0 to 23/);
  });
});

describe("TrillianDatabase: Trillian's identities and database users", () => {
  const { json } = synthDatabase({ ctlogShards: ["2026"], breakglassGroup: "group:sre@example.com" });

  it("creates a log server and a log signer account bound to the Trillian chart's service accounts, and a schema administrator bound to the schema jobs' account", () => {
    expect(bodiesOf(json, "google_service_account").map((a) => a.account_id).sort()).toEqual(["sigstore-dbschema-use1", "sigstore-logserver-use1", "sigstore-logsigner-use1"]);
    const bindings = bodiesOf(json, "google_service_account_iam_member");
    for (const b of bindings) expect(b.role).toBe("roles/iam.workloadIdentityUser");
    const byAccount = (accountId: string) =>
      bindings.filter((b) => resourceAt(json, b.service_account_id, "google_service_account", "name").account_id === accountId).map((b) => b.member).sort();
    expect(byAccount("sigstore-logserver-use1")).toEqual([
      `serviceAccount:${WORKLOAD_POOL}[trillian-system/trillian-logserver-2026]`,
      `serviceAccount:${WORKLOAD_POOL}[trillian-system/trillian-logserver]`,
    ]);
    expect(byAccount("sigstore-logsigner-use1")).toEqual([
      `serviceAccount:${WORKLOAD_POOL}[trillian-system/trillian-logsigner-2026]`,
      `serviceAccount:${WORKLOAD_POOL}[trillian-system/trillian-logsigner]`,
    ]);
    // One Kubernetes account for the schema jobs of every instance; no serving workload runs as it.
    expect(byAccount("sigstore-dbschema-use1")).toEqual([`serviceAccount:${WORKLOAD_POOL}[trillian-system/trillian-schema]`]);
    expect(trillianKubernetes("2026")).toEqual({ namespace: "trillian-system", logServer: "trillian-logserver-2026", logSigner: "trillian-logsigner-2026" });
    expect(json.resource.google_service_account_key).toBeUndefined();
  });

  it("grants Cloud SQL client and instance user at project level (no instance IAM exists), and nothing else there", () => {
    const grants = bodiesOf(json, "google_project_iam_member");
    for (const g of grants) expect([...REVIEWED_PROJECT_ROLES]).toContain(g.role);
    const who = (member: string) => (member.startsWith("group:") ? member : accountOf(json, member));
    const rolesOf = (principal: string) => grants.filter((g) => who(g.member) === principal).map((g) => g.role).sort();
    expect(rolesOf("sigstore-logserver-use1")).toEqual(["roles/cloudsql.client", "roles/cloudsql.instanceUser"]);
    expect(rolesOf("sigstore-logsigner-use1")).toEqual(["roles/cloudsql.client", "roles/cloudsql.instanceUser"]);
    expect(rolesOf("group:sre@example.com")).toEqual(["roles/cloudsql.client", "roles/cloudsql.instanceUser"]);
    expect(rolesOf("sigstore-dbschema-use1")).toEqual(["roles/cloudsql.client", "roles/cloudsql.instanceUser"]);
    expect(grants).toHaveLength(8);
    expect(grants.every((g) => g.project === "sigstore-test" && !g.condition)).toBe(true);
  });

  it("adds IAM users for both Trillian accounts, the schema administrator and the breakglass group on the primary and every shard, with no password", () => {
    const users = bodiesOf(json, "google_sql_user");
    const onInstance = (name: string) =>
      users
        .filter((u) => instanceNameOf(json, u.instance) === name)
        .map((u) => `${u.type} ${u.type === "CLOUD_IAM_GROUP" ? u.name : accountOf(json, `serviceAccount:${u.name}`)}`)
        .sort();
    const expected = [
      "CLOUD_IAM_GROUP sre@example.com",
      "CLOUD_IAM_SERVICE_ACCOUNT sigstore-dbschema-use1",
      "CLOUD_IAM_SERVICE_ACCOUNT sigstore-logserver-use1",
      "CLOUD_IAM_SERVICE_ACCOUNT sigstore-logsigner-use1",
    ];
    expect(onInstance("sigstore-trillian-us-east1")).toEqual(expected);
    expect(onInstance("sigstore-trillian-us-east1-2026")).toEqual(expected);
    expect(users).toHaveLength(8);
    for (const u of users) {
      expect(Object.keys(u).sort()).toEqual(["instance", "name", "project", "type"]);
    }
  });

  it("adds no breakglass user or grant without a breakglass group", () => {
    const plain = synthDatabase().json;
    expect(bodiesOf(plain, "google_sql_user").map((u) => u.type)).toEqual(["CLOUD_IAM_SERVICE_ACCOUNT", "CLOUD_IAM_SERVICE_ACCOUNT", "CLOUD_IAM_SERVICE_ACCOUNT"]);
    expect(bodiesOf(plain, "google_project_iam_member").filter((g) => g.member.startsWith("group:"))).toEqual([]);
  });
});

describe("TrillianDatabase: no passwords", () => {
  const { json } = synthDatabase(FULL);

  it("has no password attribute anywhere, no generated names and no data sources", () => {
    expect(keysOf(json).filter((k) => /password/i.test(k))).toEqual([]);
    expect(json.resource.random_id).toBeUndefined();
    expect(json.resource.random_password).toBeUndefined();
    expect(json.data).toBeUndefined();
    expect(json.output).toBeUndefined();
    for (const user of bodiesOf(json, "google_sql_user")) expect(["CLOUD_IAM_SERVICE_ACCOUNT", "CLOUD_IAM_GROUP"]).toContain(user.type);
  });
});

describe("TrillianDatabase: connection settings in Secret Manager", () => {
  const { json, database } = synthDatabase({ ctlogShards: ["2026"] });
  const secrets = entriesOf(json, "google_secret_manager_secret");
  const versions = bodiesOf(json, "google_secret_manager_secret_version");
  const accessors = bodiesOf(json, "google_secret_manager_secret_iam_member");
  const secretIdOf = (ref: string) => resourceAt(json, ref, "google_secret_manager_secret", "id").secret_id;

  it("holds each instance's connection name and database name, and each account's MySQL user name, in the region", () => {
    const values = Object.fromEntries(versions.map((v) => [secretIdOf(v.secret), v.secret_data]));
    expect(Object.keys(values).sort()).toEqual([
      "sigstore-trillian-us-east1-2026-connection-name",
      "sigstore-trillian-us-east1-2026-database",
      "sigstore-trillian-us-east1-connection-name",
      "sigstore-trillian-us-east1-database",
      "sigstore-trillian-us-east1-log-server-user",
      "sigstore-trillian-us-east1-log-signer-user",
    ]);
    expect(instanceNameOf(json, values["sigstore-trillian-us-east1-connection-name"].replace(".connection_name}", ".name}"))).toBe("sigstore-trillian-us-east1");
    expect(instanceNameOf(json, values["sigstore-trillian-us-east1-2026-connection-name"].replace(".connection_name}", ".name}"))).toBe("sigstore-trillian-us-east1-2026");
    expect(resourceAt(json, values["sigstore-trillian-us-east1-database"], "google_sql_database", "name").name).toBe("trillian");
    // MySQL names an IAM service account user after the account id.
    expect(values["sigstore-trillian-us-east1-log-server-user"]).toBe("sigstore-logserver-use1");
    expect(values["sigstore-trillian-us-east1-log-signer-user"]).toBe("sigstore-logsigner-use1");
    for (const [, secret] of secrets) expect(secret.replication).toEqual({ user_managed: { replicas: [{ location: "us-east1" }] } });
  });

  it("grants access per secret, only to the accounts that read it", () => {
    expect(json.resource.google_secret_manager_secret_iam_binding).toBeUndefined();
    expect(json.resource.google_secret_manager_secret_iam_policy).toBeUndefined();
    const readers = new Map<string, string[]>();
    for (const a of accessors) {
      expect(a.role).toBe("roles/secretmanager.secretAccessor");
      const id = secretIdOf(a.secret_id);
      readers.set(id, [...(readers.get(id) ?? []), accountOf(json, a.member)].sort());
    }
    const both = ["sigstore-logserver-use1", "sigstore-logsigner-use1"];
    expect(Object.fromEntries(readers)).toEqual({
      "sigstore-trillian-us-east1-2026-connection-name": both,
      "sigstore-trillian-us-east1-2026-database": both,
      "sigstore-trillian-us-east1-connection-name": both,
      "sigstore-trillian-us-east1-database": both,
      "sigstore-trillian-us-east1-log-server-user": ["sigstore-logserver-use1"],
      "sigstore-trillian-us-east1-log-signer-user": ["sigstore-logsigner-use1"],
    });
  });

  it("exposes the secret ids", () => {
    const idOf = (ref: string) => secretIdOf(resolved(database, ref));
    expect(idOf(database.primary.connectionNameSecretId)).toBe("sigstore-trillian-us-east1-connection-name");
    expect(idOf(database.primary.databaseNameSecretId)).toBe("sigstore-trillian-us-east1-database");
    expect(idOf(database.shards.get("2026")!.connectionNameSecretId)).toBe("sigstore-trillian-us-east1-2026-connection-name");
    expect(idOf(database.logServerUserSecretId)).toBe("sigstore-trillian-us-east1-log-server-user");
    expect(idOf(database.logSignerUserSecretId)).toBe("sigstore-trillian-us-east1-log-signer-user");
  });
});

describe("TrillianDatabase: read replica and CT log shards", () => {
  const { json, database } = synthDatabase(FULL);
  const instances = instancesOf(json);

  it("creates the primary, one instance per shard and the replica, all named after the region", () => {
    expect(instances.map((i) => i.name).sort()).toEqual([
      "sigstore-trillian-us-east1",
      "sigstore-trillian-us-east1-2025",
      "sigstore-trillian-us-east1-2026",
      "sigstore-trillian-us-east1-replica",
    ]);
  });

  it("hardens every instance the same way", () => {
    for (const instance of instances) {
      expect(instance.database_version).toBe("MYSQL_8_0");
      expect(instance.settings.ip_configuration).toEqual({ ipv4_enabled: false, private_network: NETWORK, ssl_mode: "ENCRYPTED_ONLY" });
      expect(instance.settings.database_flags).toContainEqual({ name: "cloudsql_iam_authentication", value: "on" });
      expect(instance.deletion_protection).toBe(true);
      expect(instance.settings.deletion_protection_enabled).toBe(true);
      expect(instance.lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ["settings[0].disk_size"] });
      expect(instance.settings.insights_config.query_insights_enabled).toBe(true);
      expect(instance.settings.maintenance_window).toMatchObject({ day: 7, hour: 3 });
      expect(instance.settings.disk_autoresize).toBe(true);
      expect(instance.settings.retain_backups_on_delete).toBe(true);
    }
  });

  it("backs up every primary and shard with binary logs, and HA per setting", () => {
    const primaries = primariesOf(json);
    expect(primaries).toHaveLength(3);
    for (const instance of primaries) {
      expect(instance.settings.backup_configuration).toMatchObject({ enabled: true, binary_log_enabled: true, transaction_log_retention_days: 7 });
      expect(instance.settings.availability_type).toBe("REGIONAL");
    }
  });

  it("replicates the primary into a zonal read replica that is never a failover target, with no users of its own", () => {
    const replica = instances.find((i) => i.master_instance_name !== undefined)!;
    expect(instanceNameOf(json, replica.master_instance_name)).toBe("sigstore-trillian-us-east1");
    expect(replica.replica_configuration).toEqual({ failover_target: false });
    expect(replica.settings.availability_type).toBe("ZONAL");
    // Cloud SQL takes no backups of replicas, and refuses connector enforcement next to one.
    expect(replica.settings.backup_configuration).toBeUndefined();
    const users = bodiesOf(json, "google_sql_user").map((u) => instanceNameOf(json, u.instance));
    expect(users).not.toContain("sigstore-trillian-us-east1-replica");
    expect(bodiesOf(json, "google_sql_database").map((d) => instanceNameOf(json, d.instance))).not.toContain("sigstore-trillian-us-east1-replica");
    expect(resolved(database, database.replica!.connectionName)).toMatch(/^\$\{google_sql_database_instance\..*\.connection_name\}$/);
    expect(() => database.replica!.addIamUser("x", { email: "x@p.iam.gserviceaccount.com" })).toThrow(/not available on a read replica/);
    expect(() => database.replica!.databaseName).toThrow(/not available on a read replica/);
    expect(() =>
      new TrillianMySqlInstance(database, "cascade", {
        context: testContext(),
        instanceName: "sigstore-trillian-us-east1-cascade",
        network: NETWORK,
        settings: databaseSettings(),
        maintenanceWindow: { day: 7, hour: 3 },
        dependsOn: [],
        replicaOf: database.replica,
        requireConnectors: false,
      }),
    ).toThrow(/must replicate a primary instance, not another replica/);
  });

  it("gives every shard its own protected trillian database", () => {
    const databases = bodiesOf(json, "google_sql_database");
    expect(databases.map((d) => `${instanceNameOf(json, d.instance)}/${d.name}`).sort()).toEqual([
      "sigstore-trillian-us-east1-2025/trillian",
      "sigstore-trillian-us-east1-2026/trillian",
      "sigstore-trillian-us-east1/trillian",
    ]);
    for (const d of databases) expect(d.lifecycle).toEqual({ prevent_destroy: true });
  });

  it("sends CT log trees to the newest shard, or to the primary without shards", () => {
    expect(database.ctlogInstance).toBe(database.shards.get("2026"));
    expect([...database.shards.keys()]).toEqual(["2025", "2026"]);
    expect(database.instances).toEqual([database.primary, database.shards.get("2025"), database.shards.get("2026")]);
    const plain = synthDatabase().database;
    expect(plain.ctlogInstance).toBe(plain.primary);
    expect(plain.replica).toBeUndefined();
    expect(plain.shards.size).toBe(0);
  });

  it("keeps connector enforcement on the primary only without a replica", () => {
    const enforcement = Object.fromEntries(instances.map((i) => [i.name, i.settings.connector_enforcement]));
    expect(enforcement).toEqual({
      "sigstore-trillian-us-east1": "NOT_REQUIRED",
      "sigstore-trillian-us-east1-replica": "NOT_REQUIRED",
      "sigstore-trillian-us-east1-2025": "REQUIRED",
      "sigstore-trillian-us-east1-2026": "REQUIRED",
    });
  });
});

describe("TrillianDatabase: public surface", () => {
  const { json, database } = synthDatabase({ ctlogShards: ["2026"] });

  it("exposes the primary's name and connection name, the peering connection and the Trillian accounts as references", () => {
    expect(instanceNameOf(json, resolved(database, database.instanceName))).toBe("sigstore-trillian-us-east1");
    expect(resolved(database, database.connectionName)).toMatch(/^\$\{google_sql_database_instance\..*\.connection_name\}$/);
    expect(instanceNameOf(json, resolved(database, database.ctlogInstance.instanceName))).toBe("sigstore-trillian-us-east1-2026");
    expect(database.privateNetworkConnection.terraformResourceType).toBe("google_service_networking_connection");
    // Grant ids: the construct path below the stack.
    expect(database.trillianAccounts.map((a) => a.grantId)).toEqual(["trillian-db-log-server", "trillian-db-log-signer"]);
  });

  it("adds an IAM user for another account on a given instance, and only on its own instances", () => {
    const other = synthConstruct((scope) => {
      const db = new TrillianDatabase(scope, "trillian-db", { context: testContext(), settings: databaseSettings({ ctlogShards: ["2026"] }), network: NETWORK, workloadPool: WORKLOAD_POOL });
      db.addIamUser("rekor", { email: "rekor@sigstore-test.iam.gserviceaccount.com" });
      db.addIamUser("auditor", { email: "auditor@sigstore-test.iam.gserviceaccount.com" }, db.shards.get("2026"));
      const foreign = new TrillianDatabase(scope, "foreign", { context: testContext({ region: "europe-west1" }), settings: databaseSettings(), network: NETWORK, workloadPool: WORKLOAD_POOL });
      expect(() => db.addIamUser("x", { email: "x@p" }, foreign.primary)).toThrow(/one of this database's primary or shard instances/);
    });
    const users = bodiesOf(other, "google_sql_user").filter((u) => !u.name.startsWith("${"));
    expect(users.map((u) => `${instanceNameOf(other, u.instance)} ${u.name} ${u.type}`).sort()).toEqual([
      "sigstore-trillian-us-east1 rekor@sigstore-test.iam.gserviceaccount.com CLOUD_IAM_SERVICE_ACCOUNT",
      "sigstore-trillian-us-east1-2026 auditor@sigstore-test.iam.gserviceaccount.com CLOUD_IAM_SERVICE_ACCOUNT",
    ]);
  });
});

describe("TrillianDatabase: two regions", () => {
  it("never collide on GCP names", () => {
    const json = synthConstruct((scope) => {
      for (const region of ["us-east1", "europe-west1"]) {
        new TrillianDatabase(scope, `db-${region}`, { context: testContext({ region }), settings: databaseSettings(FULL), network: NETWORK, workloadPool: WORKLOAD_POOL });
      }
    });
    const names = [
      ...instancesOf(json).map((i) => i.name),
      ...bodiesOf(json, "google_secret_manager_secret").map((s) => s.secret_id),
      ...bodiesOf(json, "google_service_account").map((a) => a.account_id),
      ...bodiesOf(json, "google_compute_global_address").map((a) => a.name),
    ];
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/us-east1|use1|europe-west1|euw1/);
  });
});

describe("TrillianDatabase: bad props", () => {
  const build = (settings: Partial<DatabaseSettings>, extra: { workloadPool?: string; network?: string } = {}) => () =>
    synthConstruct((scope) => {
      new TrillianDatabase(scope, "db", { context: testContext(), settings: databaseSettings(settings), network: extra.network ?? NETWORK, workloadPool: extra.workloadPool ?? WORKLOAD_POOL });
    });

  it("refuses duplicate, malformed or reserved shard names", () => {
    expect(build({ ctlogShards: ["2026", "2026"] })).toThrow(/CT log shard "2026" is listed twice/);
    expect(build({ ctlogShards: ["Shard_1"] })).toThrow(/CT log shard "Shard_1" must be 1 to 20 lowercase/);
    expect(build({ ctlogShards: ["replica"], readReplica: true })).toThrow(/"replica" is reserved for the read replica/);
  });

  it("refuses a breakglass member that is not a group, and a missing workload pool or network", () => {
    expect(build({ breakglassGroup: "user:me@example.com" })).toThrow(/breakglassGroup must be a group member/);
    expect(build({}, { workloadPool: "" })).toThrow(/needs the cluster's workloadPool/);
    expect(build({}, { network: "" })).toThrow(/needs the VPC network/);
  });
});
