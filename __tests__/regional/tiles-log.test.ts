import { ResourceNames } from "../../lib/shared/names";
import { TILES_LOGS, TilesLog, TilesLogKind } from "../../lib/regional/tiles-log";
import { bodiesOf, entriesOf, synthConstruct, testContext } from "../helpers/construct";
import { iamMembers, logProps, namesIn, refTo, resolved, synthLog, target, WORKLOAD_POOL } from "./tiles-helpers";
import { REVIEWED_PROJECT_ROLES } from "../helpers/roles";

const KINDS: TilesLogKind[] = ["rekor", "ctlog"];
const GCP_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function only(json: any, type: string): any {
  const bodies = bodiesOf(json, type);
  expect(bodies).toHaveLength(1);
  return bodies[0];
}

describe.each(KINDS)("TilesLog %s: Spanner", (kind) => {
  const { json, log } = synthLog({ kind });
  const instance = only(json, "google_spanner_instance");
  const databases = bodiesOf(json, "google_spanner_database");

  it("is a regional instance in the stack's region, sized by processing units, with daily backups", () => {
    expect(instance).toMatchObject({
      project: "sigstore-test",
      name: `sigstore-${kind}-2026-use1`,
      display_name: `sigstore-${kind}-2026-use1`,
      config: "regional-us-east1",
      edition: "STANDARD",
      processing_units: 100,
      default_backup_schedule_type: "AUTOMATIC",
      force_destroy: false,
    });
    expect(instance.num_nodes).toBeUndefined();
    expect(instance.autoscaling_config).toBeUndefined();
  });

  it("protects the instance and both databases from destroy, in Terraform and in Spanner", () => {
    expect(instance.lifecycle).toEqual({ prevent_destroy: true });
    expect(databases.map((d) => d.name).sort()).toEqual(["sequencer", "sequencer-antispam"]);
    for (const database of databases) {
      expect(database).toMatchObject({
        project: "sigstore-test",
        instance: refTo(json, "google_spanner_instance", instance, "name"),
        database_dialect: "GOOGLE_STANDARD_SQL",
        deletion_protection: true,
        enable_drop_protection: true,
        lifecycle: { prevent_destroy: true },
      });
    }
  });

  it("leaves the schema to Tessera, which creates its tables at start-up", () => {
    for (const database of databases) expect(database.ddl).toBeUndefined();
  });

  it("gives the database paths the chart takes", () => {
    const instanceRef = refTo(json, "google_spanner_instance", instance, "name");
    const byName = (name: string) => databases.find((d) => d.name === name);
    expect(resolved(log, log.sequencerDatabasePath)).toBe(
      `projects/sigstore-test/instances/${instanceRef}/databases/${refTo(json, "google_spanner_database", byName("sequencer"), "name")}`,
    );
    expect(resolved(log, log.antispamDatabasePath)).toBe(
      `projects/sigstore-test/instances/${instanceRef}/databases/${refTo(json, "google_spanner_database", byName("sequencer-antispam"), "name")}`,
    );
    expect(resolved(log, log.spannerInstanceName)).toBe(instanceRef);
  });
});

describe("TilesLog: Spanner sizing", () => {
  it("takes processing units, edition and backups from props", () => {
    const { json } = synthLog({ spanner: { processingUnits: 2000, edition: "ENTERPRISE", automaticBackups: false } });
    expect(only(json, "google_spanner_instance")).toMatchObject({ processing_units: 2000, edition: "ENTERPRISE", default_backup_schedule_type: "NONE" });
    expect(only(synthLog({ spanner: { processingUnits: 300 } }).json, "google_spanner_instance").processing_units).toBe(300);
  });

  it.each([0, 50, 150, 1500, 2500.5, -100])("refuses %p processing units", (processingUnits) => {
    expect(() => synthLog({ spanner: { processingUnits } })).toThrow(/processingUnits must be 100 to 900 in steps of 100, or a multiple of 1000/);
  });
});

describe.each(KINDS)("TilesLog %s: tile bucket", (kind) => {
  const { json, log } = synthLog({ kind });
  const bucket = only(json, "google_storage_bucket");

  it("is a protected, versioned, uniform-access bucket in the region, in the standard class", () => {
    expect(bucket).toMatchObject({
      name: `sigstore-test-sigstore-${kind}-tiles-2026-us-east1`,
      location: "us-east1",
      storage_class: "STANDARD",
      uniform_bucket_level_access: true,
      versioning: { enabled: true },
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
    expect(resolved(log, log.tileBucketName)).toBe(refTo(json, "google_storage_bucket", bucket, "name"));
  });

  it("may be read by anyone, from any origin, but never written", () => {
    expect(bucket.public_access_prevention).toBe("inherited");
    expect(bucket.cors).toEqual([{ origin: ["*"], method: ["GET", "HEAD"], max_age_seconds: 3600 }]);
    const publicGrants = iamMembers(json).filter(({ body }) => /^all(Authenticated)?Users$/.test(body.member));
    expect(publicGrants).toEqual([
      { type: "google_storage_bucket_iam_member", body: { bucket: refTo(json, "google_storage_bucket", bucket, "name"), role: "roles/storage.objectViewer", member: "allUsers" } },
    ]);
  });

  it("is the only public thing: no other resource is open to everyone", () => {
    const text = JSON.stringify(json);
    expect(text.match(/allUsers|allAuthenticatedUsers/g)).toEqual(["allUsers"]);
    expect(json.resource.google_compute_global_address).toBeUndefined();
    expect(json.resource.google_compute_address).toBeUndefined();
  });
});

describe("TilesLog: private tiles", () => {
  const { json } = synthLog({ publicTiles: false });

  it("enforces public access prevention and grants nobody public read", () => {
    expect(only(json, "google_storage_bucket").public_access_prevention).toBe("enforced");
    expect(JSON.stringify(json)).not.toMatch(/allUsers|allAuthenticatedUsers/);
  });

  it("lets chosen readers in through IAM on the bucket", () => {
    const json2 = synthConstruct((scope) => {
      const l = new TilesLog(scope, "tiles", logProps({ publicTiles: false }));
      l.grantTileReader({ grantId: "cdn", member: "serviceAccount:service-123456789012@cloud-cdn-fill.iam.gserviceaccount.com" });
    });
    const grant = bodiesOf(json2, "google_storage_bucket_iam_member").find((g) => g.member.includes("cloud-cdn-fill"));
    expect(grant).toMatchObject({ role: "roles/storage.objectViewer", bucket: refTo(json2, "google_storage_bucket", only(json2, "google_storage_bucket"), "name") });
  });
});

describe.each(KINDS)("TilesLog %s: identity and IAM", (kind) => {
  const { json, log } = synthLog({ kind });
  const account = only(json, "google_service_account");
  const member = `serviceAccount:${refTo(json, "google_service_account", account, "email")}`;

  it("runs as its own account, bound to the chart's namespace and the per-shard release's service account", () => {
    expect(account).toMatchObject({ project: "sigstore-test", account_id: `sigstore-${kind}-2026-use1` });
    expect(only(json, "google_service_account_iam_member")).toEqual({
      service_account_id: refTo(json, "google_service_account", account, "name"),
      role: "roles/iam.workloadIdentityUser",
      member: `serviceAccount:${WORKLOAD_POOL}[${TILES_LOGS[kind].namespace}/${TILES_LOGS[kind].chart}-2026]`,
    });
    expect(log.kubernetes).toEqual({ namespace: `${kind}-tiles-system`, serviceAccount: `${kind}-tiles-2026` });
    expect(json.resource.google_service_account_key).toBeUndefined();
  });

  it("is a database user on each database, not on the instance or the project", () => {
    const grants = bodiesOf(json, "google_spanner_database_iam_member");
    const databases = bodiesOf(json, "google_spanner_database");
    expect(grants).toHaveLength(2);
    for (const database of databases) {
      expect(grants).toContainEqual({
        project: "sigstore-test",
        instance: refTo(json, "google_spanner_instance", only(json, "google_spanner_instance"), "name"),
        database: refTo(json, "google_spanner_database", database, "name"),
        role: "roles/spanner.databaseUser",
        member,
      });
    }
    expect(json.resource.google_spanner_instance_iam_member).toBeUndefined();
  });

  it("is an object user on the tile bucket: it writes tiles, replaces the checkpoint and deletes partial tiles", () => {
    const grants = bodiesOf(json, "google_storage_bucket_iam_member").filter((g) => g.member === member);
    expect(grants).toEqual([{ bucket: refTo(json, "google_storage_bucket", only(json, "google_storage_bucket"), "name"), role: "roles/storage.objectUser", member }]);
  });

  it("grants every role on a database, the bucket, a secret or a key, except metric writing, which is project-only", () => {
    const allowed = new Set([
      "google_spanner_database_iam_member",
      "google_storage_bucket_iam_member",
      "google_secret_manager_secret_iam_member",
      "google_kms_crypto_key_iam_member",
      "google_service_account_iam_member",
      "google_project_iam_member",
    ]);
    const members = iamMembers(json);
    expect(members.length).toBeGreaterThan(4);
    for (const { type, body } of members) {
      expect(allowed).toContain(type);
      if (type === "google_project_iam_member") {
        expect(body).toEqual({ project: "sigstore-test", role: "roles/monitoring.metricWriter", member });
        expect([...REVIEWED_PROJECT_ROLES]).toContain(body.role);
      }
      if (type === "google_spanner_database_iam_member") target(json, body.database, "google_spanner_database");
      if (type === "google_storage_bucket_iam_member") target(json, body.bucket, "google_storage_bucket");
      if (type === "google_secret_manager_secret_iam_member") target(json, body.secret_id, "google_secret_manager_secret");
      if (type === "google_kms_crypto_key_iam_member") target(json, body.crypto_key_id, "google_kms_crypto_key");
    }
    expect(json.resource.google_kms_key_ring_iam_member).toBeUndefined();
  });

  it("writes no metrics when told not to", () => {
    expect(synthLog({ kind, metrics: false }).json.resource.google_project_iam_member).toBeUndefined();
  });

  it("creates no secret value, ciphertext or key material", () => {
    for (const type of ["google_secret_manager_secret_version", "google_kms_secret_ciphertext", "google_kms_crypto_key_version", "google_service_account_key"]) {
      expect(json.resource[type]).toBeUndefined();
    }
  });
});

describe("TilesLog rekor: key-encryption key for the Tink keyset", () => {
  const { json, log } = synthLog({ kind: "rekor" });
  const ring = only(json, "google_kms_key_ring");
  const key = only(json, "google_kms_crypto_key");

  it("is a protected symmetric key in a key ring of the region, HSM by default", () => {
    expect(ring).toMatchObject({ project: "sigstore-test", name: "sigstore-rekor-tiles-2026-us-east1", location: "us-east1", lifecycle: { prevent_destroy: true } });
    expect(key).toMatchObject({
      key_ring: refTo(json, "google_kms_key_ring", ring, "id"),
      name: "checkpoint-signer-kek",
      purpose: "ENCRYPT_DECRYPT",
      version_template: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protection_level: "HSM" },
      lifecycle: { prevent_destroy: true },
    });
    expect(key.rotation_period).toBeDefined();
    expect(only(synthLog({ kind: "rekor", protectionLevel: "SOFTWARE" }).json, "google_kms_crypto_key").version_template.protection_level).toBe("SOFTWARE");
  });

  it("may only be used to decrypt, by the log's account", () => {
    const account = only(json, "google_service_account");
    expect(bodiesOf(json, "google_kms_crypto_key_iam_member")).toEqual([
      {
        crypto_key_id: refTo(json, "google_kms_crypto_key", key, "id"),
        role: "roles/cloudkms.cryptoKeyDecrypter",
        member: `serviceAccount:${refTo(json, "google_service_account", account, "email")}`,
      },
    ]);
  });

  it("gives the chart its gcp-kms:// URI, and has no Secret Manager secrets", () => {
    expect(resolved(log, log.keyEncryptionKeyUri)).toBe(`gcp-kms://${refTo(json, "google_kms_crypto_key", key, "id")}`);
    expect(json.resource.google_secret_manager_secret).toBeUndefined();
    expect(() => log.privateKeySecretId).toThrow(/Tink keyset wrapped by KMS/);
    expect(() => log.publicKeySecretId).toThrow(/Tink keyset wrapped by KMS/);
  });
});

describe("TilesLog ctlog: key pair in Secret Manager", () => {
  const { json, log } = synthLog({ kind: "ctlog" });
  const secrets = entriesOf(json, "google_secret_manager_secret");
  const account = only(json, "google_service_account");
  const member = `serviceAccount:${refTo(json, "google_service_account", account, "email")}`;

  it("keeps the private and the public key in protected secrets of the region", () => {
    expect(secrets.map(([, s]) => s.secret_id).sort()).toEqual(["sigstore-ctlog-tiles-2026-us-east1-private-key", "sigstore-ctlog-tiles-2026-us-east1-public-key"]);
    for (const [, secret] of secrets) {
      expect(secret).toMatchObject({
        project: "sigstore-test",
        replication: { user_managed: { replicas: [{ location: "us-east1" }] } },
        deletion_protection: true,
        version_destroy_ttl: "2592000s",
        lifecycle: { prevent_destroy: true },
      });
    }
  });

  it("lets only the log's account read the private key, through a member on the secret", () => {
    const [privateId] = secrets.find(([, s]) => s.secret_id.endsWith("-private-key"))!;
    const onPrivate = bodiesOf(json, "google_secret_manager_secret_iam_member").filter(
      (g) => g.secret_id === `\${google_secret_manager_secret.${privateId}.id}`,
    );
    expect(onPrivate).toEqual([{ secret_id: `\${google_secret_manager_secret.${privateId}.id}`, role: "roles/secretmanager.secretAccessor", member }]);
    expect(resolved(log, log.privateKeySecretId)).toBe(`\${google_secret_manager_secret.${privateId}.id}`);
    expect(resolved(log, log.publicKeySecretId)).toMatch(/^\$\{google_secret_manager_secret\.tiles_public-key_[0-9A-F]+\.id\}$/);
  });

  it("needs no KMS key", () => {
    expect(json.resource.google_kms_key_ring).toBeUndefined();
    expect(json.resource.google_kms_crypto_key).toBeUndefined();
    expect(() => log.keyEncryptionKeyUri).toThrow(/keeps its keys in Secret Manager/);
  });
});

describe("TilesLog: names", () => {
  it("are valid GCP names that carry kind, shard and region", () => {
    for (const kind of KINDS) {
      const { json } = synthLog({ kind, shardName: "2027-a" }, testContext({ region: "europe-west1", zones: ["europe-west1-b", "europe-west1-c"] }));
      const names = namesIn(json);
      expect(names.length).toBeGreaterThanOrEqual(6);
      for (const { type, value } of names) {
        // Databases and keys are named within their instance or key ring, which carry all three.
        if (type === "google_spanner_database" || type === "google_kms_crypto_key") continue;
        expect(value).toMatch(GCP_NAME);
        expect(value).toContain(kind);
        expect(value).toContain("2027-a");
        expect(value).toMatch(/europe-west1|euw1/);
      }
    }
  });

  it("keep the 30-character ids (Spanner instance, service account) short with the region code", () => {
    const { json } = synthLog({ shardName: "abcdefghi" }, testContext({ region: "northamerica-northeast2", names: new ResourceNames("sigstore", "sigstore-test") }));
    expect(only(json, "google_spanner_instance").name).toBe("sigstore-rekor-abcdefghi-nane2");
    expect(only(json, "google_service_account").account_id).toBe("sigstore-rekor-abcdefghi-nane2");
    expect(only(json, "google_spanner_instance").name.length).toBeLessThanOrEqual(30);
  });

  it("never collide between shards, kinds and regions in one project", () => {
    const json = synthConstruct((scope) => {
      const east = testContext();
      const west = testContext({ region: "us-west1", zones: ["us-west1-a", "us-west1-b"] });
      new TilesLog(scope, "rekor-2026", logProps({ kind: "rekor", shardName: "2026" }, east));
      new TilesLog(scope, "rekor-2027", logProps({ kind: "rekor", shardName: "2027" }, east));
      new TilesLog(scope, "ctlog-2026", logProps({ kind: "ctlog", shardName: "2026" }, east));
      new TilesLog(scope, "rekor-2026-west", logProps({ kind: "rekor", shardName: "2026" }, west));
    });
    for (const type of ["google_spanner_instance", "google_storage_bucket", "google_service_account", "google_kms_key_ring", "google_secret_manager_secret"]) {
      const values = namesIn(json).filter((n) => n.type === type).map((n) => n.value);
      expect(values.length).toBeGreaterThan(0);
      expect(new Set(values).size).toBe(values.length);
    }
    const negs = bodiesOf(json, "terraform_data").map((d) => d.input.http);
    expect(new Set(negs).size).toBe(4);
  });

  it("refuse a prefix and shard too long for a 30-character id", () => {
    const context = testContext({ names: new ResourceNames("abcdefghijkl", "sigstore-test") });
    expect(() => synthLog({ shardName: "abcdefghij" }, testContext({ region: "northamerica-northeast2" }))).toThrow(/must be 6 to 30 .*shorten namePrefix or the shard name/);
    synthLog({ shardName: "2026" }, context);
    expect(() => synthLog({ shardName: "2026-01" }, context)).toThrow(/must be 6 to 30 .*shorten namePrefix or the shard name/);
  });
});

describe.each(KINDS)("TilesLog %s: what the global front end needs", (kind) => {
  const { json, log } = synthLog({ kind });
  const data = only(json, "terraform_data");
  const dataId = entriesOf(json, "terraform_data")[0][0];

  it("names the NEGs deterministically, with the gRPC one only for Rekor v2", () => {
    expect(log.negNames).toEqual(
      kind === "rekor"
        ? { http: "sigstore-rekor-tiles-2026-use1-http", grpc: "sigstore-rekor-tiles-2026-use1-grpc" }
        : { http: "sigstore-ctlog-tiles-2026-use1-http", grpc: undefined },
    );
    expect(synthLog({ kind }).log.negNames).toEqual(log.negNames);
  });

  it("publishes the NEG names, zones and bucket once the bucket exists", () => {
    expect(data.input).toEqual({
      ...(kind === "rekor" ? { grpc: log.negNames.grpc } : {}),
      http: log.negNames.http,
      zones: ["us-east1-b", "us-east1-c", "us-east1-d"],
      bucket: refTo(json, "google_storage_bucket", only(json, "google_storage_bucket"), "name"),
    });
  });

  it("exports the applied values, not the planned ones, with the read and write routes of its kind", () => {
    const exported = log.exported;
    expect(resolved(log, exported.bucketName)).toBe(`\${terraform_data.${dataId}.output.bucket}`);
    expect(resolved(log, exported.httpNegName)).toBe(`\${terraform_data.${dataId}.output.http}`);
    expect(resolved(log, exported.servedZones)).toBe(`\${terraform_data.${dataId}.output.zones}`);
    if (kind === "rekor") expect(resolved(log, exported.grpcNegName)).toBe(`\${terraform_data.${dataId}.output.grpc}`);
    else expect(exported.grpcNegName).toBeUndefined();
    expect(exported).toMatchObject({ shard: "2026", region: "us-east1", zones: ["us-east1-b", "us-east1-c", "us-east1-d"], spec: TILES_LOGS[kind] });
  });

  it("waits for the Kubernetes Service that creates the NEGs when told to", () => {
    const json2 = synthConstruct((scope) => {
      // Any dependable stands in for the chart's Kubernetes Service here.
      const other = new TilesLog(scope, "other", logProps({ kind, shardName: "2027" }));
      new TilesLog(scope, "tiles", logProps({ kind })).publishAfter(other.serviceAccount.account);
    });
    const [, published] = entriesOf(json2, "terraform_data").find(([id]) => id.startsWith("tiles_"))!;
    // A bare address: Terraform rejects "${…}" in depends_on.
    expect(published.depends_on).toEqual([expect.stringMatching(/^google_service_account\.other_server_account_[0-9A-F]+$/)]);
  });
});

describe("TilesLog: kubernetes override", () => {
  it("binds the given namespace and service account", () => {
    const { json } = synthLog({ kind: "ctlog", kubernetes: { namespace: "ct-2026", serviceAccount: "tesseract" } });
    expect(only(json, "google_service_account_iam_member").member).toBe(`serviceAccount:${WORKLOAD_POOL}[ct-2026/tesseract]`);
  });
});

describe("TilesLog: bad props", () => {
  it.each(["", "-2026", "2026-", "UPPER", "abcdefghijk", "a_b", "a.b"])("refuses shard name %p", (shardName) => {
    expect(() => synthLog({ shardName })).toThrow(/shardName .* must be 1 to 10 lowercase letters, digits or hyphens/);
  });

  it("refuses an unknown kind, a missing workload pool and an unknown protection level", () => {
    expect(() => synthLog({ kind: "trillian" as TilesLogKind })).toThrow(/kind must be "rekor" or "ctlog"/);
    expect(() => synthLog({ workloadPool: "" })).toThrow(/needs the cluster's workloadPool/);
    expect(() => synthLog({ protectionLevel: "EXTERNAL" as "HSM" })).toThrow(/protectionLevel must be "HSM" or "SOFTWARE"/);
  });
});
