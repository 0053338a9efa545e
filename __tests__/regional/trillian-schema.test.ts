import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { parse as parseYaml } from "yaml";
import { CloudSqlDatabaseRoles } from "../../lib/regional/sql-database-roles";
import { grantStatements, schemaCheckStatement } from "../../lib/regional/workloads/trillian-schema";
import { allResources, baseConfig, FULL_CONFIG_CTLOG_PUBLIC_KEY, fullConfig, StackJson, synthDeployment, withConfig } from "../helpers/synth";
import { coalesce, unknownPaths } from "../helpers/chart-values";
import { synthConstruct } from "../helpers/construct";

// fullConfig: the example with Rekor v1 and the shared CT log in the primary (us-east1), one CT log shard ("2026");
// Fulcio on CA Service, so it (and the CT log, which reads its roots) is installed without certificate chains.
const full = synthDeployment(fullConfig("privateca"));
const east = full.stacks["regional-us-east1"];
// Two regions, no shards: Rekor v1 and the CT log on the primary's Trillian.
const plain = synthDeployment(
  withConfig((c) => {
    c.features = { rekor: true, ctlog: true };
    c.regional = { fulcio: { ca: "privateca" } };
    c.ctlog = { publicKeys: { "us-east1": FULL_CONFIG_CTLOG_PUBLIC_KEY } };
  }, baseConfig()),
);
const plainEast = plain.stacks["regional-us-east1"];

const CHART_DIR = path.join(__dirname, "../fixtures/helm-charts/sigstore/trillian");
const TRILLIAN_DEFAULTS = parseYaml(fs.readFileSync(path.join(CHART_DIR, "values.yaml"), "utf8"));
const TRILLIAN_SCHEMA = JSON.parse(fs.readFileSync(path.join(CHART_DIR, "values.schema.json"), "utf8"));
const TEMPLATE_ONLY: Record<string, string> = JSON.parse(fs.readFileSync(path.join(__dirname, "../fixtures/helm-charts/template-only-values.json"), "utf8")).trillian;
const ANNOTATED_DIGESTS = new Set(
  [...String(parseYaml(fs.readFileSync(path.join(CHART_DIR, "Chart.yaml"), "utf8")).annotations["artifacthub.io/images"]).matchAll(/sha256:[0-9a-f]{64}/g)].map((m) => m[0]),
);

const releases = (stack: StackJson) => Object.entries(stack.resource?.helm_release ?? {}) as [string, any][];
const releaseNamed = (stack: StackJson, name: string) => releases(stack).find(([, r]) => r.name === name);
/** A release's values document, with Terraform references kept as their text. */
const valuesOf = (release: any) => JSON.parse(String(release.values[0]));
const byType = (stack: StackJson, type: string) => Object.entries(stack.resource?.[type] ?? {}) as [string, any][];
const ref = (type: string, id: string, attribute: string) => `\${${type}.${id}.${attribute}}`;

/** Logical id of the google_sql_database_instance with this name. */
function instanceId(stack: StackJson, name: string): string {
  const found = byType(stack, "google_sql_database_instance").find(([, i]) => i.name === name);
  if (!found) throw new Error(`no instance ${name}`);
  return found[0];
}
/** Logical id of the google_service_account with this account id. */
function accountId(stack: StackJson, id: string): string {
  const found = byType(stack, "google_service_account").find(([, a]) => a.account_id === id);
  if (!found) throw new Error(`no account ${id}`);
  return found[0];
}

/** Every address a resource waits for, directly or through what it depends on (depends_on and references). */
function upstream(stack: StackJson, address: string, seen = new Set<string>()): Set<string> {
  const [type, id] = address.split(".");
  const body = stack.resource?.[type]?.[id];
  if (!body) return seen;
  const text = JSON.stringify(body);
  const refs = [...(body.depends_on ?? []), ...[...text.matchAll(/\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\./g)].map((m) => m[1])];
  for (const r of refs) {
    if (seen.has(r)) continue;
    seen.add(r);
    upstream(stack, r, seen);
  }
  return seen;
}

describe("Trillian's schema on a fresh region", () => {
  const schemaEntry = releaseNamed(east, "trillian-schema")!;
  const schema = schemaEntry[1];
  const objects: any[] = valuesOf(schema).objects;
  const jobs = objects.filter((o) => o.kind === "Job");
  const jobNamed = (name: string) => jobs.find((j) => j.metadata.name === name);
  const admin = accountId(east, "sigstore-dbschema-use1");

  it("is a release of the manifests chart in Trillian's namespace that creates it, atomic, with time for IAM to propagate", () => {
    expect(schema.namespace).toBe("trillian-system");
    expect(schema.create_namespace).toBe(true);
    expect(schema.repository).toBeUndefined();
    expect(schema).toMatchObject({ atomic: true, wait: true, cleanup_on_fail: true });
    expect(schema.timeout).toBeGreaterThanOrEqual(600);
  });

  it("runs one Job per instance that holds trees, each through a proxy to that instance", () => {
    expect(jobs.map((j) => j.metadata.name).sort()).toEqual(["trillian-schema", "trillian-schema-2026"]);
    const proxyTarget = (job: any) => job.spec.template.spec.initContainers[0].args.at(-1);
    expect(proxyTarget(jobNamed("trillian-schema"))).toBe(ref("google_sql_database_instance", instanceId(east, "sigstore-trillian-us-east1"), "connection_name"));
    expect(proxyTarget(jobNamed("trillian-schema-2026"))).toBe(ref("google_sql_database_instance", instanceId(east, "sigstore-trillian-us-east1-2026"), "connection_name"));
    // The read replica holds no schema of its own: it replicates the primary's.
    expect(JSON.stringify(jobs)).not.toContain(instanceId(east, "sigstore-trillian-us-east1-replica"));
    // Regions without a Trillian log get no schema release.
    for (const region of ["europe-west1", "asia-northeast1"]) expect(releaseNamed(full.stacks[`regional-${region}`], "trillian-schema")).toBeUndefined();
  });

  it("runs the jobs as the schema administrator, through workload identity, as Helm hooks that re-run on upgrades", () => {
    const ksa = objects.find((o) => o.kind === "ServiceAccount");
    expect(ksa.metadata).toMatchObject({ name: "trillian-schema", namespace: "trillian-system" });
    expect(ksa.metadata.annotations["iam.gke.io/gcp-service-account"]).toBe(ref("google_service_account", admin, "email"));
    const binding = byType(east, "google_service_account_iam_member").filter(
      ([, b]) => b.service_account_id === ref("google_service_account", admin, "name") && b.role === "roles/iam.workloadIdentityUser",
    );
    expect(binding.map(([, b]) => b.member)).toEqual([expect.stringMatching(/\[trillian-system\/trillian-schema\]$/)]);
    for (const job of jobs) {
      expect(job.spec.template.spec.serviceAccountName).toBe("trillian-schema");
      expect(job.metadata.annotations["helm.sh/hook"]).toBe("post-install,post-upgrade");
      expect(job.metadata.annotations["helm.sh/hook-delete-policy"]).toBe("before-hook-creation");
      expect(job.spec.backoffLimit).toBeGreaterThan(0);
      // Bounded by the release's timeout, so a stuck job fails the deploy instead of hanging it.
      expect(job.spec.activeDeadlineSeconds).toBeLessThan(schema.timeout);
    }
  });

  it("starts the Auth Proxy as a native sidecar with IAM login on the private IP, then createdb, then the check and GRANTs", () => {
    for (const job of jobs) {
      const spec = job.spec.template.spec;
      const [proxy, createdb] = spec.initContainers;
      expect(proxy.restartPolicy).toBe("Always");
      expect(proxy.args).toEqual(expect.arrayContaining(["--auto-iam-authn", "--private-ip", "--health-check", "--address=127.0.0.1", "--port=3306"]));
      expect(proxy.startupProbe.httpGet).toEqual({ path: "/startup", port: 9090 });
      expect(createdb.args).toEqual(["--db_name=trillian", "--mysql_uri=sigstore-dbschema-use1@tcp(127.0.0.1:3306)/"]);
      expect(spec.containers.map((c: any) => c.name)).toEqual(["grant"]);
      expect(spec.containers[0].args).toContain("--user=sigstore-dbschema-use1");
      for (const c of [...spec.initContainers, ...spec.containers]) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
      }
    }
  });

  it("pins every image by a digest the Trillian chart's own Chart.yaml pins (createdb, proxy, mysql client)", () => {
    const images = jobs.flatMap((j) => [...j.spec.template.spec.initContainers, ...j.spec.template.spec.containers].map((c: any) => c.image as string));
    expect(new Set(images).size).toBe(3);
    for (const image of images) {
      const digest = /@(sha256:[0-9a-f]{64})$/.exec(image);
      expect(digest).not.toBeNull();
      expect(ANNOTATED_DIGESTS.has(digest![1])).toBe(true);
    }
    expect(images.some((i) => i.startsWith("ghcr.io/sigstore/scaffolding/createdb@"))).toBe(true);
  });

  it("grants the log server and signer rows only, on trillian.* only; Rekor's index its own database on the primary", () => {
    const sqlOf = (job: any) => String(job.spec.template.spec.containers[0].args.find((a: string) => a.startsWith("--execute="))).slice("--execute=".length);
    const grantsOf = (job: any) => sqlOf(job).split(";").map((s) => s.trim()).filter((s) => s.startsWith("GRANT"));
    const trillianGrants = [
      "GRANT SELECT, INSERT, UPDATE, DELETE ON `trillian`.* TO 'sigstore-logserver-use1'@'%'",
      "GRANT SELECT, INSERT, UPDATE, DELETE ON `trillian`.* TO 'sigstore-logsigner-use1'@'%'",
    ];
    expect(grantsOf(jobNamed("trillian-schema-2026"))).toEqual(trillianGrants);
    expect(grantsOf(jobNamed("trillian-schema"))).toEqual([...trillianGrants, "GRANT CREATE, SELECT, INSERT ON `searchindexes`.* TO 'sigstore-rekor-use1'@'%'"]);
    for (const job of jobs) {
      const sql = sqlOf(job);
      expect(sql).not.toMatch(/\bALL\b|GRANT OPTION|\*\.\*|DROP|ALTER|SUPER/);
      // The check comes first and names each table of Trillian v1.7.3's storage.sql.
      expect(sql.indexOf("SELECT 1 FROM")).toBe(0);
      for (const table of ["Trees", "TreeControl", "Subtree", "TreeHead", "LeafData", "SequencedLeafData", "Unsequenced"]) expect(sql).toContain(`\`trillian\`.\`${table}\``);
    }
  });

  it("assigns cloudsqlsuperuser to the schema administrator only, on each instance that holds trees, after its user exists", () => {
    const assignments = byType(east, "terraform_data").filter(([, d]) => JSON.stringify(d).includes("sql users assign-roles"));
    expect(assignments).toHaveLength(2);
    const users = byType(east, "google_sql_user");
    for (const [, d] of assignments) {
      const exec = d.provisioner[0]["local-exec"];
      expect(exec.environment.ROLES).toBe("cloudsqlsuperuser");
      expect(exec.environment.SQL_USER).toBe(ref("google_service_account", admin, "email"));
      // The user it waits for is the administrator's, on the same instance.
      const [user] = d.depends_on.map((a: string) => users.find(([id]) => `google_sql_user.${id}` === a)![1]);
      expect(user).toMatchObject({ name: ref("google_service_account", admin, "email"), type: "CLOUD_IAM_SERVICE_ACCOUNT", instance: exec.environment.INSTANCE });
      expect(exec.command).not.toContain("${");
    }
    expect(assignments.map(([, d]) => d.provisioner[0]["local-exec"].environment.INSTANCE).sort()).toEqual(
      ["sigstore-trillian-us-east1", "sigstore-trillian-us-east1-2026"].map((n) => ref("google_sql_database_instance", instanceId(east, n), "name")).sort(),
    );
    // No serving account's user carries a role: theirs are the GRANTs above.
    for (const account of ["sigstore-logserver-use1", "sigstore-logsigner-use1", "sigstore-rekor-use1"]) {
      expect(JSON.stringify(assignments)).not.toContain(accountId(east, account));
    }
  });

  it("orders a fresh deploy: users and roles, then the schema jobs, then Trillian, then the logs whose createtree jobs need it", () => {
    const schemaAddress = `helm_release.${schemaEntry[0]}`;
    const before = upstream(east, schemaAddress);
    for (const [id] of byType(east, "terraform_data").filter(([, d]) => JSON.stringify(d).includes("sql users assign-roles"))) expect(before).toContain(`terraform_data.${id}`);
    // Every IAM service-account user on the instances with trees, grantees included (MySQL 8 creates no user on GRANT).
    const treeInstances = ["sigstore-trillian-us-east1", "sigstore-trillian-us-east1-2026"].map((n) => ref("google_sql_database_instance", instanceId(east, n), "name"));
    const treeUsers = byType(east, "google_sql_user").filter(([, u]) => u.type === "CLOUD_IAM_SERVICE_ACCOUNT" && treeInstances.includes(u.instance));
    expect(treeUsers).toHaveLength(7);
    for (const [id] of treeUsers) expect(before).toContain(`google_sql_user.${id}`);
    for (const name of ["trillian", "trillian-2026", "rekor", "ctlog"]) {
      const [id] = releaseNamed(east, name)!;
      expect({ name, afterSchema: upstream(east, `helm_release.${id}`).has(schemaAddress) }).toEqual({ name, afterSchema: true });
    }
  });
});

describe("every Trillian release on the instance that holds its trees", () => {
  it("runs a release per tree instance the logs use: the primary for Rekor, the newest shard for the CT log", () => {
    const trillianReleases = releases(east).filter(([, r]) => r.chart === "trillian");
    expect(trillianReleases.map(([, r]) => r.name).sort()).toEqual(["trillian", "trillian-2026"]);
    const instanceOf = (name: string) => valuesOf(releaseNamed(east, name)![1]).mysql.gcp.instance;
    expect(instanceOf("trillian")).toBe(ref("google_sql_database_instance", instanceId(east, "sigstore-trillian-us-east1"), "connection_name"));
    expect(instanceOf("trillian-2026")).toBe(ref("google_sql_database_instance", instanceId(east, "sigstore-trillian-us-east1-2026"), "connection_name"));
    const shard = valuesOf(releaseNamed(east, "trillian-2026")![1]);
    expect(shard.logServer.serviceAccount.name).toBe("trillian-logserver-2026");
    expect(shard.logSigner.serviceAccount.name).toBe("trillian-logsigner-2026");
    expect(shard.logSigner.extraArgs[0]).toContain(`(/cloudsql/${ref("google_sql_database_instance", instanceId(east, "sigstore-trillian-us-east1-2026"), "connection_name")})/trillian?`);
  });

  it("points the CT log (and its createtree job) at the shard's log server, Rekor at the primary's", () => {
    expect(valuesOf(releaseNamed(east, "ctlog")![1]).trillian.logServer.name).toBe("trillian-logserver-2026");
    expect(valuesOf(releaseNamed(east, "rekor")![1]).trillian.logServer.name).toBe("trillian-logserver");
    const [shardId] = releaseNamed(east, "trillian-2026")!;
    expect(releaseNamed(east, "ctlog")![1].depends_on).toContain(`helm_release.${shardId}`);
  });

  it("without shards, one Trillian on the primary serves both logs", () => {
    expect(releases(plainEast).filter(([, r]) => r.chart === "trillian").map(([, r]) => r.name)).toEqual(["trillian"]);
    expect(valuesOf(releaseNamed(plainEast, "ctlog")![1]).trillian.logServer.name).toBe("trillian-logserver");
    const jobs = valuesOf(releaseNamed(plainEast, "trillian-schema")![1]).objects.filter((o: any) => o.kind === "Job");
    expect(jobs.map((j: any) => j.metadata.name)).toEqual(["trillian-schema"]);
  });

  it("every Trillian and Rekor proxy connects to the private IP (the instances have no public one)", () => {
    for (const stack of [east, plainEast]) {
      for (const [, r] of releases(stack).filter(([, r]) => r.chart === "trillian" || r.chart === "rekor")) {
        expect(valuesOf(r).mysql.gcp.cloudsql.extraArgs).toEqual(["--private-ip"]);
      }
    }
    for (const [, i] of byType(east, "google_sql_database_instance")) expect(i.settings.ip_configuration.ipv4_enabled).toBe(false);
  });

  it("sets only value paths the Trillian chart knows, and validates against its values.schema.json", () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile((({ $schema, ...s }) => s)(TRILLIAN_SCHEMA));
    const trillianReleases = [...releases(east), ...releases(plainEast)].filter(([, r]) => r.chart === "trillian");
    expect(trillianReleases).toHaveLength(3);
    for (const [, r] of trillianReleases) {
      const values = valuesOf(r);
      expect(unknownPaths(values, TRILLIAN_DEFAULTS).filter((p) => !(p in TEMPLATE_ONLY))).toEqual([]);
      expect(values.createdb).toEqual({ enabled: false });
      const ok = validate(coalesce(TRILLIAN_DEFAULTS, values));
      expect(ok ? [] : validate.errors).toEqual([]);
    }
  });
});

describe("no password anywhere", () => {
  it("no password, password_wo or root_password in any resource, no MySQL Secret, and the chart's password Secret is never created", () => {
    for (const synthesized of [full, plain]) {
      for (const [file, text] of Object.entries(synthesized.files)) {
        // The CT log's key passphrase is the one password that exists: the key loader and the ctlog chart name its
        // Secret and file, and ctlog-key.test.ts checks that no key material appears. Their values are left out here.
        const json = file.endsWith("cdk.tf.json") ? JSON.parse(text) : undefined;
        for (const [id, release] of Object.entries<any>(json?.resource?.helm_release ?? {})) {
          if (release.name === "ctlog-key-loader" || release.name === "ctlog") delete json.resource.helm_release[id];
        }
        // The only database occurrence: the name of a Secret that nothing creates, which stops the chart from generating one.
        expect({ file, found: (json ? JSON.stringify(json) : text).replace(/trillian-no-password/g, "").match(/password/gi) ?? [] }).toEqual({ file, found: [] });
      }
      for (const stack of Object.values(synthesized.stacks)) {
        for (const [type, , body] of allResources(stack)) {
          if (type === "google_sql_user") expect(body.type).toMatch(/^CLOUD_IAM_/);
          if (type.startsWith("kubernetes_secret")) throw new Error(`unexpected ${type}`);
        }
      }
    }
  });
});

describe("building blocks", () => {
  it("grantStatements refuses anything but identifiers and an empty privilege list", () => {
    expect(() => grantStatements([{ user: "x'@'%'; DROP DATABASE trillian; --", database: "trillian", privileges: ["SELECT"] }])).toThrow(/grant user/);
    expect(() => grantStatements([{ user: "sigstore-logserver-use1", database: "trillian`.*", privileges: ["SELECT"] }])).toThrow(/grant database/);
    expect(() => grantStatements([{ user: "sigstore-logserver-use1", database: "trillian", privileges: [] }])).toThrow(/names no privilege/);
    expect(grantStatements([{ user: "a-b", database: "db", privileges: ["SELECT", "SELECT"] }])).toBe("GRANT SELECT ON `db`.* TO 'a-b'@'%';");
  });

  it("the schema check fails on a missing table: it selects from every table at once", () => {
    expect(schemaCheckStatement("x")).toBe("SELECT 1 FROM `x`.`Trees`, `x`.`TreeControl`, `x`.`Subtree`, `x`.`TreeHead`, `x`.`LeafData`, `x`.`SequencedLeafData`, `x`.`Unsequenced` LIMIT 0;");
  });

  it("CloudSqlDatabaseRoles needs a role", () => {
    const json = synthConstruct((scope) => {
      expect(
        () => new CloudSqlDatabaseRoles(scope, "roles", { project: "p", instance: "i", serviceAccountEmail: "a@p.iam.gserviceaccount.com", roles: [], user: { fqn: "google_sql_user.u" } as any }),
      ).toThrow(/needs at least one role/);
    });
    // Nothing was added to the stack.
    expect(json.resource).toBeUndefined();
  });
});
