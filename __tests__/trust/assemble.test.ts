import { ClientTrustConfig, SigningConfig, TrustedRoot } from "@sigstore/protobuf-specs";
import { createHash, createPublicKey, generateKeyPairSync, X509Certificate } from "crypto";
import { Lazy, Token, TerraformOutput, TerraformStack, Testing } from "cdktf";
import {
  assembleSigningConfig,
  assembleTrustedRoot,
  InstanceUrls,
  TrustMaterial,
  TrustMaterialError,
  TrustedRootJson,
} from "../../lib/trust";
import { Deployment, deployment, ecKeyPair, issue, materialOf, pem, publicPem, START } from "./fixtures";
import { testApp } from "../helpers/construct";

// One set of keys and chains for the file (key generation is the slow part).
let d: Deployment;
let material: TrustMaterial;
let root: TrustedRootJson;
beforeAll(async () => {
  d = await deployment();
  material = materialOf(d);
  root = assembleTrustedRoot(material);
});

const der = (pemText: string) => createPublicKey(pemText).export({ format: "der", type: "spki" });
const certDer = (pemText: string) => new X509Certificate(pemText).raw.toString("base64");

/** The problems a call reports, as "path: message" lines. */
function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof TrustMaterialError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  throw new Error("expected a TrustMaterialError");
}

const clone = (m: TrustMaterial): any => JSON.parse(JSON.stringify(m));

describe("assembleTrustedRoot", () => {
  test("is the canonical protobuf-specs JSON of a TrustedRoot (round trip through @sigstore/protobuf-specs)", () => {
    const parsed = TrustedRoot.fromJSON(root);
    expect(JSON.stringify(TrustedRoot.toJSON(parsed))).toBe(JSON.stringify(root));
    expect(root.mediaType).toBe("application/vnd.dev.sigstore.trustedroot+json;version=0.1");
    // Parsed values, not only shapes: bytes decode to the input keys and certificates.
    expect(parsed.tlogs).toHaveLength(1);
    expect(Buffer.from(parsed.tlogs[0].publicKey!.rawBytes!).equals(der(publicPem(d.rekorKeys.publicKey)))).toBe(true);
    expect(parsed.tlogs[0].publicKey!.validFor!.start!.toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });

  test("lists every region's Fulcio CA, TSA and CT log and the Rekor log exactly once", () => {
    const issuing = (list: TrustedRootJson["certificateAuthorities"]) => list.map((a) => a.certChain.certificates[0].rawBytes).sort();
    expect(issuing(root.certificateAuthorities)).toEqual(d.regions.map((r) => certDer(pem(r.fulcioCert))).sort());
    expect(issuing(root.timestampAuthorities)).toEqual(d.regions.map((r) => certDer(pem(r.tsaCert))).sort());
    expect(root.ctlogs.map((l) => l.publicKey.rawBytes).sort()).toEqual(
      d.regions.map((r) => der(publicPem(r.ctKeys.publicKey)).toString("base64")).sort(),
    );
    expect(root.ctlogs.map((l) => l.baseUrl).sort()).toEqual(d.regions.map((r) => `https://ctfe.example.com/${r.region}`).sort());
    expect(root.tlogs.map((l) => l.baseUrl)).toEqual(["https://rekor.example.com"]);
    // Each chain ends at the one shared root.
    for (const a of root.certificateAuthorities) {
      expect(a.certChain.certificates.map((c) => c.rawBytes)).toEqual([expect.any(String), certDer(pem(d.fulcioRoot.cert))]);
      expect(a.uri).toBe("https://fulcio.example.com");
      expect(a.validFor).toEqual({ start: "2026-01-01T00:00:00.000Z" });
    }
  });

  test("log ids are the SHA-256 of the DER public key", () => {
    for (const log of [...root.tlogs, ...root.ctlogs]) {
      const expected = createHash("sha256").update(Buffer.from(log.publicKey.rawBytes, "base64")).digest("base64");
      expect(log.logId.keyId).toBe(expected);
      expect(log.hashAlgorithm).toBe("SHA2_256");
    }
  });

  test("the subject comes from the issuing certificate unless given", () => {
    const subjects = root.certificateAuthorities.map((a) => a.subject.commonName).sort();
    expect(subjects).toEqual(d.regions.map((r) => `fulcio ${r.region}`).sort());
    expect(root.certificateAuthorities.every((a) => a.subject.organization === "example.com")).toBe(true);
    const m = clone(material);
    m.certificateAuthorities[0].organization = "Example Org";
    m.certificateAuthorities[0].commonName = "Example Fulcio";
    const named = assembleTrustedRoot(m).certificateAuthorities.find((a) => a.subject.commonName === "Example Fulcio");
    expect(named?.subject).toEqual({ organization: "Example Org", commonName: "Example Fulcio" });
  });

  test("key details follow the key's algorithm", () => {
    const keys = {
      PKIX_ECDSA_P256_SHA_256: generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey,
      PKIX_ECDSA_P384_SHA_384: generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey,
      PKIX_ECDSA_P521_SHA_512: generateKeyPairSync("ec", { namedCurve: "P-521" }).publicKey,
      PKIX_ED25519: generateKeyPairSync("ed25519").publicKey,
      PKIX_RSA_PKCS1V15_2048_SHA256: generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey,
    };
    const m = clone(material);
    m.ctLogs = Object.values(keys).map((k, i) => ({
      baseUrl: `https://ctfe.example.com/log${i}`,
      region: "us-east1",
      publicKeyPem: publicPem(k),
      validFor: { start: START },
    }));
    const out = assembleTrustedRoot(m);
    const byKey = new Map(out.ctlogs.map((l) => [l.publicKey.rawBytes, l.publicKey.keyDetails]));
    for (const [details, key] of Object.entries(keys)) {
      expect(byKey.get(der(publicPem(key)).toString("base64"))).toBe(details);
    }
    // RSA-PSS cannot be read from a KMS key's SPKI: it can be named.
    m.ctLogs = [{ ...m.ctLogs[4], keyDetails: "PKIX_RSA_PSS_2048_SHA256" }];
    expect(assembleTrustedRoot(m).ctlogs[0].publicKey.keyDetails).toBe("PKIX_RSA_PSS_2048_SHA256");
    m.ctLogs = [{ ...m.ctLogs[0], keyDetails: "PKIX_ECDSA_P256_SHA_256" }];
    expect(problemsOf(() => assembleTrustedRoot(m))).toEqual([
      "ctLogs[0].keyDetails: PKIX_ECDSA_P256_SHA_256 does not fit the key, which is PKIX_RSA_PKCS1V15_2048_SHA256",
    ]);
    m.ctLogs = [{ ...m.ctLogs[0], keyDetails: undefined, publicKeyPem: publicPem(generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey) }];
    expect(problemsOf(() => assembleTrustedRoot(m))).toEqual(["ctLogs[0].publicKeyPem: uses the curve secp256k1; use P-256, P-384 or P-521"]);
  });

  test("is byte-identical whatever the order of the material", () => {
    const reversed: TrustMaterial = {
      certificateAuthorities: [...material.certificateAuthorities].reverse(),
      timestampAuthorities: [...material.timestampAuthorities].reverse(),
      transparencyLogs: [...material.transparencyLogs].reverse(),
      ctLogs: [...material.ctLogs].reverse(),
    };
    expect(JSON.stringify(assembleTrustedRoot(reversed))).toBe(JSON.stringify(root));
    expect(root.ctlogs.map((l) => l.baseUrl)).toEqual([...root.ctlogs.map((l) => l.baseUrl)].sort());
  });

  test("Terraform nulls for optional fields count as absent", () => {
    const m = clone(material);
    m.ctLogs[0].keyDetails = null;
    m.ctLogs[0].validFor.end = null;
    m.certificateAuthorities[0].organization = null;
    expect(JSON.stringify(assembleTrustedRoot(m))).toBe(JSON.stringify(root));
  });

  describe("rejects bad material with field-named errors and no output", () => {
    test("a bad PEM certificate and a bad PEM key", () => {
      const m = clone(material);
      m.certificateAuthorities[1].certChainPem[1] = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----";
      m.ctLogs[2].publicKeyPem = pem(d.fulcioRoot.cert);
      const problems = problemsOf(() => assembleTrustedRoot(m));
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(/^certificateAuthorities\[1\]\.certChainPem\[1\]: is not a readable X\.509 certificate/);
      expect(problems[1]).toBe(
        "ctLogs[2].publicKeyPem: is not a PEM public key (expected a -----BEGIN PUBLIC KEY----- block, as KMS returns it)",
      );
    });

    test("the same key for two logs, and a log listed twice", () => {
      const m = clone(material);
      m.ctLogs[1].publicKeyPem = m.ctLogs[0].publicKeyPem;
      m.ctLogs.push({ ...m.ctLogs[2], publicKeyPem: publicPem(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey) });
      m.transparencyLogs[0].publicKeyPem = m.ctLogs[2].publicKeyPem;
      const own = "every log needs its own signing key (one key in two logs makes their entries indistinguishable)";
      expect(problemsOf(() => assembleTrustedRoot(m))).toEqual([
        `ctLogs[1].publicKeyPem: is the same key as ctLogs[0].publicKeyPem: ${own}`,
        `ctLogs[2].publicKeyPem: is the same key as transparencyLogs[0].publicKeyPem: ${own}`,
        "ctLogs[3].baseUrl: https://ctfe.example.com/asia-northeast1 is also the URL of ctLogs[2], valid at the same time: every log appears exactly once (list a shared log once, not once per region; a rotated key needs validFor.end on the old entry)",
      ]);
    });

    test("a region's authority listed twice", () => {
      const m = clone(material);
      m.timestampAuthorities.push({ ...m.timestampAuthorities[0] });
      expect(problemsOf(() => assembleTrustedRoot(m))).toEqual([
        "timestampAuthorities[3].uri: timestampAuthorities[0] is already us-east1's authority at https://tsa.example.com for the same time: list each region's authority once (a rotated certificate needs validFor.end on the old entry)",
        "timestampAuthorities[3].certChainPem[0]: is the same certificate as timestampAuthorities[0].certChainPem[0]: each region signs with its own certificate",
      ]);
    });

    test("a rotated log key and a rotated intermediate: consecutive entries for one URL are kept", async () => {
      const m = clone(material);
      const newKey = publicPem(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey);
      const newIntermediate = await issue(d.fulcioRoot, "CN=fulcio us-east1 2027, O=example.com", await ecKeyPair(), "ca");
      m.transparencyLogs[0].validFor.end = "2026-07-01T00:00:00Z";
      m.transparencyLogs.push({ ...m.transparencyLogs[0], publicKeyPem: newKey, validFor: { start: "2026-07-01T00:00:00Z" } });
      m.certificateAuthorities[0].validFor.end = "2026-07-01T00:00:00Z";
      m.certificateAuthorities.push({
        ...m.certificateAuthorities[0],
        certChainPem: [pem(newIntermediate), pem(d.fulcioRoot.cert)],
        validFor: { start: "2026-07-01T00:00:00Z" },
      });
      const rotated = assembleTrustedRoot(m);
      expect(rotated.tlogs.map((l) => [l.baseUrl, l.publicKey.validFor])).toEqual([
        ["https://rekor.example.com", { start: "2026-01-01T00:00:00.000Z", end: "2026-07-01T00:00:00.000Z" }],
        ["https://rekor.example.com", { start: "2026-07-01T00:00:00.000Z" }],
      ]);
      expect(rotated.certificateAuthorities.map((a) => a.subject.commonName)).toEqual([
        "fulcio asia-northeast1",
        "fulcio europe-west1",
        "fulcio us-east1",
        "fulcio us-east1 2027",
      ]);
      // Without an end on the old entries, both would be current: rejected.
      delete m.transparencyLogs[0].validFor.end;
      delete m.certificateAuthorities[0].validFor.end;
      expect(problemsOf(() => assembleTrustedRoot(m))).toEqual([
        "transparencyLogs[1].baseUrl: https://rekor.example.com is also the URL of transparencyLogs[0], valid at the same time: every log appears exactly once (list a shared log once, not once per region; a rotated key needs validFor.end on the old entry)",
        "certificateAuthorities[3].uri: certificateAuthorities[0] is already us-east1's authority at https://fulcio.example.com for the same time: list each region's authority once (a rotated certificate needs validFor.end on the old entry)",
      ]);
    });

    test("empty lists", () => {
      const m = clone(material);
      m.certificateAuthorities = [];
      m.ctLogs = [];
      expect(problemsOf(() => assembleTrustedRoot(m))).toEqual([
        "certificateAuthorities: is empty: the trusted root must list at least one certificate authority (every region's Fulcio CA)",
        "ctLogs: is empty: the trusted root must list at least one certificate transparency log",
      ]);
    });

    test("times that are not RFC 3339, and an end before the start", () => {
      const m = clone(material);
      m.transparencyLogs[0].validFor.start = "2026-01-01";
      m.ctLogs[0].validFor.start = "yesterday";
      m.certificateAuthorities[0].validFor.end = "2025-01-01T00:00:00Z";
      expect(problemsOf(() => assembleTrustedRoot(m))).toEqual([
        "certificateAuthorities[0].validFor.end: end must be after start",
        'transparencyLogs[0].validFor.start: "2026-01-01" is not an RFC 3339 time; use e.g. "2026-01-01T00:00:00Z"',
        'ctLogs[0].validFor.start: "yesterday" is not an RFC 3339 time; use e.g. "2026-01-01T00:00:00Z"',
      ]);
    });

    test("a chain out of order, a leaf where the intermediate belongs, a TSA certificate without timeStamping", () => {
      const m = clone(material);
      m.certificateAuthorities[0].certChainPem.reverse();
      m.certificateAuthorities[1].certChainPem = [m.timestampAuthorities[1].certChainPem[0], m.timestampAuthorities[1].certChainPem[1]];
      m.timestampAuthorities[2].certChainPem = [pem(d.regions[2].fulcioCert), pem(d.fulcioRoot.cert)];
      const problems = problemsOf(() => assembleTrustedRoot(m));
      expect(problems).toEqual([
        "certificateAuthorities[0].certChainPem[0]: is not issued by certChainPem[1]: order the chain issuing certificate first and root last, with no gaps",
        "certificateAuthorities[1].certChainPem[0]: is not a CA certificate (CN=tsa europe-west1, O=example.com): list the region's intermediate, which issues Fulcio's certificates, first",
        "timestampAuthorities[2].certChainPem[0]: is not a timestamping certificate (extended key usage timeStamping): list the region's TSA signing certificate first",
      ]);
    });

    test("Terraform tokens: the trusted root needs plain values", () => {
      const m = clone(material);
      m.ctLogs[1].publicKeyPem = Lazy.stringValue({ produce: () => "x" });
      expect(problemsOf(() => assembleTrustedRoot(m))).toEqual([
        "ctLogs[1].publicKeyPem: is a Terraform token: the trusted root is assembled from plain values after apply (a log id is a hash Terraform cannot compute); output the material and run `sigstore-cdktf trust` on the outputs",
      ]);
    });

    test("unknown fields and non-https URLs", () => {
      const m = clone(material);
      m.ctLogs[0].keyDetail = "PKIX_ED25519";
      m.transparencyLogs[0].baseUrl = "http://rekor.example.com";
      const problems = problemsOf(() => assembleTrustedRoot(m));
      expect(problems).toEqual([
        'transparencyLogs[0].baseUrl: "http://rekor.example.com" is not an https URL without query or fragment (e.g. "https://fulcio.example.com")',
        expect.stringMatching(/^ctLogs\[0\]: Unrecognized key: "keyDetail"/),
      ]);
    });
  });
});

describe("assembleSigningConfig", () => {
  const urls: InstanceUrls = {
    fulcio: "https://fulcio.example.com",
    rekor: ["https://rekor.example.com", "https://log2026.rekor.example.com"],
    tsa: ["https://tsa.example.com"],
    oidcIssuer: "https://oauth2.example.com/auth",
    tufMirror: "https://tuf.example.com",
    validFrom: START,
  };

  test("is the canonical protobuf-specs JSON of a v0.2 SigningConfig", () => {
    const sc = assembleSigningConfig(urls);
    expect(JSON.stringify(SigningConfig.toJSON(SigningConfig.fromJSON(sc)))).toBe(JSON.stringify(sc));
    const service = (url: string, majorApiVersion = 1) => ({
      url,
      majorApiVersion,
      validFor: { start: "2026-01-01T00:00:00.000Z" },
      operator: "example.com",
    });
    expect(sc).toEqual({
      mediaType: "application/vnd.dev.sigstore.signingconfig.v0.2+json",
      caUrls: [service("https://fulcio.example.com")],
      oidcUrls: [service("https://oauth2.example.com/auth")],
      rekorTlogUrls: [service("https://rekor.example.com"), service("https://log2026.rekor.example.com", 2)],
      rekorTlogConfig: { selector: "ANY" },
      tsaUrls: [service("https://tsa.example.com/api/v1/timestamp")],
      tsaConfig: { selector: "ANY" },
    });
    // A client trust config (sigstore-python --trust-config) of both documents parses too.
    const ctc = { mediaType: "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json", trustedRoot: root, signingConfig: sc };
    expect(JSON.stringify(ClientTrustConfig.toJSON(ClientTrustConfig.fromJSON(ctc)))).toBe(JSON.stringify(ctc));
  });

  test("names each field that is wrong", () => {
    expect(
      problemsOf(() =>
        assembleSigningConfig({
          ...urls,
          fulcio: "fulcio.example.com",
          rekor: [],
          tsa: ["https://tsa.example.com?x=1"],
          validFrom: "Jan 1",
        }),
      ),
    ).toEqual([
      'fulcio: "fulcio.example.com" is not an https URL without query or fragment (e.g. "https://fulcio.example.com")',
      "rekor: is empty: list the Rekor v1 URL (and any Rekor v2 write host)",
      'tsa[0]: "https://tsa.example.com?x=1" is not an https URL without query or fragment (e.g. "https://fulcio.example.com")',
      'validFrom: "Jan 1" is not an RFC 3339 time; use e.g. "2026-01-01T00:00:00Z"',
      "operator: is required when the URLs are Terraform tokens: give the instance's domain (e.g. \"example.com\")",
    ]);
    expect(problemsOf(() => assembleSigningConfig({ ...urls, rekorApiVersions: [1, 3] }))).toEqual([
      "rekorApiVersions[1]: 3 is not a Rekor API version: use 1 (Rekor v1) or 2 (tile-based Rekor v2)",
    ]);
  });

  test("renders from Terraform tokens in a stack, and Terraform's value equals the plain assembly", () => {
    const app = testApp();
    const stack = new TerraformStack(app, "global");
    const token = (value: string) => Lazy.stringValue({ produce: () => value });
    new TerraformOutput(stack, "signing_config", {
      value: assembleSigningConfig({
        fulcio: token("https://fulcio.example.com"),
        rekor: [token("https://rekor.example.com")],
        tsa: [token("https://tsa.example.com")],
        oidcIssuer: token("https://oauth2.example.com/auth"),
        validFrom: token(START),
        operator: "example.com",
      }),
    });
    const synthesized = JSON.parse(Testing.synth(stack)).output.signing_config.value;
    const plain = assembleSigningConfig({ ...urls, rekor: ["https://rekor.example.com"] });
    // Terraform keeps the time as given; everything else is the same document.
    expect(synthesized).toEqual({
      ...plain,
      ...Object.fromEntries(
        (["caUrls", "oidcUrls", "rekorTlogUrls", "tsaUrls"] as const).map((k) => [
          k,
          plain[k].map((s) => ({ ...s, validFor: { start: START } })),
        ]),
      ),
    });
    expect(() => assembleSigningConfig({ ...urls, fulcio: token("https://fulcio.example.com") })).toThrow(/operator: is required/);
    // A version may be a token too (a number token is an encoded double).
    const version = Token.asNumber(Lazy.numberValue({ produce: () => 2 }));
    expect(assembleSigningConfig({ ...urls, rekorApiVersions: [1, version] }).rekorTlogUrls[1].majorApiVersion).toBe(version);
  });
});
