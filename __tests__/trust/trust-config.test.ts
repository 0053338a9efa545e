import { X509Certificate } from "crypto";
import { ConfigError, parseConfig } from "../../lib/config/load";
import { baseConfig, withConfig } from "../helpers/synth";
import { ctLogRegionFor, ctLogUrl } from "../../lib/shared/log-placement";
import { issue, Issued, logPublicKey, selfSigned } from "./pki";

/** The problems a configuration yields, as "path: message" lines. */
function problems(change: (c: any) => void): string[] {
  try {
    parseConfig(withConfig(change));
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems.map((p) => `${p.path}: ${p.message}`);
  }
}

let fulcioRoot: Issued;
let tsaRoot: Issued;
let otherRoot: Issued;
const intermediates: Record<string, Issued> = {};
const tsaLeaves: Record<string, Issued> = {};

beforeAll(async () => {
  fulcioRoot = await selfSigned("Test Fulcio Root");
  tsaRoot = await selfSigned("Test TSA Root");
  otherRoot = await selfSigned("Someone Else's Root");
  for (const region of ["us-east1", "europe-west1"]) {
    intermediates[region] = await issue(fulcioRoot, `fulcio ${region}`, "ca");
    tsaLeaves[region] = await issue(tsaRoot, `tsa ${region}`, "tsa");
  }
});

describe("trust: offline roots and ceremony chains", () => {
  it("accepts roots and a chain per region that lead to them, and keeps them as given", () => {
    const config = parseConfig(
      withConfig((c) => {
        c.trust = {
          validFrom: "2026-01-01T00:00:00Z",
          fulcio: { rootCertificate: fulcioRoot.pem },
          tsa: { rootCertificate: tsaRoot.pem },
          regions: {
            "us-east1": { fulcioChain: [intermediates["us-east1"].pem], tsaChain: [tsaLeaves["us-east1"].pem] },
            "europe-west1": { validFrom: "2026-03-01T00:00:00Z", fulcioChain: [intermediates["europe-west1"].pem], tsaChain: [tsaLeaves["europe-west1"].pem] },
          },
        };
      }),
    );
    expect(new X509Certificate(config.trust.fulcio.rootCertificate!).subject).toBe("CN=Test Fulcio Root");
    expect(config.trust.regions["europe-west1"].validFrom).toBe("2026-03-01T00:00:00Z");
    expect(config.trust.regions["us-east1"].tsaChain).toEqual([tsaLeaves["us-east1"].pem]);
  });

  it("defaults to no roots, no chains and an open validity start", () => {
    const config = parseConfig(baseConfig());
    expect(config.trust).toEqual({ validFrom: "1970-01-01T00:00:00Z", fulcio: {}, tsa: {}, regions: {} });
    expect(config.ctlog).toMatchObject({ placement: "shared", subdomain: "ctfe", publicKeys: {} });
  });

  it("rejects a root that is not a CA, or not self-signed", async () => {
    const leaf = await selfSigned("not a CA", { ca: false });
    expect(problems((c) => (c.trust = { fulcio: { rootCertificate: leaf.pem } }))).toEqual([
      expect.stringMatching(/^trust\.fulcio\.rootCertificate: is not a CA certificate/),
    ]);
    expect(problems((c) => (c.trust = { tsa: { rootCertificate: intermediates["us-east1"].pem } }))).toEqual([
      expect.stringMatching(/^trust\.tsa\.rootCertificate: is not self-signed/),
    ]);
  });

  it("rejects text that is not one certificate, and any private key", () => {
    expect(problems((c) => (c.trust = { fulcio: { rootCertificate: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" } }))).toEqual([
      expect.stringMatching(/^trust\.fulcio\.rootCertificate: is not a parsable X\.509 certificate/),
    ]);
    expect(problems((c) => (c.trust = { fulcio: { rootCertificate: fulcioRoot.pem + tsaRoot.pem } }))).toEqual([
      expect.stringMatching(/must be exactly one PEM certificate.*found 2/),
    ]);
    expect(problems((c) => (c.ctlog = { publicKeys: { "us-east1": "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n" } }))).toEqual([
      expect.stringMatching(/^ctlog\.publicKeys\.us-east1: holds a PRIVATE KEY/),
    ]);
  });

  it("rejects a chain that does not lead to the configured root, naming the certificate", () => {
    const stranger = problems((c) => {
      c.trust = { fulcio: { rootCertificate: otherRoot.pem }, regions: { "us-east1": { fulcioChain: [intermediates["us-east1"].pem] } } };
    });
    expect(stranger).toEqual([expect.stringMatching(/^trust\.regions\.us-east1\.fulcioChain\[0\]: is not signed by trust\.fulcio\.rootCertificate/)]);
    const noRoot = problems((c) => (c.trust = { regions: { "us-east1": { tsaChain: [tsaLeaves["us-east1"].pem] } } }));
    expect(noRoot).toEqual([expect.stringMatching(/^trust\.regions\.us-east1\.tsaChain: needs trust\.tsa\.rootCertificate/)]);
  });

  it("requires a P-384 intermediate CA for Fulcio (the KMS key's curve) and a timestamping leaf for the TSA", async () => {
    const p256 = await issue(fulcioRoot, "wrong curve", "ca", "P-256");
    expect(problems((c) => (c.trust = { fulcio: { rootCertificate: fulcioRoot.pem }, regions: { "us-east1": { fulcioChain: [p256.pem] } } }))).toEqual([
      expect.stringMatching(/fulcioChain\[0\]: must certify an EC P-384 key/),
    ]);
    const plainLeaf = await issue(tsaRoot, "no EKU", "leaf");
    expect(problems((c) => (c.trust = { tsa: { rootCertificate: tsaRoot.pem }, regions: { "us-east1": { tsaChain: [plainLeaf.pem] } } }))).toEqual([
      expect.stringMatching(/tsaChain\[0\]: must carry the timestamping extended key usage \(1\.3\.6\.1\.5\.5\.7\.3\.8\)/),
    ]);
    const caAsTsa = problems((c) => (c.trust = { tsa: { rootCertificate: fulcioRoot.pem }, regions: { "us-east1": { tsaChain: [intermediates["us-east1"].pem] } } }));
    expect(caAsTsa).toEqual(expect.arrayContaining([expect.stringMatching(/tsaChain\[0\]: must be the region's timestamping certificate, not a CA/)]));
  });

  it("rejects Fulcio material in privateca mode, unknown regions and bad timestamps", () => {
    expect(
      problems((c) => {
        c.regional = { fulcio: { ca: "privateca" } };
        c.trust = { fulcio: { rootCertificate: fulcioRoot.pem } };
      }),
    ).toEqual([expect.stringMatching(/^trust\.fulcio\.rootCertificate: applies only to regional\.fulcio\.ca "kms"/)]);
    expect(problems((c) => (c.trust = { regions: { "asia-east1": {} } }))).toEqual([expect.stringMatching(/^trust\.regions\.asia-east1: "asia-east1" is not one of the configured regions/)]);
    expect(problems((c) => (c.trust = { validFrom: "2026-01-01" }))).toEqual([expect.stringMatching(/^trust\.validFrom: must be an RFC 3339 UTC timestamp/)]);
  });
});

describe("log placement and log keys", () => {
  it("rejects one key for two logs, wherever the logs are", () => {
    const key = logPublicKey();
    expect(
      problems((c) => {
        c.ctlog = { placement: "perRegion", publicKeys: { "us-east1": key, "europe-west1": logPublicKey() } };
        c.features = { rekorTiles: true };
        c.tiles = { rekor: { publicKeys: { "us-east1": key } } };
      }),
    ).toEqual([expect.stringMatching(/^tiles\.rekor\.publicKeys\.us-east1: is the same key as ctlog\.publicKeys\.us-east1/)]);
  });

  it("rejects a region for a per-region CT log, an unknown CT region, and a tiles log with both region and regions", () => {
    expect(problems((c) => (c.ctlog = { placement: "perRegion", region: "us-east1" }))).toEqual([expect.stringMatching(/^ctlog\.region: placement "perRegion" runs a CT log in every region/)]);
    expect(problems((c) => (c.ctlog = { region: "us-west1" }))).toEqual([expect.stringMatching(/^ctlog\.region: "us-west1" is not one of the configured regions/)]);
    expect(
      problems((c) => {
        c.features = { rekorTiles: true };
        c.tiles = { rekor: { region: "us-east1", regions: ["us-east1", "europe-west1"] } };
      }),
    ).toEqual([expect.stringMatching(/^tiles\.rekor\.regions: set either region \(one shard\) or regions/)]);
    expect(
      problems((c) => {
        c.features = { rekorTiles: true };
        c.tiles = { rekor: { regions: ["us-east1", "us-east1"] } };
      }),
    ).toEqual([expect.stringMatching(/^tiles\.rekor\.regions\[1\]: "us-east1" is listed twice/)]);
    expect(
      problems((c) => {
        c.features = { rekorTiles: true };
        c.services = { fulcio: { subdomain: "rekor-1-euw1" } };
        c.tiles = { rekor: { regions: ["us-east1", "europe-west1"] } };
      }),
    ).toEqual([expect.stringMatching(/^tiles\.rekor\.regions: the shard host "rekor-1-euw1" is already used by fulcio/)]);
  });
});

describe("which CT log a region's Fulcio submits to", () => {
  it("is the shared log from every region, or each region's own", () => {
    const shared = parseConfig(withConfig((c) => (c.ctlog = { region: "europe-west1" })));
    expect(["us-east1", "europe-west1"].map((r) => ctLogUrl(shared, ctLogRegionFor(shared, r)!))).toEqual([
      "https://ctfe.sigstore.test.example/europe-west1",
      "https://ctfe.sigstore.test.example/europe-west1",
    ]);
    const own = parseConfig(withConfig((c) => (c.ctlog = { placement: "perRegion" })));
    expect(["us-east1", "europe-west1"].map((r) => ctLogRegionFor(own, r))).toEqual(["us-east1", "europe-west1"]);
    const none = parseConfig(withConfig((c) => (c.features = { ctlog: false })));
    expect(ctLogRegionFor(none, "us-east1")).toBeUndefined();
  });
});
