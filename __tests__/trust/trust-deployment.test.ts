import { TerraformOutput } from "cdktf";
import { addSigstoreDeployment, SigstoreDeployment } from "../../lib/app";
import { parseConfig } from "../../lib/config/load";
import { TRUST_OUTPUTS } from "../../lib/trust/types";
import { resources, StackJson, synthDeployment, withConfig } from "../helpers/synth";
import { issue, Issued, logPublicKey, selfSigned } from "./pki";
import { testApp } from "../helpers/construct";

// One synthesized two-region deployment with every kind of signer, each
// region running its own CT log and Rekor v2 shard, and CA Service as the
// Fulcio CA. Expected values come from the configuration and from the
// synthesized resources, never from the functions under test.
const REGIONS = ["us-east1", "europe-west1"];
const DOMAIN = "sigstore.test.example";
const keys = {
  ct: { "us-east1": logPublicKey(), "europe-west1": logPublicKey() } as Record<string, string>,
  rekorTiles: { "us-east1": logPublicKey(), "europe-west1": logPublicKey() } as Record<string, string>,
  ctTiles: { "europe-west1": logPublicKey() } as Record<string, string>,
};
const config = parseConfig(
  withConfig((c) => {
    c.regional = { fulcio: { ca: "privateca" } };
    c.features = { rekorTiles: true, ctlogTiles: true };
    c.ctlog = { placement: "perRegion", publicKeys: keys.ct };
    c.tiles = { rekor: { regions: REGIONS, publicKeys: keys.rekorTiles }, ctlog: { region: "europe-west1", publicKeys: keys.ctTiles } };
    c.trust = { validFrom: "2026-01-01T00:00:00Z", regions: { "europe-west1": { validFrom: "2026-06-01T00:00:00Z" } } };
  }),
);
const { stacks } = synthDeployment(config);
const regional = (region: string): StackJson => stacks[`regional-${region}`];
const global = stacks.global;
const material = global.output![TRUST_OUTPUTS.material].value;
const urls = global.output![TRUST_OUTPUTS.urls].value;

/** `${data.terraform_remote_state.cross_stack_reference_input_<stack>.outputs.<name>}` -> [stack, output name]. */
function remoteOutput(ref: string): [string, string] {
  const m = /^\$\{data\.terraform_remote_state\.cross_stack_reference_input_([a-z0-9_]+)\.outputs\.([A-Za-z0-9_]+)\}$/.exec(ref);
  if (!m) throw new Error(`"${ref}" is not a cross-stack reference`);
  return [m[1].replace(/_/g, "-"), m[2]];
}

/** The expression a cross-stack reference resolves to in the stack that owns the value. */
function resolveRemote(ref: string): string {
  const [stack, output] = remoteOutput(ref);
  const value = stacks[stack].output?.[output]?.value;
  if (typeof value !== "string") throw new Error(`${stack} has no output ${output}`);
  return value;
}

const byType = (stack: StackJson, type: string) => Object.entries(resources(stack, type));
const regionalStacks = () => Object.entries(stacks).filter(([id]) => id.startsWith("regional-"));

describe("one Fulcio root for the deployment", () => {
  const cas = regionalStacks().flatMap(([id, s]) => byType(s, "google_privateca_certificate_authority").map(([lid, ca]) => ({ stack: id, lid, ca })));
  const roots = cas.filter((c) => c.ca.type === "SELF_SIGNED");

  it("is one self-signed root, in the primary region's stack", () => {
    expect(roots).toHaveLength(1);
    expect(roots[0].stack).toBe("regional-us-east1");
    expect(roots[0].ca.location).toBe("us-east1");
    expect(resources(global, "google_privateca_certificate_authority")).toEqual({});
  });

  it("forgets each region's former self-signed root without destroying it", () => {
    for (const region of REGIONS) {
      expect(regional(region).removed).toEqual(
        expect.arrayContaining([{ from: "google_privateca_certificate_authority.fulcio_ca_root_ca", lifecycle: { destroy: false } }]),
      );
    }
  });

  it("signs one subordinate CA per region, each in its own region's pool", () => {
    for (const region of REGIONS) {
      const subs = cas.filter((c) => c.stack === `regional-${region}` && c.ca.type === "SUBORDINATE");
      expect(subs).toHaveLength(1);
      expect(subs[0].ca.location).toBe(region);
      const issuer = subs[0].ca.subordinate_config.certificate_authority;
      const rootRef = `\${google_privateca_certificate_authority.${roots[0].lid}.id}`;
      // The primary names its own root; every other region gets it as a cross-stack value.
      expect(region === "us-east1" ? issuer : resolveRemote(issuer)).toBe(rootRef);
    }
  });
});

describe("distinct signing keys", () => {
  /** Every key-holding resource of every stack, by a deployment-wide identity. */
  const holders = regionalStacks().flatMap(([id, s]) => [
    ...byType(s, "google_kms_crypto_key").map(([, key]) => {
      const ring = resources(s, "google_kms_key_ring")[/^\$\{google_kms_key_ring\.([^.]+)\.id\}$/.exec(key.key_ring)![1]];
      return { stack: id, kind: "kms", identity: `${ring.location}/${ring.name}/${key.name}`, purpose: key.purpose };
    }),
    ...byType(s, "google_secret_manager_secret").map(([, secret]) => ({ stack: id, kind: "secret", identity: secret.secret_id as string, purpose: "" })),
    ...byType(s, "google_privateca_certificate_authority").map(([, ca]) => ({ stack: id, kind: "ca", identity: `${ca.location}/${ca.certificate_authority_id}`, purpose: ca.type })),
  ]);

  it("never names one key (KMS key, key secret or CA) twice across all stacks", () => {
    const identities = holders.map((h) => `${h.kind}:${h.identity}`);
    expect(new Set(identities).size).toBe(identities.length);
    expect(holders.filter((h) => h.kind !== "ca").every((h) => h.identity.includes(h.stack.replace("regional-", "")))).toBe(true);
  });

  it("gives each region its own Fulcio CA, TSA key, CT log key and Rekor v2 key", () => {
    for (const region of REGIONS) {
      const own = holders.filter((h) => h.stack === `regional-${region}`);
      expect(own.filter((h) => h.kind === "ca" && h.purpose === "SUBORDINATE")).toHaveLength(1);
      expect(own.filter((h) => h.kind === "kms" && h.identity.includes("-tsa-") && h.purpose === "ASYMMETRIC_SIGN")).toHaveLength(1);
      expect(own.filter((h) => h.kind === "secret" && h.identity === `sigstore-ctlog-${region}-private-key`)).toHaveLength(1);
      expect(own.filter((h) => h.kind === "kms" && h.identity.includes("rekor-tiles") && h.identity.endsWith("checkpoint-signer-kek"))).toHaveLength(1);
    }
  });
});

describe("trust_material", () => {
  it("lists each region's CA once, with the chain of that region's own subordinate", () => {
    expect(material.certificateAuthorities.map((a: any) => a.region)).toEqual(REGIONS);
    for (const authority of material.certificateAuthorities) {
      expect(authority.uri).toBe(`https://fulcio.${DOMAIN}`);
      const [stack] = remoteOutput(authority.certChainPem);
      expect(stack).toBe(`regional-${authority.region}`);
      expect(resolveRemote(authority.certChainPem)).toMatch(/^\$\{google_privateca_certificate_authority\.[^.]+\.pem_ca_certificates\}$/);
    }
  });

  it("lists each region's TSA once, pending its ceremony, with the configured validity", () => {
    expect(material.timestampAuthorities.map((a: any) => [a.region, a.uri, a.certChainPem, a.validFor.start])).toEqual([
      ["us-east1", `https://timestamp.${DOMAIN}`, [], "2026-01-01T00:00:00Z"],
      ["europe-west1", `https://timestamp.${DOMAIN}`, [], "2026-06-01T00:00:00Z"],
    ]);
  });

  it("lists every CT log once, each with its own key and public URL", () => {
    expect(material.ctLogs.map((l: any) => [l.region, l.baseUrl, l.publicKeyPem])).toEqual([
      ["us-east1", `https://ctfe.${DOMAIN}/us-east1`, keys.ct["us-east1"]],
      ["europe-west1", `https://ctfe.${DOMAIN}/europe-west1`, keys.ct["europe-west1"]],
      ["europe-west1", `https://ctlog-1.${DOMAIN}`, keys.ctTiles["europe-west1"]],
    ]);
  });

  it("lists every Rekor log once: each Rekor v1 key read where it is created, and each Rekor v2 shard", () => {
    const v1 = material.transparencyLogs.filter((l: any) => l.baseUrl === `https://rekor.${DOMAIN}`);
    // As many Rekor v1 entries as stacks that hold a Rekor v1 signing key.
    const v1Regions = REGIONS.filter((r) => byType(regional(r), "google_kms_crypto_key").some(([, k]) => k.name === "log-signing"));
    expect(v1Regions.length).toBeGreaterThan(0);
    expect(v1.map((l: any) => l.region)).toEqual(v1Regions);
    for (const log of v1) {
      const [stack] = remoteOutput(log.publicKeyPem);
      expect(stack).toBe(`regional-${log.region}`);
      const pem = /^\$\{data\.google_kms_crypto_key_version\.([^.]+)\.public_key\[0\]\.pem\}$/.exec(resolveRemote(log.publicKeyPem));
      expect(pem).not.toBeNull();
      const version = stacks[stack].data!.google_kms_crypto_key_version[pem![1]];
      const key = resources(stacks[stack], "google_kms_crypto_key")[/^\$\{google_kms_crypto_key\.([^.]+)\.id\}$/.exec(version.crypto_key)![1]];
      expect(key.name).toBe("log-signing");
    }
    const v2 = material.transparencyLogs.filter((l: any) => l.baseUrl !== `https://rekor.${DOMAIN}`);
    expect(v2.map((l: any) => [l.region, l.baseUrl, l.publicKeyPem])).toEqual([
      ["us-east1", `https://rekor-1-use1.${DOMAIN}`, keys.rekorTiles["us-east1"]],
      ["europe-west1", `https://rekor-1-euw1.${DOMAIN}`, keys.rekorTiles["europe-west1"]],
    ]);
    const all = [...material.transparencyLogs, ...material.ctLogs].map((l: any) => `${l.baseUrl} ${l.region}`);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe("instance_urls", () => {
  it("names the instance's one host per service and every write path", () => {
    expect(urls).toEqual({
      fulcio: `https://fulcio.${DOMAIN}`,
      rekor: [`https://rekor.${DOMAIN}`, `https://rekor-1.${DOMAIN}`],
      rekorApiVersions: [1, 2],
      tsa: [`https://timestamp.${DOMAIN}`],
      oidcIssuer: `https://oauth2.${DOMAIN}/auth`,
      tufMirror: `https://tuf.${DOMAIN}`,
      validFrom: "2026-01-01T00:00:00Z",
      operator: DOMAIN,
    });
  });
});

describe("signing_config", () => {
  it("is an output of the global stack, in the v0.2 format, naming this instance's services", () => {
    const signing = global.output![TRUST_OUTPUTS.signingConfig].value;
    expect(signing.mediaType).toBe("application/vnd.dev.sigstore.signingconfig.v0.2+json");
    expect(signing.caUrls.map((u: any) => u.url)).toEqual([`https://fulcio.${DOMAIN}`]);
    expect(signing.oidcUrls.map((u: any) => u.url)).toEqual([`https://oauth2.${DOMAIN}/auth`]);
    expect(signing.rekorTlogUrls.map((u: any) => [u.url, u.majorApiVersion])).toEqual([
      [`https://rekor.${DOMAIN}`, 1],
      [`https://rekor-1.${DOMAIN}`, 2],
    ]);
    expect(signing.tsaUrls.map((u: any) => u.url)).toEqual([`https://timestamp.${DOMAIN}/api/v1/timestamp`]);
  });
});

describe("Rekor v2 shards in two regions", () => {
  const urlMaps = Object.values(resources(global, "google_compute_url_map"));
  const backendOf = (host: string) => {
    const map = urlMaps.find((m) => m.host_rule?.[0]?.hosts.includes(host));
    if (!map) throw new Error(`no URL map for ${host}`);
    const id = /^\$\{google_compute_backend_service\.([^.]+)\.id\}$/.exec(map.default_service)![1];
    return resources(global, "google_compute_backend_service")[id];
  };
  const zonesOf = (backend: any) => backend.backend.map((b: any) => /\/zones\/([^/]+)\//.exec(b.group)![1]);

  it("serves each shard on its own host, from its own region only", () => {
    expect(zonesOf(backendOf(`rekor-1-use1.${DOMAIN}`))).toEqual(["us-east1-b", "us-east1-c"]);
    expect(zonesOf(backendOf(`rekor-1-euw1.${DOMAIN}`))).toEqual(["europe-west1-b", "europe-west1-c", "europe-west1-d"]);
  });

  it("has one write host whose health-checked backend spans every shard's region", () => {
    const write = backendOf(`rekor-1.${DOMAIN}`);
    expect(zonesOf(write)).toEqual(["us-east1-b", "us-east1-c", "europe-west1-b", "europe-west1-c", "europe-west1-d"]);
    expect(write.health_checks).toHaveLength(1);
    const records = Object.values(resources(global, "google_dns_record_set")).map((r) => r.name);
    expect(records).toEqual(expect.arrayContaining([`rekor-1.${DOMAIN}.`, `rekor-1-use1.${DOMAIN}.`, `rekor-1-euw1.${DOMAIN}.`]));
  });
});

describe("the CT logs' public host", () => {
  const [[, map]] = Object.entries(resources(global, "google_compute_url_map")).filter(([, m]) => m.host_rule?.[0]?.hosts.includes(`ctfe.${DOMAIN}`));
  const backend = (ref: string) => resources(global, "google_compute_backend_service")[/^\$\{google_compute_backend_service\.([^.]+)\.id\}$/.exec(ref)![1]];

  it("routes each log's path only to the region whose key signs it", () => {
    const rules = map.path_matcher[0].path_rule.map((r: any) => [r.paths, backend(r.service).backend.map((b: any) => /\/zones\/([^/]+)\//.exec(b.group)![1])]);
    expect(rules).toEqual([
      [["/us-east1/*"], ["us-east1-b", "us-east1-c"]],
      [["/europe-west1/*"], ["europe-west1-b", "europe-west1-c", "europe-west1-d"]],
    ]);
    for (const rule of map.path_matcher[0].path_rule) {
      const b = backend(rule.service);
      expect(b.security_policy).toMatch(/^\$\{google_compute_security_policy\./);
      const hc = resources(global, "google_compute_health_check")[/^\$\{google_compute_health_check\.([^.]+)\.id\}$/.exec(b.health_checks[0])![1]];
      expect(hc.http_health_check.request_path).toBe("/healthz");
    }
  });

  it("takes each region's NEG name from that region's stack, and has TLS, a certificate and its A record", () => {
    for (const region of REGIONS) {
      const group = backend(map.path_matcher[0].path_rule[REGIONS.indexOf(region)].service).backend[0].group;
      const ref = /networkEndpointGroups\/(\$\{[^}]+\})$/.exec(group)![1];
      expect(remoteOutput(ref)[0]).toBe(`regional-${region}`);
      const published = Object.values(resources(regional(region), "terraform_data")).find((d: any) => d.input?.http === `sigstore-ctlog-${region === "us-east1" ? "use1" : "euw1"}-http`);
      expect(published).toBeDefined();
    }
    expect(Object.values(resources(global, "google_compute_ssl_policy")).some((p: any) => p.name === "sigstore-ctlog-ssl-policy" && p.min_tls_version === "TLS_1_2")).toBe(true);
    expect(Object.values(resources(global, "google_dns_record_set")).map((r: any) => r.name)).toContain(`ctfe.${DOMAIN}.`);
  });

  it("is watched log by log, at each log's signed tree head", () => {
    const checks = Object.values(resources(global, "google_monitoring_uptime_check_config")).filter((c: any) => c.http_check?.path?.endsWith("/ct/v1/get-sth"));
    expect(checks.map((c: any) => [c.monitored_resource.labels.host, c.http_check.path]).sort()).toEqual([
      [`ctfe.${DOMAIN}`, "/europe-west1/ct/v1/get-sth"],
      [`ctfe.${DOMAIN}`, "/us-east1/ct/v1/get-sth"],
    ]);
  });
});

describe("a KMS Fulcio and one shared CT log (constructed, not synthesized)", () => {
  let deployment: SigstoreDeployment;
  let root: Issued;
  let intermediate: Issued;
  let tsaRoot: Issued;
  let tsaLeaf: Issued;
  const ctKey = logPublicKey();

  beforeAll(async () => {
    root = await selfSigned("Fulcio Root");
    intermediate = await issue(root, "Fulcio us-east1", "ca");
    tsaRoot = await selfSigned("TSA Root");
    tsaLeaf = await issue(tsaRoot, "TSA us-east1", "tsa");
    const kms = parseConfig(
      withConfig((c) => {
        c.ctlog = { region: "europe-west1", publicKeys: { "europe-west1": ctKey } };
        c.trust = {
          fulcio: { rootCertificate: root.pem },
          tsa: { rootCertificate: tsaRoot.pem },
          regions: { "us-east1": { fulcioChain: [intermediate.pem], tsaChain: [tsaLeaf.pem] } },
        };
      }),
    );
    deployment = addSigstoreDeployment(testApp(), kms);
  });

  it("runs the shared CT log only where configured", () => {
    expect(deployment.regions.map((r) => [r.region, !!r.ctlog])).toEqual([
      ["us-east1", false],
      ["europe-west1", true],
    ]);
    expect(deployment.global.trust.material.ctLogs).toEqual([
      { baseUrl: `https://ctfe.${DOMAIN}/europe-west1`, region: "europe-west1", publicKeyPem: ctKey, validFor: { start: "1970-01-01T00:00:00Z" } },
    ]);
  });

  it("lists the ceremony chains up to the offline roots, and names what is still to sign", () => {
    const { certificateAuthorities, timestampAuthorities } = deployment.global.trust.material;
    expect(certificateAuthorities.map((a) => a.certChainPem)).toEqual([[intermediate.pem, root.pem], []]);
    expect(timestampAuthorities.map((a) => a.certChainPem)).toEqual([[tsaLeaf.pem, tsaRoot.pem], []]);
    expect(deployment.global.trust.pending.map((p) => p.field)).toEqual([
      "trust.regions.europe-west1.fulcioChain",
      "trust.regions.europe-west1.tsaChain",
    ]);
  });

  it("publishes each region's KMS public keys for the ceremony, and creates no CA Service resources", () => {
    for (const stack of deployment.regions) {
      expect(stack.node.tryFindChild("fulcio_intermediate_public_key")).toBeInstanceOf(TerraformOutput);
      expect(stack.node.tryFindChild("tsa_signing_public_key")).toBeInstanceOf(TerraformOutput);
      expect(stack.fulcioRoot).toBeUndefined();
    }
  });
});
