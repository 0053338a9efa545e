import { Rekor, RekorProps } from "../../lib/regional/rekor";
import { TrillianDatabase } from "../../lib/regional/trillian-database";
import { principal } from "../../lib/shared/iam";
import { bodiesOf, synthConstruct, testContext, testPlacement, placementOf } from "../helpers/construct";
import { databaseSettings, keysOf, NETWORK, resolved, WORKLOAD_POOL } from "./data-helpers";
import { accountOf, resourceAt, target } from "./trust-helpers";
import { REVIEWED_PROJECT_ROLES } from "../helpers/roles";

type Options = Partial<Omit<RekorProps, "context" | "workloadPool" | "database">> & { readonly region?: string; readonly instanceName?: string };

/** Rekor next to a TrillianDatabase (or on a named instance when `instanceName` is given). */
function synthRekor(options: Options = {}): { json: any; rekor: Rekor; database?: TrillianDatabase } {
  let rekor!: Rekor;
  let database: TrillianDatabase | undefined;
  const { region = "us-east1", instanceName, ...props } = options;
  const json = synthConstruct((scope) => {
    const context = testContext({ region });
    if (instanceName === undefined) {
      database = new TrillianDatabase(scope, "trillian-db", { context, settings: databaseSettings(), network: NETWORK, workloadPool: WORKLOAD_POOL });
    }
    rekor = new Rekor(scope, "rekor", { ...placementOf(context), workloadPool: WORKLOAD_POOL, database: database ?? instanceName!, ...props });
  });
  return { json, rekor, database };
}

const rekorAccount = "sigstore-rekor-use1";

describe("Rekor: identity", () => {
  const { json } = synthRekor();

  it("runs as its own account, bound to the chart's rekor-system/rekor-server", () => {
    const account = bodiesOf(json, "google_service_account").find((a) => a.account_id === rekorAccount);
    expect(account).toMatchObject({ project: "sigstore-test", display_name: "Rekor (us-east1)" });
    const bindings = bodiesOf(json, "google_service_account_iam_member").filter(
      (b) => resourceAt(json, b.service_account_id, "google_service_account", "name").account_id === rekorAccount,
    );
    expect(bindings).toEqual([
      expect.objectContaining({ role: "roles/iam.workloadIdentityUser", member: `serviceAccount:${WORKLOAD_POOL}[rekor-system/rekor-server]` }),
    ]);
    expect(json.resource.google_service_account_key).toBeUndefined();
  });
});

describe("Rekor: attestation bucket", () => {
  const { json, rekor } = synthRekor();
  const buckets = bodiesOf(json, "google_storage_bucket");

  it("is private, versioned, protected and named after the region", () => {
    expect(buckets).toHaveLength(1);
    expect(buckets[0]).toMatchObject({
      name: "sigstore-test-sigstore-rekor-attestations-us-east1",
      location: "us-east1",
      uniform_bucket_level_access: true,
      public_access_prevention: "enforced",
      versioning: { enabled: true },
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
    expect(target(json, resolved(rekor, rekor.attestationBucketName), "google_storage_bucket", "name")).toBeDefined();
  });

  it("is writable by Rekor alone, through a grant on the bucket", () => {
    const grants = bodiesOf(json, "google_storage_bucket_iam_member");
    expect(grants).toHaveLength(1);
    expect(grants[0].role).toBe("roles/storage.objectAdmin");
    expect(accountOf(json, grants[0].member)).toBe(rekorAccount);
    target(json, grants[0].bucket, "google_storage_bucket", "name");
    expect(grants.some((g) => /allUsers|allAuthenticatedUsers/.test(g.member))).toBe(false);
  });
});

describe("Rekor: signing key", () => {
  const { json, rekor } = synthRekor();

  it("is an HSM-protected ECDSA P-256 key in a key ring of the region, protected from destroy", () => {
    const [ring] = bodiesOf(json, "google_kms_key_ring");
    expect(ring).toMatchObject({ name: "sigstore-rekor-us-east1", location: "us-east1", lifecycle: { prevent_destroy: true } });
    const [key] = bodiesOf(json, "google_kms_crypto_key");
    expect(key).toMatchObject({
      name: "log-signing",
      purpose: "ASYMMETRIC_SIGN",
      version_template: { algorithm: "EC_SIGN_P256_SHA256", protection_level: "HSM" },
      lifecycle: { prevent_destroy: true },
    });
    target(json, key.key_ring, "google_kms_key_ring", "id");
    target(json, resolved(rekor, rekor.signingKeyId), "google_kms_crypto_key", "id");
  });

  it("uses software protection when asked", () => {
    const [key] = bodiesOf(synthRekor({ protectionLevel: "SOFTWARE" }).json, "google_kms_crypto_key");
    expect(key.version_template.protection_level).toBe("SOFTWARE");
  });

  it("lets Rekor sign and read key metadata, granted on the key, never on the ring", () => {
    const grants = bodiesOf(json, "google_kms_crypto_key_iam_member");
    expect(grants.map((g) => g.role).sort()).toEqual(["roles/cloudkms.signerVerifier", "roles/cloudkms.viewer"]);
    for (const g of grants) {
      target(json, g.crypto_key_id, "google_kms_crypto_key", "id");
      expect(accountOf(json, g.member)).toBe(rekorAccount);
    }
    expect(json.resource.google_kms_key_ring_iam_member).toBeUndefined();
  });
});

describe("Rekor: search index", () => {
  it("creates the protected searchindexes database and Rekor's IAM user on the Trillian primary", () => {
    const { json, rekor } = synthRekor();
    const databases = bodiesOf(json, "google_sql_database").filter((d) => d.name === "searchindexes");
    expect(databases).toHaveLength(1);
    expect(databases[0]).toMatchObject({ charset: "utf8mb3", collation: "utf8mb3_general_ci", lifecycle: { prevent_destroy: true } });
    expect(resourceAt(json, databases[0].instance, "google_sql_database_instance", "name").name).toBe("sigstore-trillian-us-east1");
    expect(resourceAt(json, resolved(rekor, rekor.searchIndexDatabaseName), "google_sql_database", "name").name).toBe("searchindexes");
    const rekorUsers = bodiesOf(json, "google_sql_user").filter((u) => accountOf(json, `serviceAccount:${u.name}`) === rekorAccount);
    expect(rekorUsers).toEqual([expect.objectContaining({ type: "CLOUD_IAM_SERVICE_ACCOUNT" })]);
    expect(resourceAt(json, rekorUsers[0].instance, "google_sql_database_instance", "name").name).toBe("sigstore-trillian-us-east1");
  });

  it("accepts the name of an existing instance instead", () => {
    const { json } = synthRekor({ instanceName: "legacy-mysql" });
    expect(bodiesOf(json, "google_sql_database")).toEqual([expect.objectContaining({ name: "searchindexes", instance: "legacy-mysql" })]);
    const users = bodiesOf(json, "google_sql_user");
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ instance: "legacy-mysql", type: "CLOUD_IAM_SERVICE_ACCOUNT" });
    expect(accountOf(json, `serviceAccount:${users[0].name}`)).toBe(rekorAccount);
    expect(json.resource.google_sql_database_instance).toBeUndefined();
  });

  it("has no password anywhere", () => {
    for (const options of [{}, { instanceName: "legacy-mysql" }]) {
      const { json } = synthRekor(options);
      expect(keysOf(json).filter((k) => /password/i.test(k))).toEqual([]);
    }
  });
});

describe("Rekor: project roles", () => {
  const rekorRoles = (json: any) =>
    bodiesOf(json, "google_project_iam_member")
      .filter((g) => accountOf(json, g.member) === rekorAccount)
      .map((g) => g.role)
      .sort();

  it("grants only Cloud SQL client and instance user, and the profiler agent only when asked", () => {
    const plain = synthRekor({ instanceName: "legacy-mysql" }).json;
    expect(rekorRoles(plain)).toEqual(["roles/cloudsql.client", "roles/cloudsql.instanceUser"]);
    const profiled = synthRekor({ instanceName: "legacy-mysql", profiler: true }).json;
    expect(rekorRoles(profiled)).toEqual(["roles/cloudprofiler.agent", "roles/cloudsql.client", "roles/cloudsql.instanceUser"]);
  });

  it("uses no project role outside the project-only list", () => {
    const { json } = synthRekor({ profiler: true });
    for (const g of bodiesOf(json, "google_project_iam_member")) expect([...REVIEWED_PROJECT_ROLES]).toContain(g.role);
  });
});

describe("Rekor: new-entry topic", () => {
  const { json, rekor } = synthRekor();

  it("is created by default, named after the region, with messages kept in the region", () => {
    expect(bodiesOf(json, "google_pubsub_topic")).toEqual([
      { project: "sigstore-test", name: "sigstore-rekor-us-east1-new-entry", message_storage_policy: { allowed_persistence_regions: ["us-east1"] } },
    ]);
    expect(resolved(rekor, rekor.newEntryPublisherUrl)).toMatch(/^gcppubsub:\/\/projects\/\$\{google_pubsub_topic\.[^.]+\.project\}\/topics\/\$\{google_pubsub_topic\.[^.]+\.name\}$/);
    target(json, resolved(rekor, rekor.newEntryTopicId), "google_pubsub_topic", "id");
  });

  it("lets Rekor publish through a member on the topic, not a topic policy or a project grant", () => {
    const grants = bodiesOf(json, "google_pubsub_topic_iam_member");
    expect(grants).toHaveLength(1);
    expect(grants[0].role).toBe("roles/pubsub.publisher");
    expect(accountOf(json, grants[0].member)).toBe(rekorAccount);
    target(json, grants[0].topic, "google_pubsub_topic", "name");
    expect(json.resource.google_pubsub_topic_iam_policy).toBeUndefined();
    expect(json.resource.google_pubsub_topic_iam_binding).toBeUndefined();
    expect(bodiesOf(json, "google_project_iam_member").map((g) => g.role)).not.toContain("roles/pubsub.publisher");
  });

  it("grants subscribers on the topic", () => {
    const subscribed = synthConstruct((scope) => {
      const r = new Rekor(scope, "rekor", { ...testPlacement(), workloadPool: WORKLOAD_POOL, database: "legacy-mysql" });
      r.grantNewEntrySubscriber(principal("monitor", "serviceAccount:monitor@sigstore-test.iam.gserviceaccount.com"));
    });
    const sub = bodiesOf(subscribed, "google_pubsub_topic_iam_member").find((g) => g.role === "roles/pubsub.subscriber");
    expect(sub).toMatchObject({ member: "serviceAccount:monitor@sigstore-test.iam.gserviceaccount.com" });
    target(subscribed, sub.topic, "google_pubsub_topic", "name");
  });

  it("is left out when switched off, and its getters say so", () => {
    const off = synthRekor({ newEntryTopic: false });
    expect(off.json.resource.google_pubsub_topic).toBeUndefined();
    expect(off.json.resource.google_pubsub_topic_iam_member).toBeUndefined();
    expect(() => off.rekor.newEntryPublisherUrl).toThrow(/needs the new-entry topic \(newEntryTopic is false\)/);
    expect(() => off.rekor.grantNewEntrySubscriber(principal("x", "group:x@example.com"))).toThrow(/newEntryTopic is false/);
  });
});

describe("Rekor: names and props", () => {
  it("carries the region in every name, so two regions never collide", () => {
    const json = synthConstruct((scope) => {
      for (const region of ["us-east1", "europe-west1"]) {
        new Rekor(scope, `rekor-${region}`, { ...testPlacement({ region }), workloadPool: WORKLOAD_POOL, database: `trillian-${region}` });
      }
    });
    const names = [
      ...bodiesOf(json, "google_service_account").map((a) => a.account_id),
      ...bodiesOf(json, "google_storage_bucket").map((b) => b.name),
      ...bodiesOf(json, "google_kms_key_ring").map((r) => r.name),
      ...bodiesOf(json, "google_pubsub_topic").map((t) => t.name),
    ];
    expect(names).toHaveLength(8);
    expect(new Set(names).size).toBe(8);
    for (const name of names) expect(name).toMatch(/us-east1|use1|europe-west1|euw1/);
  });

  it("refuses a bad protection level, a missing workload pool or instance name", () => {
    const build = (props: Partial<RekorProps>) => () =>
      synthConstruct((scope) => new Rekor(scope, "rekor", { ...testPlacement(), workloadPool: WORKLOAD_POOL, database: "legacy-mysql", ...props }));
    expect(build({ protectionLevel: "EXTERNAL" as never })).toThrow(/protectionLevel must be "HSM" or "SOFTWARE"/);
    expect(build({ workloadPool: "" })).toThrow(/needs the cluster's workloadPool/);
    expect(build({ database: "" })).toThrow(/needs the search index instance name/);
  });
});
