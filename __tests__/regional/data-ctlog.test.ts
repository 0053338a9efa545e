import { CtLog } from "../../lib/regional/ctlog";
import { TrillianDatabase } from "../../lib/regional/trillian-database";
import type { DatabaseSettings } from "../../lib/config/schema";
import { bodiesOf, synthConstruct, testContext, placementOf } from "../helpers/construct";
import { databaseSettings, keysOf, NETWORK, resolved, WORKLOAD_POOL } from "./data-helpers";
import { accountOf, resourceAt, target } from "./trust-helpers";

function synthCtLog(settings: Partial<DatabaseSettings> = {}, region = "us-east1"): { json: any; ctlog: CtLog; database: TrillianDatabase } {
  let ctlog!: CtLog;
  let database!: TrillianDatabase;
  const json = synthConstruct((scope) => {
    const context = testContext({ region });
    database = new TrillianDatabase(scope, "trillian-db", { context, settings: databaseSettings(settings), network: NETWORK, workloadPool: WORKLOAD_POOL });
    ctlog = new CtLog(scope, "ctlog", { ...placementOf(context), zones: context.zones, workloadPool: WORKLOAD_POOL, database });
  });
  return { json, ctlog, database };
}

const ctlogAccount = "sigstore-ctlog-use1";
const instanceNameOf = (json: any, ref: string): string => resourceAt(json, ref, "google_sql_database_instance", "name").name;

describe("CtLog: identity", () => {
  const { json } = synthCtLog();

  it("runs as its own account, bound to the chart's ctlog-system/ctlog and to the key loader's ctlog-system/ctlog-key-loader", () => {
    expect(bodiesOf(json, "google_service_account").find((a) => a.account_id === ctlogAccount)).toMatchObject({ display_name: "CT log (us-east1)" });
    const bindings = bodiesOf(json, "google_service_account_iam_member").filter(
      (b) => resourceAt(json, b.service_account_id, "google_service_account", "name").account_id === ctlogAccount,
    );
    expect(bindings.map((b) => [b.role, b.member]).sort()).toEqual([
      ["roles/iam.workloadIdentityUser", `serviceAccount:${WORKLOAD_POOL}[ctlog-system/ctlog-key-loader]`],
      ["roles/iam.workloadIdentityUser", `serviceAccount:${WORKLOAD_POOL}[ctlog-system/ctlog]`],
    ]);
  });

  it("gets no database user and no project role: the front end only talks to Trillian", () => {
    expect(bodiesOf(json, "google_project_iam_member").filter((g) => accountOf(json, g.member) === ctlogAccount)).toEqual([]);
    const users = bodiesOf(json, "google_sql_user").filter((u) => u.type === "CLOUD_IAM_SERVICE_ACCOUNT");
    expect(users.map((u) => accountOf(json, `serviceAccount:${u.name}`))).not.toContain(ctlogAccount);
  });
});

describe.each([
  ["private key", "sigstore-ctlog-us-east1-private-key", (c: CtLog) => c.privateKeySecretId],
  ["private key's passphrase", "sigstore-ctlog-us-east1-private-key-passphrase", (c: CtLog) => c.privateKeyPassphraseSecretId],
])("CtLog: %s", (_name, secretId, idOf) => {
  const { json, ctlog } = synthCtLog();
  const secret = bodiesOf(json, "google_secret_manager_secret").find((s) => s.secret_id === secretId);

  it("is a secret kept in the region, protected from deletion twice over", () => {
    expect(secret).toMatchObject({
      project: "sigstore-test",
      replication: { user_managed: { replicas: [{ location: "us-east1" }] } },
      deletion_protection: true,
      version_destroy_ttl: "2592000s",
      lifecycle: { prevent_destroy: true },
    });
    expect(resourceAt(json, resolved(ctlog, idOf(ctlog)), "google_secret_manager_secret", "id")).toBe(secret);
    expect([ctlog.keySecretNames.privateKey, ctlog.keySecretNames.passphrase]).toContain(secretId);
  });

  it("is created empty, so the key never passes through Terraform state", () => {
    for (const version of bodiesOf(json, "google_secret_manager_secret_version")) {
      expect(resourceAt(json, version.secret, "google_secret_manager_secret", "id").secret_id).not.toBe(secret.secret_id);
    }
    expect(keysOf(json).filter((k) => /password/i.test(k))).toEqual([]);
  });

  it("is readable by the CT log's account alone, granted on the secret", () => {
    const grants = bodiesOf(json, "google_secret_manager_secret_iam_member").filter(
      (g) => resourceAt(json, g.secret_id, "google_secret_manager_secret", "id") === secret,
    );
    expect(grants).toHaveLength(1);
    expect(grants[0].role).toBe("roles/secretmanager.secretAccessor");
    expect(accountOf(json, grants[0].member)).toBe(ctlogAccount);
    // Every secret grant of the stack names one secret.
    for (const g of bodiesOf(json, "google_secret_manager_secret_iam_member")) target(json, g.secret_id, "google_secret_manager_secret", "id");
    expect(json.resource.google_secret_manager_secret_iam_binding).toBeUndefined();
    expect(json.resource.google_secret_manager_secret_iam_policy).toBeUndefined();
  });

  it("uses no KMS key: ct_server cannot sign with Cloud KMS", () => {
    expect(json.resource.google_kms_crypto_key).toBeUndefined();
  });
});

describe("CtLog: trees in Trillian", () => {
  it("puts the trees on the primary without shards", () => {
    const { json, ctlog, database } = synthCtLog();
    expect(ctlog.treeInstance).toBe(database.primary);
    expect(instanceNameOf(json, resolved(ctlog, ctlog.treeInstance.instanceName))).toBe("sigstore-trillian-us-east1");
    expect(resolved(ctlog, ctlog.treeConnectionName)).toMatch(/^\$\{google_sql_database_instance\.[^.]+\.connection_name\}$/);
  });

  it("puts the trees on the newest shard, where Trillian's accounts have IAM users and the breakglass group too", () => {
    const { json, ctlog } = synthCtLog({ ctlogShards: ["2025", "2026"], breakglassGroup: "group:sre@example.com" });
    const treeInstance = instanceNameOf(json, resolved(ctlog, ctlog.treeInstance.instanceName));
    expect(treeInstance).toBe("sigstore-trillian-us-east1-2026");
    expect(resolved(ctlog, ctlog.treeConnectionName)).toBe(resolved(ctlog, ctlog.treeInstance.connectionName));
    const users = bodiesOf(json, "google_sql_user")
      .filter((u) => instanceNameOf(json, u.instance) === treeInstance)
      .map((u) => (u.type === "CLOUD_IAM_GROUP" ? u.name : accountOf(json, `serviceAccount:${u.name}`)))
      .sort();
    expect(users).toEqual(["sigstore-dbschema-use1", "sigstore-logserver-use1", "sigstore-logsigner-use1", "sre@example.com"]);
    const shard = bodiesOf(json, "google_sql_database_instance").find((i) => i.name === treeInstance);
    expect(shard.settings.ip_configuration).toMatchObject({ ipv4_enabled: false, ssl_mode: "ENCRYPTED_ONLY" });
    expect(shard.settings.backup_configuration).toMatchObject({ enabled: true, binary_log_enabled: true });
  });

  it("names its secret after the region, so regions never collide", () => {
    const json = synthConstruct((scope) => {
      for (const region of ["us-east1", "europe-west1"]) {
        const context = testContext({ region });
        const database = new TrillianDatabase(scope, `db-${region}`, { context, settings: databaseSettings(), network: NETWORK, workloadPool: WORKLOAD_POOL });
        new CtLog(scope, `ctlog-${region}`, { ...placementOf(context), zones: context.zones, workloadPool: WORKLOAD_POOL, database });
      }
    });
    const keys = bodiesOf(json, "google_secret_manager_secret").map((s) => s.secret_id).filter((id) => id.includes("ctlog"));
    expect(keys.sort()).toEqual([
      "sigstore-ctlog-europe-west1-private-key",
      "sigstore-ctlog-europe-west1-private-key-passphrase",
      "sigstore-ctlog-us-east1-private-key",
      "sigstore-ctlog-us-east1-private-key-passphrase",
    ]);
    const accounts = bodiesOf(json, "google_service_account").map((a) => a.account_id).filter((id) => id.includes("ctlog"));
    expect(accounts.sort()).toEqual(["sigstore-ctlog-euw1", "sigstore-ctlog-use1"]);
  });

  it("refuses a missing workload pool", () => {
    expect(() =>
      synthConstruct((scope) => {
        const context = testContext();
        const database = new TrillianDatabase(scope, "db", { context, settings: databaseSettings(), network: NETWORK, workloadPool: WORKLOAD_POOL });
        new CtLog(scope, "ctlog", { ...placementOf(context), zones: context.zones, workloadPool: "", database });
      }),
    ).toThrow(/CtLog needs the cluster's workloadPool/);
  });
});
