import { Testing } from "cdktf";
import { Construct } from "constructs";
import { CtLog } from "../../lib/regional/ctlog";
import { Rekor } from "../../lib/regional/rekor";
import { TrillianDatabase } from "../../lib/regional/trillian-database";
import { SigstoreStack } from "../../lib/shared/sigstore-stack";
import { bodiesOf, testContext, placementOf, testApp } from "../helpers/construct";
import { databaseSettings, keysOf, NETWORK, WORKLOAD_POOL } from "./data-helpers";
import { target } from "./trust-helpers";
import { REVIEWED_PROJECT_ROLES } from "../helpers/roles";

// The whole data layer of one region with every switch on, in a Sigstore stack.
class Stack extends SigstoreStack {
  constructor(scope: Construct) {
    super(scope, "regional-us-east1", { projectId: "sigstore-test", region: "us-east1", backend: { type: "local", directory: "." }, labels: {} });
    const context = testContext();
    const database = new TrillianDatabase(this, "trillian-db", {
      context,
      settings: databaseSettings({ readReplica: true, ctlogShards: ["2026"], breakglassGroup: "group:sre@example.com" }),
      network: NETWORK,
      workloadPool: WORKLOAD_POOL,
    });
    new Rekor(this, "rekor", { ...placementOf(context), workloadPool: WORKLOAD_POOL, database, profiler: true });
    new CtLog(this, "ctlog", { ...placementOf(context), zones: context.zones, workloadPool: WORKLOAD_POOL, database });
  }
}
const json = JSON.parse(Testing.synth(new Stack(testApp())));

/** Bodies of a type, asserting there are some: a check that walks nothing would pass. */
function found(type: string): any[] {
  const bodies = bodiesOf(json, type);
  expect([type, bodies.length > 0]).toEqual([type, true]);
  return bodies;
}

/** Where each kind of grant must point: the resource itself. */
const GRANT_TARGETS: { [type: string]: [attribute: string, targetType: string, targetAttribute: string] } = {
  google_kms_crypto_key_iam_member: ["crypto_key_id", "google_kms_crypto_key", "id"],
  google_storage_bucket_iam_member: ["bucket", "google_storage_bucket", "name"],
  google_secret_manager_secret_iam_member: ["secret_id", "google_secret_manager_secret", "id"],
  google_pubsub_topic_iam_member: ["topic", "google_pubsub_topic", "name"],
  google_service_account_iam_member: ["service_account_id", "google_service_account", "name"],
};

describe("data layer security properties", () => {
  it("grants IAM on keys, buckets, secrets, topics and service accounts as members, and at project level only project-only roles", () => {
    const iamTypes = Object.keys(json.resource).filter((type) => /_iam_(member|binding|policy)$/.test(type));
    expect(iamTypes.sort()).toEqual([...Object.keys(GRANT_TARGETS), "google_project_iam_member"].sort());
    for (const [type, [attribute, targetType, targetAttribute]] of Object.entries(GRANT_TARGETS)) {
      for (const grant of found(type)) target(json, grant[attribute], targetType, targetAttribute);
    }
    const projectRoles = bodiesOf(json, "google_project_iam_member").map((g) => g.role);
    expect(projectRoles.length).toBeGreaterThan(0);
    for (const role of projectRoles) expect([...REVIEWED_PROJECT_ROLES]).toContain(role);
    for (const binding of found("google_service_account_iam_member")) expect(binding.role).toBe("roles/iam.workloadIdentityUser");
  });

  it("has no password, no service account key and no public IP", () => {
    expect(keysOf(json.resource).filter((k) => /password/i.test(k))).toEqual([]);
    expect(json.resource.google_service_account_key).toBeUndefined();
    for (const instance of found("google_sql_database_instance")) expect(instance.settings.ip_configuration.ipv4_enabled).toBe(false);
    for (const bucket of found("google_storage_bucket")) expect(bucket.public_access_prevention).toBe("enforced");
  });

  it("protects every stateful resource from destroy", () => {
    for (const type of ["google_sql_database_instance", "google_sql_database", "google_kms_crypto_key", "google_kms_key_ring", "google_storage_bucket"]) {
      for (const body of found(type)) expect(body.lifecycle?.prevent_destroy).toBe(true);
    }
  });

  it("has short, stable logical ids, the construct path joined with underscores", () => {
    const addresses = Object.entries(json.resource as { [type: string]: object }).flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`));
    expect(addresses.sort()).toEqual([
      "google_compute_global_address.trillian_db_psa_range",
      "google_kms_crypto_key.rekor_keys_signing_key",
      "google_kms_crypto_key_iam_member.rekor_keys_signing_signer_verifier_rekor_server",
      "google_kms_crypto_key_iam_member.rekor_keys_signing_viewer_rekor_server",
      "google_kms_key_ring.rekor_keys_key_ring",
      "google_project_iam_member.rekor_cloudsql_client",
      "google_project_iam_member.rekor_cloudsql_instance_user",
      "google_project_iam_member.rekor_profiler_agent",
      "google_project_iam_member.trillian_db_breakglass_cloudsql_client",
      "google_project_iam_member.trillian_db_breakglass_cloudsql_instance_user",
      "google_project_iam_member.trillian_db_log_server_cloudsql_client",
      "google_project_iam_member.trillian_db_log_server_cloudsql_instance_user",
      "google_project_iam_member.trillian_db_log_signer_cloudsql_client",
      "google_project_iam_member.trillian_db_log_signer_cloudsql_instance_user",
      "google_project_iam_member.trillian_db_schema_admin_cloudsql_client",
      "google_project_iam_member.trillian_db_schema_admin_cloudsql_instance_user",
      "google_pubsub_topic.rekor_new_entry",
      "google_pubsub_topic_iam_member.rekor_new_entry_publisher",
      "google_secret_manager_secret.ctlog_private_key",
      "google_secret_manager_secret.ctlog_private_key_passphrase",
      "google_secret_manager_secret.trillian_db_log_server_user_secret",
      "google_secret_manager_secret.trillian_db_log_signer_user_secret",
      "google_secret_manager_secret.trillian_db_primary_connection_name_secret",
      "google_secret_manager_secret.trillian_db_primary_database_name_secret",
      "google_secret_manager_secret.trillian_db_shard_2026_connection_name_secret",
      "google_secret_manager_secret.trillian_db_shard_2026_database_name_secret",
      "google_secret_manager_secret_iam_member.ctlog_private_key_accessor",
      "google_secret_manager_secret_iam_member.ctlog_private_key_passphrase_accessor",
      "google_secret_manager_secret_iam_member.trillian_db_log_server_user_accessor_trillian_db_log_server",
      "google_secret_manager_secret_iam_member.trillian_db_log_signer_user_accessor_trillian_db_log_signer",
      "google_secret_manager_secret_iam_member.trillian_db_primary_connection_name_accessor_trillian_db_log_server",
      "google_secret_manager_secret_iam_member.trillian_db_primary_connection_name_accessor_trillian_db_log_signer",
      "google_secret_manager_secret_iam_member.trillian_db_primary_database_name_accessor_trillian_db_log_server",
      "google_secret_manager_secret_iam_member.trillian_db_primary_database_name_accessor_trillian_db_log_signer",
      "google_secret_manager_secret_iam_member.trillian_db_shard_2026_connection_name_accessor_trillian_db_log_server",
      "google_secret_manager_secret_iam_member.trillian_db_shard_2026_connection_name_accessor_trillian_db_log_signer",
      "google_secret_manager_secret_iam_member.trillian_db_shard_2026_database_name_accessor_trillian_db_log_server",
      "google_secret_manager_secret_iam_member.trillian_db_shard_2026_database_name_accessor_trillian_db_log_signer",
      "google_secret_manager_secret_version.trillian_db_log_server_user_version",
      "google_secret_manager_secret_version.trillian_db_log_signer_user_version",
      "google_secret_manager_secret_version.trillian_db_primary_connection_name_version",
      "google_secret_manager_secret_version.trillian_db_primary_database_name_version",
      "google_secret_manager_secret_version.trillian_db_shard_2026_connection_name_version",
      "google_secret_manager_secret_version.trillian_db_shard_2026_database_name_version",
      "google_service_account.ctlog_server_account",
      "google_service_account.rekor_server_account",
      "google_service_account.trillian_db_log_server_account",
      "google_service_account.trillian_db_log_signer_account",
      "google_service_account.trillian_db_schema_admin_account",
      "google_service_account_iam_member.ctlog_key_loader_workload_identity",
      "google_service_account_iam_member.ctlog_server_workload_identity",
      "google_service_account_iam_member.rekor_server_workload_identity",
      "google_service_account_iam_member.trillian_db_log_server_workload_identity",
      "google_service_account_iam_member.trillian_db_log_server_workload_identity_2026",
      "google_service_account_iam_member.trillian_db_log_signer_workload_identity",
      "google_service_account_iam_member.trillian_db_log_signer_workload_identity_2026",
      "google_service_account_iam_member.trillian_db_schema_admin_workload_identity",
      "google_service_networking_connection.trillian_db_psa_connection",
      "google_sql_database.rekor_search_index",
      "google_sql_database.trillian_db_primary_database",
      "google_sql_database.trillian_db_shard_2026_database",
      "google_sql_database_instance.trillian_db_primary_instance",
      "google_sql_database_instance.trillian_db_replica_instance",
      "google_sql_database_instance.trillian_db_shard_2026_instance",
      "google_sql_user.trillian_db_primary_iam_group_breakglass",
      "google_sql_user.trillian_db_primary_iam_user_log_server",
      "google_sql_user.trillian_db_primary_iam_user_log_signer",
      "google_sql_user.trillian_db_primary_iam_user_rekor",
      "google_sql_user.trillian_db_primary_iam_user_schema_admin",
      "google_sql_user.trillian_db_shard_2026_iam_group_breakglass",
      "google_sql_user.trillian_db_shard_2026_iam_user_log_server",
      "google_sql_user.trillian_db_shard_2026_iam_user_log_signer",
      "google_sql_user.trillian_db_shard_2026_iam_user_schema_admin",
      "google_storage_bucket.rekor_attestations_bucket",
      "google_storage_bucket_iam_member.rekor_attestations_object_admin_rekor_server",
      "terraform_data.ctlog_frontend",
      "terraform_data.trillian_db_primary_schema_admin_roles",
      "terraform_data.trillian_db_shard_2026_schema_admin_roles",
    ]);
  });
});
