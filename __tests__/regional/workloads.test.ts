import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createPublicKey, generateKeyPairSync, X509Certificate } from "crypto";
import Ajv from "ajv";
import Ajv2020 from "ajv/dist/2020";
import { App, DefaultTokenResolver, StringConcat, Tokenization } from "cdktf";
import { parse as parseYaml } from "yaml";
import { addSigstoreDeployment, SigstoreDeployment } from "../../lib/app";
import { parseConfig } from "../../lib/config/load";
import type { SigstoreConfig } from "../../lib/config/schema";
import type { ChartRelease } from "../../lib/regional/workloads/release";
import { baseConfig, StackJson, withConfig } from "../helpers/synth";
import { coalesce, unknownPaths } from "../helpers/chart-values";
import { describeWithTerraform } from "../helpers/terraform";
import { issue, selfSigned } from "../trust/pki";

const CHARTS_DIR = path.join(__dirname, "../fixtures/helm-charts");
const CHART_DIRS: Record<string, string> = {
  trillian: "sigstore/trillian",
  rekor: "sigstore/rekor",
  ctlog: "sigstore/ctlog",
  fulcio: "sigstore/fulcio",
  tsa: "sigstore/tsa",
  "rekor-tiles": "sigstore/rekor-tiles",
  "ctlog-tiles": "sigstore/ctlog-tiles",
  dex: "dexidp/dex",
};
const TEMPLATE_ONLY: Record<string, Record<string, string>> = JSON.parse(fs.readFileSync(path.join(CHARTS_DIR, "template-only-values.json"), "utf8"));

function chartFile(chart: string, file: string): string | undefined {
  const p = path.join(CHARTS_DIR, CHART_DIRS[chart], file);
  return fs.existsSync(p) ? fs.readFileSync(p, "utf8") : undefined;
}
const chartYaml = (chart: string) => parseYaml(chartFile(chart, "Chart.yaml")!);
/** Digests the chart's Chart.yaml pins in its artifacthub.io/images annotation. */
function annotatedDigests(chart: string): Set<string> {
  const images = chartYaml(chart).annotations?.["artifacthub.io/images"] ?? "";
  return new Set([...String(images).matchAll(/sha256:[0-9a-f]{64}/g)].map((m) => m[0]));
}

/** The shared CT log's key pair (us-east1): the public half is pinned in the configuration, the private half never leaves the test. */
const CT_KEY = generateKeyPairSync("ec", { namedCurve: "P-256" });
const CT_PUBLIC_PEM = CT_KEY.publicKey.export({ type: "spki", format: "pem" }).toString();
const CT_PRIVATE_DER_B64 = CT_KEY.privateKey.export({ type: "pkcs8", format: "der" }).toString("base64");
const keyset = (data: string) => JSON.stringify({ encryptedKeyset: data, keysetInfo: { primaryKeyId: 1 } });
const SECRET_MARKER = "s3cr3t-client-secret-value";
/** Real certificates: one Fulcio root with a P-384 intermediate per region, one TSA root with a timestamping leaf per region. */
interface Pki {
  readonly fulcioRoot: string;
  readonly tsaRoot: string;
  readonly fulcioChain: Record<string, string>;
  readonly tsaChain: Record<string, string>;
}
async function makePki(): Promise<Pki> {
  const fulcioRoot = await selfSigned("fulcio root");
  const tsaRoot = await selfSigned("tsa root");
  const pki: Pki = { fulcioRoot: fulcioRoot.pem, tsaRoot: tsaRoot.pem, fulcioChain: {}, tsaChain: {} };
  for (const region of ["us-east1", "europe-west1"]) {
    pki.fulcioChain[region] = (await issue(fulcioRoot, `fulcio ${region}`, "ca")).pem;
    pki.tsaChain[region] = (await issue(tsaRoot, `tsa ${region}`, "tsa")).pem;
  }
  return pki;
}
function inputWith(pki: Pki) {
  return withConfig((c) => {
    c.features = { rekor: true, ctlog: true, tuf: true, rekorTiles: true, ctlogTiles: true };
    // Rekor v1 and the shared CT log in the primary region (us-east1); the TesseraCT shard in europe-west1.
    c.tiles = { ctlog: { region: "europe-west1" }, rekor: { encryptedKeysets: { "us-east1": keyset("Q2lRRA==") } } };
    c.ctlog = { publicKeys: { "us-east1": CT_PUBLIC_PEM } };
    c.trust = {
      fulcio: { rootCertificate: pki.fulcioRoot },
      tsa: { rootCertificate: pki.tsaRoot },
      regions: Object.fromEntries(Object.keys(pki.fulcioChain).map((r) => [r, { fulcioChain: [pki.fulcioChain[r]], tsaChain: [pki.tsaChain[r]] }])),
    };
    c.regional = {
      fulcio: {
        ca: "kms",
        issuers: [
          { issuerUrl: "https://token.actions.githubusercontent.com", type: "github-workflow" },
          { issuerUrl: "https://oidc.spire.prod.example.com", type: "spiffe", spiffeTrustDomain: "prod.example.com" },
        ],
      },
      tsa: { encryptedKeysets: { "us-east1": keyset("Q2lRQQ=="), "europe-west1": keyset("Q2lRQg==") } },
      dex: {
        connectorSecrets: ["github-client-secret"],
        connectors: [{ id: "github", type: "github", name: "GitHub", clientId: "Iv1.abc", clientSecret: "github-client-secret", config: { loadAllGroups: false } }],
      },
    };
  }, baseConfig());
}

let pki: Pki;
let config: SigstoreConfig;
let deployment: SigstoreDeployment;
const stacks: Record<string, StackJson> = {};
beforeAll(async () => {
  pki = await makePki();
  config = parseConfig(inputWith(pki));
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "sigstore-workloads-"));
  try {
    const app = new App({ outdir });
    deployment = addSigstoreDeployment(app, config);
    app.synth();
    for (const dir of fs.readdirSync(path.join(outdir, "stacks"))) {
      stacks[dir] = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", dir, "cdk.tf.json"), "utf8"));
    }
    // What Terraform would hand to Helm: no secret value anywhere in the output directory.
    rawOutput = fs.readdirSync(outdir, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(outdir, f)).isFile()).map((f) => fs.readFileSync(path.join(outdir, f), "utf8")).join("\n");
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
let rawOutput = "";

const REGIONS = ["us-east1", "europe-west1"];
const regional = (region: string) => stacks[`regional-${region}`];
const stackOf = (region: string) => deployment.regions.find((r) => r.region === region)!;
function chartReleases(region: string): ChartRelease<object>[] {
  const w = stackOf(region).workloads;
  return [w.trillian, w.rekor, w.ctlog, w.fulcio, w.timestamp, w.dex, w.tiles.rekor, w.tiles.ctlog].filter((r) => r !== undefined).map((r) => r!.chart as ChartRelease<object>);
}
const helmReleases = (region: string) => Object.values(regional(region).resource?.helm_release ?? {}) as any[];

describe("Helm releases per region", () => {
  it("installs one release per service each region runs, each in its own namespace", () => {
    const names = (region: string) => helmReleases(region).filter((r) => r.repository).map((r) => `${r.name}@${r.namespace}`).sort();
    // us-east1 (primary) runs Rekor v1 (services.rekor.region), the shared CT log and the Rekor v2 shard, so Trillian too.
    expect(names("us-east1")).toEqual(
      ["ctlog@ctlog-system", "dex@dex-system", "fulcio@fulcio-system", "rekor-tiles-1@rekor-tiles-system", "rekor@rekor-system", "trillian@trillian-system", "tsa@tsa-system"].sort(),
    );
    // europe-west1 runs no Trillian log: no Rekor v1 copy, no CT log copy, no Trillian.
    expect(names("europe-west1")).toEqual(["ctlog-tiles-1@ctlog-tiles-system", "dex@dex-system", "fulcio@fulcio-system", "tsa@tsa-system"].sort());
    const w = stackOf("europe-west1").workloads;
    expect([w.rekor, w.ctlog, w.trillian]).toEqual([undefined, undefined, undefined]);
  });

  it("pins each chart to the version of the reference chart, atomic, waiting for pods and jobs, with a timeout", () => {
    for (const region of REGIONS) {
      for (const release of helmReleases(region).filter((r) => r.repository)) {
        const chart = release.chart as string;
        expect(release.version).toBe(chartYaml(chart).version);
        expect(release.repository).toBe(chart === "dex" ? "https://charts.dexidp.io" : "https://sigstore.github.io/helm-charts");
        expect(release).toMatchObject({ atomic: true, wait: true, wait_for_jobs: true, cleanup_on_fail: true });
        expect(release.timeout).toBeGreaterThanOrEqual(300);
        expect(release.values).toHaveLength(1);
        // One JSON document (JSON is YAML) whose only interpolations are references to resources.
        const references = String(release.values[0]).match(/\$\{[^}]*\}/g) ?? [];
        for (const ref of references) expect(ref).toMatch(/^\$\{(data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+\.[a-z_0-9.[\]"]+\}$/);
        expect(() => JSON.parse(String(release.values[0]).replace(/\$\{[^}]*\}/g, "ref"))).not.toThrow();
      }
    }
  });

  it("sets every image by a digest the chart's own Chart.yaml pins (Dex: by digest, for the chart's appVersion)", () => {
    let checked = 0;
    for (const region of REGIONS) {
      for (const release of chartReleases(region)) {
        const digests = annotatedDigests(release.chart);
        walk(release.values, (p, v) => {
          if (!v || typeof v !== "object" || Array.isArray(v)) return;
          const o = v as Record<string, unknown>;
          if (typeof o.registry === "string" && typeof o.repository === "string" && "version" in o) {
            expect(`${p}: ${o.version}`).toMatch(/: sha256:[0-9a-f]{64}$/);
            expect(digests.has(String(o.version))).toBe(true);
            checked++;
          }
        });
        if (release.chart === "dex") {
          const image = (release.values as any).image;
          expect(image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
          expect(image.tag).toBe(`v${chartYaml("dex").appVersion}`);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("sets only value paths the chart's values.yaml lists (or its templates read, as recorded in the fixture)", () => {
    for (const region of REGIONS) {
      for (const release of chartReleases(region)) {
        const defaults = parseYaml(chartFile(release.chart, "values.yaml")!);
        const unknown = unknownPaths(release.values, defaults).filter((p) => !(p in (TEMPLATE_ONLY[release.chart] ?? {})));
        expect({ chart: release.chart, unknown }).toEqual({ chart: release.chart, unknown: [] });
      }
    }
  });

  it("validates each release's values against the chart's values.schema.json", () => {
    let validated = 0;
    const validators = new Map<string, ReturnType<Ajv["compile"]>>();
    for (const region of REGIONS) {
      for (const release of chartReleases(region)) {
        const schemaText = chartFile(release.chart, "values.schema.json");
        if (!schemaText) continue;
        if (!validators.has(release.chart)) {
          const { $schema, ...schema } = JSON.parse(schemaText);
          // The charts' schemas are draft-07 or 2020-12; each is compiled by the matching validator.
          const ajv = String($schema).includes("2020-12") ? new Ajv2020({ strict: false, allErrors: true }) : new Ajv({ strict: false, allErrors: true });
          validators.set(release.chart, ajv.compile(schema));
        }
        const validate = validators.get(release.chart)!;
        // Helm validates the chart's defaults coalesced with the release's values.
        const defaults = parseYaml(chartFile(release.chart, "values.yaml")!);
        const ok = validate(coalesce(defaults, JSON.parse(JSON.stringify(release.values))));
        expect({ chart: release.chart, errors: ok ? [] : validate.errors }).toEqual({ chart: release.chart, errors: [] });
        validated++;
      }
    }
    // us-east1: trillian, rekor, ctlog, fulcio, tsa, rekor-tiles; europe-west1: fulcio, tsa, ctlog-tiles (dex has no schema).
    expect(validated).toBe(9);
  });

  it("the value-path check catches a misspelt key", () => {
    const defaults = parseYaml(chartFile("fulcio", "values.yaml")!);
    expect(unknownPaths({ server: { serviceAcount: { name: "x" } } }, defaults)).toEqual(["server.serviceAcount"]);
  });
});

describe("wiring to the stack's resources", () => {
  const values = (region: string, key: "trillian" | "rekor" | "fulcio" | "timestamp" | "dex" | "ctlog") => (stackOf(region).workloads[key] as any).chart.values;

  it("Trillian reaches Cloud SQL through the Auth Proxy with IAM authentication, each component as its own user", () => {
    const v = values("us-east1", "trillian");
    expect(v.mysql.enabled).toBe(false);
    expect(v.mysql.gcp.enabled).toBe(true);
    expect(v.mysql.gcp.cloudsql.iamUsername).toBe("sigstore-logserver-use1");
    expect(v.mysql.gcp.cloudsql.unixDomainSocket.enabled).toBe(true);
    expect(JSON.stringify(v)).not.toMatch(/"(rootPassword|password)":\s*"[^"]/);
    expect(v.logSigner.extraArgs[0]).toMatch(/^--mysql_uri=sigstore-logsigner-use1@unix\(\/cloudsql\/.+\)\/trillian\?/);
    const body = helmReleases("us-east1").find((r) => r.name === "trillian");
    expect(body.values[0]).toContain("google_sql_database_instance.");
    expect(body.values[0]).toContain(".connection_name");
  });

  it("Fulcio signs with its region's KMS key and its chain from trust (intermediate, then root), and trusts the configured issuers", () => {
    const v = values("europe-west1", "fulcio");
    expect(v.server.args.certificateAuthority).toBe("kmsca");
    expect(v.server.args.kms_resource).toMatch(/^gcpkms:\/\//);
    expect(helmReleases("europe-west1").find((r) => r.name === "fulcio").values[0]).toMatch(/gcpkms:\/\/\$\{google_kms_crypto_key\.[^}]*\.id\}/);
    const chain = new X509Certificate(v.server.args.kms_cert_chain);
    expect(chain.subject).toBe("CN=fulcio europe-west1");
    const pems = String(v.server.args.kms_cert_chain).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    expect(pems.map((pem) => pem.trim())).toEqual([pki.fulcioChain["europe-west1"].trim(), pki.fulcioRoot.trim()]);
    expect(values("us-east1", "fulcio").server.args.kms_cert_chain).toContain(pki.fulcioChain["us-east1"].trim());
    expect(v.config.contents).toEqual({
      OIDCIssuers: {
        "https://oauth2.sigstore.test.example/auth": { IssuerURL: "https://oauth2.sigstore.test.example/auth", ClientID: "sigstore", Type: "email", IssuerClaim: "$.federated_claims.connector_id" },
        "https://token.actions.githubusercontent.com": { IssuerURL: "https://token.actions.githubusercontent.com", ClientID: "sigstore", Type: "github-workflow" },
        "https://oidc.spire.prod.example.com": { IssuerURL: "https://oidc.spire.prod.example.com", ClientID: "sigstore", Type: "spiffe", SPIFFETrustDomain: "prod.example.com" },
      },
    });
  });

  it("Fulcio submits to the CT log its placement names: in-cluster where the log runs, through its public host elsewhere", () => {
    // The shared CT log runs in the primary region, under the prefix of that region.
    expect(values("us-east1", "fulcio").server.args).toMatchObject({ ct_log_url: "http://ctlog.ctlog-system.svc/us-east1", disable_ct_log: false });
    expect(values("europe-west1", "fulcio").server.args).toMatchObject({ ct_log_url: "https://ctfe.sigstore.test.example/us-east1", disable_ct_log: false });
    // The CT log serves under that prefix.
    expect(values("us-east1", "ctlog").createctconfig.logPrefix).toBe("us-east1");
  });

  it("the TSA signs with its chain from trust (signing certificate, then root) and its region's keyset", () => {
    const v = (stackOf("europe-west1").workloads.timestamp as any).chart.values;
    const pems = String(v.server.args.cert_chain).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    expect(pems.map((pem) => pem.trim())).toEqual([pki.tsaChain["europe-west1"].trim(), pki.tsaRoot.trim()]);
    expect(v.server.args.tink_enc_keyset).toBe(keyset("Q2lRQg=="));
  });

  it("Rekor signs with its KMS key, indexes through the Auth Proxy as its IAM user, and reads its tree from createtree's ConfigMap", () => {
    const v = values("us-east1", "rekor");
    expect(v.server.signer).toMatch(/^gcpkms:\/\//);
    expect(v.mysql.gcp.cloudsql.iamUsername).toBe("sigstore-rekor-use1");
    expect(v.trillian.enabled).toBe(false);
    const data = regional("us-east1").data!.kubernetes_config_map_v1 as Record<string, any>;
    const rekorTree = Object.values(data).find((d: any) => d.metadata.name === "rekor-config");
    expect(rekorTree.metadata.namespace).toBe("rekor-system");
    expect(rekorTree.depends_on).toEqual([expect.stringMatching(/^helm_release\..*rekor.*$/)]);
    const outputs = Object.values(regional("us-east1").output ?? {}) as any[];
    expect(outputs.filter((o) => /kubernetes_config_map_v1\..*\.data\["treeID"\]/.test(String(o.value)))).toHaveLength(2);
  });

  it("Dex's issuer is on the public host, its connector secret comes from Secret Manager through the CSI driver", () => {
    const v = values("us-east1", "dex");
    expect(v.config.issuer).toBe("https://oauth2.sigstore.test.example/auth");
    const github = v.config.connectors[0];
    expect(github.config.clientSecret).toBe('{{ file.Read "/var/run/secrets/dex-connectors/github-client-secret" | strings.TrimSpace }}');
    expect(github.config.redirectURI).toBe("https://oauth2.sigstore.test.example/auth/callback");
    const csi = v.volumes.find((vol: any) => vol.csi);
    expect(csi.csi.driver).toBe("secrets-store-gke.csi.k8s.io");
    const spc = stackOf("us-east1").workloads.dex.secretProviderClass!.objects[0] as any;
    expect(spc.kind).toBe("SecretProviderClass");
    expect(spc.spec.parameters.secrets).toMatch(/versions\/latest/);
  });

  it("every Kubernetes service account's workload identity annotation names a Google account bound to exactly that KSA", () => {
    let checked = 0;
    for (const region of REGIONS) {
      const json = regional(region);
      const accounts = json.resource!.google_service_account as Record<string, any>;
      const bindings = Object.values(json.resource!.google_service_account_iam_member as Record<string, any>).filter((b) => b.role === "roles/iam.workloadIdentityUser");
      for (const release of chartReleases(region)) {
        walk(release.values, (p, v) => {
          if (!v || typeof v !== "object") return;
          const annotations = (v as any).annotations;
          const gsa = annotations?.["iam.gke.io/gcp-service-account"];
          if (!gsa) return;
          const ksa = (v as any).name as string;
          const namespace = release.namespace;
          // The annotation is a reference to a service account of this stack...
          const m = /^\$\{google_service_account\.([^.]+)\.email\}$/.exec(resolved(region, gsa));
          expect(m).not.toBeNull();
          expect(accounts[m![1]]).toBeDefined();
          // ...that has a workloadIdentityUser binding for this namespace/KSA.
          const bound = bindings.filter((b) => b.service_account_id === `\${google_service_account.${m![1]}.name}` && String(b.member).endsWith(`[${namespace}/${ksa}]`));
          expect({ release: release.chart, path: p, ksa, bound: bound.length }).toEqual({ release: release.chart, path: p, ksa, bound: 1 });
          checked++;
        });
      }
    }
    // us-east1: log server, log signer, rekor, ctlog, fulcio, tsa, dex, rekor-tiles; europe-west1: fulcio, tsa, dex, ctlog-tiles.
    expect(checked).toBe(12);
  });

  it("no secret value appears in the synthesized output", () => {
    expect(rawOutput.length).toBeGreaterThan(1000);
    expect(rawOutput).not.toContain(SECRET_MARKER);
    for (const region of REGIONS) {
      expect(regional(region).resource?.google_secret_manager_secret_version ?? {}).not.toEqual(
        expect.objectContaining({ secret_data: expect.stringContaining("client-secret") }),
      );
      // Nothing reads a secret's value into state, and no connector secret gets a version from Terraform.
      expect(regional(region).data?.google_secret_manager_secret_version).toBeUndefined();
      const versions = Object.values(regional(region).resource?.google_secret_manager_secret_version ?? {}) as any[];
      expect(versions.filter((v) => String(v.secret).includes("dex"))).toEqual([]);
      for (const release of helmReleases(region)) {
        expect(release.set_sensitive).toBeUndefined();
        expect(release.values[0]).not.toMatch(/clientSecret:?\s*"?[A-Za-z0-9]{20,}/);
        expect(release.values[0]).not.toMatch(/password"?\s*[=:]\s*"[^"]+"/i);
      }
    }
  });
});

describe("the CT log's signing key", () => {
  const values = (region: string, key: "ctlog") => (stackOf(region).workloads[key] as any).chart.values;
  const east = () => regional("us-east1");
  const loaderRelease = () => helmReleases("us-east1").find((r) => r.name === "ctlog-key-loader");
  const loaderObjects = () => JSON.parse(loaderRelease().values[0]).objects as any[];
  const secretIdOf = (ref: string) => {
    const m = /^\$\{google_secret_manager_secret\.([^.]+)\.id\}/.exec(ref);
    expect(m).not.toBeNull();
    return (east().resource!.google_secret_manager_secret as Record<string, any>)[m![1]].secret_id as string;
  };
  const accountIdOf = (ref: string) => {
    const m = /^\$\{google_service_account\.([^.]+)\.(email|name)\}$/.exec(ref);
    expect(m).not.toBeNull();
    return (east().resource!.google_service_account as Record<string, any>)[m![1]].account_id as string;
  };

  it("createctconfig takes the key from the Secrets the loader writes, so no path generates one", () => {
    const cc = values("us-east1", "ctlog").createctconfig;
    // createctconfig generates a key only when --private-secret is empty, and decrypts with "test" without a password Secret.
    expect(cc.privateSecret).toBe("ctlog-private-key");
    expect(cc.privateKeyPasswordSecretName).toBe("ctlog-private-key-password");
    expect(cc.pubkeysecret).toBe("ctlog-public-key");
    const role = loaderObjects().find((o) => o.kind === "Role");
    expect(role.rules.find((r: any) => r.resourceNames).resourceNames).toEqual([cc.privateSecret, cc.privateKeyPasswordSecretName]);
    const script: string = loaderObjects().find((o) => o.kind === "Job").spec.template.spec.containers[0].command[2];
    // The Secret keys createctconfig reads: "private" (main.go privateKey) and "password" (the chart's secretKeyRef).
    expect(script).toContain(`apply ${cc.privateSecret} private `);
    expect(script).toContain(`apply ${cc.privateKeyPasswordSecretName} password `);
    // Nothing else sets createctconfig's key flags.
    const release = helmReleases("us-east1").find((r) => r.name === "ctlog");
    expect(release.set).toBeUndefined();
    expect(release.set_sensitive).toBeUndefined();
  });

  it("the loader mounts the CtLog's two secrets through GKE's Secret Manager add-on, as the CT log's account", () => {
    const objects = loaderObjects();
    const spc = objects.find((o) => o.kind === "SecretProviderClass");
    expect(spc.spec.provider).toBe("gke");
    const mounted = JSON.parse(spc.spec.parameters.secrets) as { resourceName: string; path: string }[];
    expect(mounted.map((m) => [secretIdOf(m.resourceName), m.resourceName.replace(/^\$\{[^}]+\}/, ""), m.path])).toEqual([
      ["sigstore-ctlog-us-east1-private-key", "/versions/latest", "private"],
      ["sigstore-ctlog-us-east1-private-key-passphrase", "/versions/latest", "password"],
    ]);
    const ksa = objects.find((o) => o.kind === "ServiceAccount");
    expect(ksa.metadata).toMatchObject({ name: "ctlog-key-loader", namespace: "ctlog-system" });
    const gsa = accountIdOf(ksa.metadata.annotations["iam.gke.io/gcp-service-account"]);
    expect(gsa).toBe("sigstore-ctlog-use1");
    const pod = objects.find((o) => o.kind === "Job").spec.template.spec;
    expect(pod.serviceAccountName).toBe("ctlog-key-loader");
    expect(pod.volumes.find((v: any) => v.csi).csi).toEqual({ driver: "secrets-store-gke.csi.k8s.io", readOnly: true, volumeAttributes: { secretProviderClass: spc.metadata.name } });
    // The KSA may act as the CT log's account: a workloadIdentityUser binding names exactly it.
    const bindings = Object.values(east().resource!.google_service_account_iam_member as Record<string, any>).filter((b) => String(b.member).endsWith("[ctlog-system/ctlog-key-loader]"));
    expect(bindings).toHaveLength(1);
    expect(bindings[0].role).toBe("roles/iam.workloadIdentityUser");
    expect(accountIdOf(bindings[0].service_account_id)).toBe(gsa);
  });

  it("only the CT log's account reads the key and its password", () => {
    const grants = Object.values(east().resource!.google_secret_manager_secret_iam_member as Record<string, any>).filter((g) => /ctlog-us-east1-private-key/.test(secretIdOf(g.secret_id)));
    expect(grants.map((g) => [secretIdOf(g.secret_id), g.role, accountIdOf(g.member.replace(/^serviceAccount:/, ""))]).sort()).toEqual([
      ["sigstore-ctlog-us-east1-private-key", "roles/secretmanager.secretAccessor", "sigstore-ctlog-use1"],
      ["sigstore-ctlog-us-east1-private-key-passphrase", "roles/secretmanager.secretAccessor", "sigstore-ctlog-use1"],
    ]);
  });

  it("installs the loader (waiting for its Job) before the chart, and publishes the log's NEG only after the served key is checked", () => {
    const loader = loaderRelease();
    expect(loader).toMatchObject({ namespace: "ctlog-system", wait: true, wait_for_jobs: true, atomic: true });
    const loaderId = Object.entries(east().resource!.helm_release as Record<string, any>).find(([, r]) => r.name === "ctlog-key-loader")![0];
    const chart = helmReleases("us-east1").find((r) => r.name === "ctlog");
    expect(chart.depends_on).toContain(`helm_release.${loaderId}`);
    const checks = Object.entries(east().data!.kubernetes_secret_v1 as Record<string, any>);
    expect(checks).toHaveLength(1);
    const [checkId, check] = checks[0];
    expect(check.metadata).toEqual({ name: "ctlog-public-key", namespace: "ctlog-system" });
    expect(check.depends_on).toEqual([expect.stringMatching(/^helm_release\..*ctlog_chart/)]);
    // The pinned key, as DER: whatever PEM line breaks the configuration and createctconfig use.
    const der = createPublicKey(CT_PUBLIC_PEM).export({ type: "spki", format: "der" }).toString("base64");
    const [postcondition] = check.lifecycle.postcondition;
    expect(postcondition.condition).toContain(`== "${der}"`);
    expect(postcondition.condition).toContain("self.data");
    expect(postcondition.error_message).toContain("ctlog.publicKeys.us-east1");
    const publication = Object.values(east().resource!.terraform_data as Record<string, any>).find((d) => d.input?.http === stackOf("us-east1").ctlog!.negName);
    expect(publication.depends_on).toContain(`data.kubernetes_secret_v1.${checkId}`);
  });

  it("no private key material reaches the synthesized output", () => {
    expect(rawOutput).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    expect(rawOutput).not.toContain(CT_PRIVATE_DER_B64.slice(0, 40));
    // No secret version of the CT log's key is created or read by Terraform.
    const versions = Object.values(east().resource?.google_secret_manager_secret_version ?? {}) as any[];
    expect(versions.filter((v) => String(v.secret).includes("ctlog"))).toEqual([]);
    expect(east().data?.google_secret_manager_secret_version).toBeUndefined();
    expect(east().data?.google_secret_manager_secret_version_access).toBeUndefined();
  });
});

describeWithTerraform("the CT log's public key postcondition, evaluated by Terraform", () => {
  /** The synthesized condition with `self.data` replaced by the Secret createctconfig would write. */
  function holds(secretData: Record<string, string> | null): string {
    const check = Object.values(regional("us-east1").data!.kubernetes_secret_v1 as Record<string, any>)[0];
    const condition = String(check.lifecycle.postcondition[0].condition).replace(/^\$\{([\s\S]*)\}$/, "$1");
    const literal = secretData === null ? "null" : `{ ${Object.entries(secretData).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(", ")} }`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctlog-postcondition-"));
    try {
      const run = spawnSync("terraform", ["console"], { cwd: dir, input: `${condition.split("self.data").join(literal)}\n`, encoding: "utf8" });
      expect(run.status).toBe(0);
      return run.stdout.trim();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  // createctconfig writes the PKIX key as Go's pem.EncodeToMemory does: 64-character lines.
  const goPem = (der: Buffer) => `-----BEGIN PUBLIC KEY-----\n${der.toString("base64").match(/.{1,64}/g)!.join("\n")}\n-----END PUBLIC KEY-----\n`;

  it("holds for the pinned key, whatever its line breaks", () => {
    expect(holds({ public: goPem(CT_KEY.publicKey.export({ type: "spki", format: "der" })) })).toBe("true");
  });

  it("fails for another key, a missing key and a missing Secret", () => {
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "der" });
    expect(holds({ public: goPem(other) })).toBe("false");
    expect(holds({})).toBe("false");
    // The provider's data source of a Secret that does not exist has no data.
    expect(holds(null)).toBe("false");
  });
});

describe("NEGs", () => {
  const SERVICES = ["fulcio", "tsa", "dex", "rekor", "ctlog"] as const;
  const annotatedNeg = (values: any, port: string) => JSON.parse(values.server.service.annotations["cloud.google.com/neg"]).exposed_ports[port].name as string;

  it("each public release's Service asks for the standalone NEGs the global stack's backends name, in every zone", () => {
    const global = stacks.global;
    const backends = Object.values(global.resource!.google_compute_backend_service as Record<string, any>);
    const groups = backends.flatMap((b) => (b.backend ?? []).map((x: any) => String(x.group)));
    for (const region of REGIONS) {
      const json = regional(region);
      const zones = config.regions.find((r) => r.region === region)!.zones;
      const w = stackOf(region).workloads;
      // NEG names in the releases, read from the charts' own value paths.
      const releaseNegs: Record<string, string[]> = {
        fulcio: [(w.fulcio!.chart.values as any).neg.http.name, (w.fulcio!.chart.values as any).neg.grpc.name],
        tsa: [(w.timestamp!.chart.values as any).neg.http.name],
        dex: [JSON.parse((w.dex.chart.values as any).service.annotations["cloud.google.com/neg"]).exposed_ports["5556"].name],
        // Rekor v1 and the CT log run only where placed; their charts take the NEG annotation as server.service.annotations.
        rekor: w.rekor ? [annotatedNeg(w.rekor.chart.values, "80")] : [],
        ctlog: w.ctlog ? [annotatedNeg(w.ctlog.chart.values, "80")] : [],
      };
      expect({ region, rekor: releaseNegs.rekor.length, ctlog: releaseNegs.ctlog.length }).toEqual({ region, rekor: region === "us-east1" ? 1 : 0, ctlog: region === "us-east1" ? 1 : 0 });
      if (w.ctlog) expect(releaseNegs.ctlog).toEqual([stackOf(region).ctlog!.negName]);
      if (w.rekor) expect(releaseNegs.rekor).toEqual([stackOf(region).endpoints.rekor!.negNames.http]);
      expect(Object.keys(JSON.parse((w.dex.chart.values as any).service.annotations["cloud.google.com/neg"]).exposed_ports)).toEqual(["5556"]);
      const lookups = Object.values(json.data!.google_compute_network_endpoint_group as Record<string, any>);
      const published = json.resource!.terraform_data as Record<string, any>;
      for (const service of SERVICES) {
        for (const neg of releaseNegs[service]) {
          // The regional stack waits for this NEG in every zone, after the release.
          for (const zone of zones) {
            const lookup = lookups.filter((l) => l.name === neg && l.zone === zone);
            expect({ neg, zone, n: lookup.length }).toEqual({ neg, zone, n: 1 });
            expect(lookup[0].depends_on).toEqual([expect.stringMatching(/^helm_release\./)]);
          }
          // It publishes the same name, only after the look-ups...
          const [pubId, pub] = Object.entries(published).find(([, d]) => Object.values(d.input ?? {}).includes(neg))!;
          const key = Object.entries(pub.input).find(([, v]) => v === neg)![0];
          expect(pub.input.zones).toEqual(zones);
          expect(pub.depends_on.filter((d: string) => d.startsWith("data.google_compute_network_endpoint_group.")).length).toBe(zones.length * releaseNegs[service].length);
          // ...and the global stack routes to exactly that name in every zone, through this stack's output of it.
          const [outputName] = Object.entries(json.output ?? {}).find(([, o]: [string, any]) => o.value === `\${terraform_data.${pubId}.output.${key}}`)!;
          const remote = `cross_stack_reference_input_regional_${region.replace(/-/g, "_")}`;
          for (const zone of zones) {
            expect(groups).toContain(`projects/sigstore-test/zones/${zone}/networkEndpointGroups/\${data.terraform_remote_state.${remote}.outputs.${outputName}}`);
          }
          // No backend names a zone the region does not have.
          const ofThisOutput = groups.filter((g) => g.endsWith(`.${remote}.outputs.${outputName}}`));
          expect(ofThisOutput).toHaveLength(zones.length);
        }
      }
    }
  });

  it("with its chain configured, each region's own front end of Fulcio and the TSA routes to the release's NEGs in every zone", () => {
    for (const region of REGIONS) {
      const zones = config.regions.find((r) => r.region === region)!.zones;
      const w = stackOf(region).workloads;
      const backends = Object.values(regional(region).resource!.google_compute_backend_service as Record<string, any>);
      const expected: [RegExp, string][] = [
        [/^sigstore-fulcio-[a-z0-9]+-http-backend$/, (w.fulcio!.chart.values as any).neg.http.name],
        [/^sigstore-fulcio-[a-z0-9]+-grpc-backend$/, (w.fulcio!.chart.values as any).neg.grpc.name],
        [/^sigstore-tsa-[a-z0-9]+-http-backend$/, (w.timestamp!.chart.values as any).neg.http.name],
      ];
      for (const [name, neg] of expected) {
        const found = backends.filter((b) => name.test(b.name));
        expect(found).toHaveLength(1);
        const groups = found[0].backend.map((b: any) => resolved(region, String(b.group)));
        expect(groups).toHaveLength(zones.length);
        zones.forEach((zone, i) => expect(groups[i]).toMatch(new RegExp(`^projects/sigstore-test/zones/${zone}/networkEndpointGroups/\\$\\{terraform_data\\.[a-z0-9_]+\\.output\\.(http|grpc)\\}$`)));
        // The published value those groups read carries the release's NEG name.
        const published = Object.values(regional(region).resource!.terraform_data as Record<string, any>).filter((d) => Object.values(d.input ?? {}).includes(neg));
        expect(published).toHaveLength(1);
      }
    }
  });

  it("never exposes health or metrics ports: NEG ports are the serving ones", () => {
    for (const region of REGIONS) {
      const w = stackOf(region).workloads;
      expect((w.fulcio!.chart.values as any).neg).toMatchObject({ http: { port: 80 }, grpc: { port: 5554 } });
      expect((w.timestamp!.chart.values as any).neg.http.port).toBe(80);
      // Fulcio's chart writes the standalone annotation only without GCE ingresses.
      expect((w.fulcio!.chart.values as any).server.ingresses).toEqual([]);
    }
    // The service ports the charts declare for metrics (2112, 6963) are never NEG ports.
    const fulcioPorts = parseYaml(chartFile("fulcio", "values.yaml")!).server.service.ports.map((p: any) => p.port);
    expect(fulcioPorts).toContain(2112);
  });
});

describe("key publisher", () => {
  const json = () => regional("us-east1");
  it("is deployed after Dex, ready while its loop runs, and its budget never blocks a drain", () => {
    const deployment = Object.values(json().resource!.kubernetes_deployment_v1 as Record<string, any>).find((d) => d.metadata.name === "jwks-publisher");
    expect(deployment.depends_on).toEqual([expect.stringMatching(/^helm_release\..*dex.*/)]);
    const container = deployment.spec.template.spec.container[0];
    expect(container.readiness_probe.http_get.path).toBe("/livez");
    expect(json().resource!.kubernetes_pod_disruption_budget_v1).toBeUndefined();
    const pdb = stackOf("us-east1").jwksPublisher!.disruptionBudget.objects[0] as any;
    expect(pdb.spec).toMatchObject({ minAvailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" });
  });
});

describe("configuration errors name the field", () => {
  const bad = (change: (c: any) => void) => () => parseConfig(withConfig(change));
  it.each([
    ["regional.fulcio.issuers[0].issuerUrl", (c: any) => (c.regional = { fulcio: { issuers: [{ issuerUrl: "http://token.example.com", type: "email" }] } })],
    ["regional.fulcio.issuers[1].issuerUrl", (c: any) => (c.regional = { fulcio: { issuers: [{ issuerUrl: "https://a.example.com", type: "email" }, { issuerUrl: "https://a.example.com", type: "email" }] } })],
    ["regional.fulcio.issuers[0].type", (c: any) => (c.regional = { fulcio: { issuers: [{ issuerUrl: "https://a.example.com", type: "github" }] } })],
    ["regional.fulcio.issuers[0].spiffeTrustDomain", (c: any) => (c.regional = { fulcio: { issuers: [{ issuerUrl: "https://a.example.com", type: "spiffe" }] } })],
    ["regional.tsa.encryptedKeysets.us-east1", (c: any) => (c.regional = { tsa: { encryptedKeysets: { "us-east1": "not a keyset" } } })],
    ["tiles.rekor.encryptedKeysets.europe-west1", (c: any) => (c.tiles = { rekor: { encryptedKeysets: { "europe-west1": keyset("QQ==") } } }, c.features = { rekorTiles: true })],
    ["tiles.ctlog.encryptedKeysets.us-east1", (c: any) => (c.tiles = { ctlog: { encryptedKeysets: { "us-east1": keyset("QQ==") } } }, c.features = { ctlogTiles: true })],
    ["regional.tsa.encryptedKeysets.us-west1", (c: any) => (c.regional = { tsa: { encryptedKeysets: { "us-west1": keyset("QQ==") } } })],
    ["regional.dex.connectors[0].clientSecret", (c: any) => (c.regional = { dex: { connectors: [{ id: "gh", type: "github", name: "GitHub", clientId: "x", clientSecret: "nope" }] } })],
    ["regional.dex.connectors[0].config", (c: any) => (c.regional = { dex: { connectors: [{ id: "gh", type: "github", name: "GitHub", clientId: "x", clientSecret: "github-client-secret", config: { clientSecret: SECRET_MARKER } }] } })],
  ])("%s", (field, change) => {
    expect(bad(change)).toThrow(new RegExp(field.replace(/[.[\]]/g, "\\$&")));
  });
});

// ---------------------------------------------------------------- helpers


function walk(value: unknown, visit: (path: string, value: unknown) => void, at = ""): void {
  visit(at, value);
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, visit, `${at}[${i}]`));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, visit, at ? `${at}.${k}` : k);
}


/** Resolves a cdktf token string as it is rendered in the region's JSON. */
function resolved(region: string, token: string): string {
  return Tokenization.resolve(token, { scope: stackOf(region), preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
}
