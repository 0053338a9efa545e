import { Testing, TerraformStack } from "cdktf";
import { Fulcio } from "../../lib/regional/fulcio";
import { FulcioRelease } from "../../lib/regional/workloads/fulcio";
import { fulcioIdentityConfig } from "../../lib/regional/workloads/identity";
import { NegReadiness } from "../../lib/regional/workloads/neg-readiness";
import { ChartRelease, helmValuesDocument } from "../../lib/regional/workloads/release";
import { testPlacement, testApp } from "../helpers/construct";

const stack = new TerraformStack(testApp(), "test");
const privateca = new Fulcio(stack, "fulcio-pca", { ...testPlacement(), workloadPool: "p.svc.id.goog", ca: "privateca", rootCaId: "projects/p/locations/us-east1/caPools/root-pool/certificateAuthorities/root" });
const kms = new Fulcio(stack, "fulcio-kms", { ...testPlacement({ region: "europe-west1" }), workloadPool: "p.svc.id.goog", ca: "kms" });
const release = new FulcioRelease(stack, "release", {
  fulcio: privateca,
  identity: fulcioIdentityConfig([]),
  negNames: { http: "sigstore-fulcio-http", grpc: "sigstore-fulcio-grpc" },
});
const readiness = new NegReadiness(stack, "negs", { project: "p", negNames: ["a", "b"], zones: ["us-east1-b", "us-east1-c"], release: release.chart.release });
const json = JSON.parse(Testing.synth(stack));

describe("workload constructs", () => {
  it("Fulcio with a CA Service pool signs through googleca on the region's pool, without CT log when none is given", () => {
    const args = (release.chart.values as any).server.args;
    expect(args.certificateAuthority).toBe("googleca");
    const fulcioRelease = Object.values(json.resource.helm_release as Record<string, any>).find((r) => r.name === "fulcio");
    expect(fulcioRelease.values[0]).toMatch(/"gcp_private_ca_parent":"\$\{google_privateca_ca_pool\.fulcio-pca_ca-pool_[A-F0-9]+\.id\}"/);
    expect(args.disable_ct_log).toBe(true);
  });

  it("Fulcio with a KMS CA refuses to install without its chain, naming the setting", () => {
    expect(
      () => new FulcioRelease(stack, "no-chain", { fulcio: kms, identity: fulcioIdentityConfig([]), negNames: { http: "h", grpc: "g" } }),
    ).toThrow(/trust\.regions\.<region>\.fulcioChain/);
  });

  it("wildcard issuers go to MetaIssuers; a second listing of an issuer is refused", () => {
    const config = fulcioIdentityConfig([{ issuerUrl: "https://oidc.eks.*.amazonaws.com/id/*", type: "kubernetes", clientId: "sigstore" }]);
    expect(Object.keys(config.MetaIssuers ?? {})).toEqual(["https://oidc.eks.*.amazonaws.com/id/*"]);
    expect(config.OIDCIssuers).toEqual({});
    expect(() =>
      fulcioIdentityConfig([{ issuerUrl: "https://dex.example.com/auth", type: "email", clientId: "sigstore" }], { issuerUrl: "https://dex.example.com/auth" }),
    ).toThrow(/issuers\[0\]\.issuerUrl/);
  });

  it("looks each NEG up in each zone, after the release", () => {
    const lookups = Object.values(json.data.google_compute_network_endpoint_group) as any[];
    expect(lookups.map((l) => `${l.name}@${l.zone}`).sort()).toEqual(["a@us-east1-b", "a@us-east1-c", "b@us-east1-b", "b@us-east1-c"]);
    for (const l of lookups) expect(l.depends_on).toEqual([expect.stringMatching(/^helm_release\.release_chart_release_/)]);
    expect(readiness.lookups).toHaveLength(4);
    expect(() => new NegReadiness(stack, "no-zones", { project: "p", negNames: ["a"], zones: [], release: release.chart.release })).toThrow(/at least one zone/);
  });

  it("escapes Terraform template syntax in values, keeping references", () => {
    expect(helmValuesDocument({ a: "${HOME} and %{ if }", b: "$x" })).toBe('{"a":"$${HOME} and %%{ if }","b":"$x"}');
  });

  it("refuses a timeout under a minute", () => {
    expect(() => new ChartRelease(stack, "short", { chart: "tsa", name: "tsa", namespace: "tsa-system", values: {}, timeoutSeconds: 10 })).toThrow(/timeoutSeconds/);
  });
});
