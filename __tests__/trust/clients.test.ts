// Proof with real clients: artifacts signed through each region's stand-in
// Fulcio, TSA and the one Rekor (@sigstore/mock services, @sigstore/sign
// driven by the generated signing_config) verify with @sigstore/verify against
// the ONE trusted root assembled by lib/trust; a region missing from the root
// fails; and `sigstore.verify` fetches that root from a TUF repository served
// on loopback, pointed at it by the `trust` command's exports.
import { Bundle, bundleFromJSON, bundleToJSON } from "@sigstore/bundle";
import { fulcioHandler, initializeCA, initializeCTLog, initializeTLog, initializeTSA, rekorHandler, tsaHandler } from "@sigstore/mock";
import { SigningConfig, TrustedRoot } from "@sigstore/protobuf-specs";
import { bundleBuilderFromSigningConfig } from "@sigstore/sign";
import { getTrustedRoot } from "@sigstore/tuf";
import { initializeTUFRepo, tufHandlers } from "@tufjs/repo-mock";
import { toSignedEntity, toTrustMaterial, VerificationError, Verifier } from "@sigstore/verify";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import nock from "nock";
import * as os from "os";
import * as path from "path";
import * as sigstore from "sigstore";
import { main } from "../../lib/cli/trust";
import { assembleSigningConfig, assembleTrustedRoot, InstanceUrls, TrustMaterial, TrustedRootJson } from "../../lib/trust";
import { Deployment, deployment, materialOf, Region, REGIONS, START } from "./fixtures";

const ISSUER = "https://oauth2.example.com/auth";
const IDENTITY = "https://ci.example.com/pipelines/release";
const URLS: InstanceUrls = {
  fulcio: "https://fulcio.example.com",
  rekor: ["https://rekor.example.com"],
  tsa: ["https://tsa.example.com"],
  oidcIssuer: ISSUER,
  tufMirror: "https://tuf.example.com", // replaced by the loopback server's URL below
  validFrom: START,
};

// Every stand-in service signs at this whole second: the RFC 3161 genTime then
// has no fractional seconds (asn1js writes ".12" for 120 ms, which
// @sigstore/core's parser rejects). The mock TSA's certificates start at the
// real "now" of setup, so the instant is a few minutes ahead of it.
const CLOCK = new Date(Math.ceil(Date.now() / 1000) * 1000 + 5 * 60 * 1000);

const b64url = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
// Fulcio's stand-in reads the claims without checking the signature.
const idToken = `${b64url({ alg: "none" })}.${b64url({ iss: ISSUER, sub: IDENTITY, aud: "sigstore" })}.c2ln`;

const toPem = (der: ArrayBufferView) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64")}\n-----END CERTIFICATE-----\n`;

interface Signed {
  readonly region: Region;
  readonly artifact: Buffer;
  readonly bundle: Bundle;
}

let d: Deployment;
let material: TrustMaterial;
let root: TrustedRootJson;
const signed: Signed[] = [];
let tmp: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sigstore-cdktf-trust-"));
  // @sigstore/mock's CA names its issuer "CN=sigstore,O=sigstore.mock": each
  // region's intermediate carries that name (its own key, under the one root).
  d = await deployment(REGIONS, () => "CN=sigstore, O=sigstore.mock");
  const tlog = await initializeTLog(URLS.rekor[0], { publicKey: d.rekorKeys.publicKey, privateKey: d.rekorKeys.privateKey }, CLOCK);
  const services = [];
  const tsaChains = new Map<Region, string[]>();
  for (const r of d.regions) {
    const ctLog = await initializeCTLog({ publicKey: r.ctKeys.publicKey, privateKey: r.ctKeys.privateKey }, CLOCK);
    const ca = await initializeCA({ publicKey: r.fulcioKeys.publicKey, privateKey: r.fulcioKeys.privateKey }, ctLog, CLOCK);
    // The mock TSA signs with its own certificate chain; the trust material lists that chain.
    const tsa = await initializeTSA({ publicKey: r.tsaKeys.publicKey, privateKey: r.tsaKeys.privateKey }, CLOCK);
    tsaChains.set(r.region, [toPem(tsa.intCertificate), toPem(tsa.rootCertificate)]);
    services.push({ region: r.region, ca, tsa });
  }
  const base = materialOf(d);
  material = {
    ...base,
    timestampAuthorities: base.timestampAuthorities.map((a) => ({ ...a, certChainPem: tsaChains.get(a.region as Region)! })),
  };
  root = assembleTrustedRoot(material);

  // One signer configured by the generated signing_config, as a client would be.
  const builder = bundleBuilderFromSigningConfig({
    signingConfig: SigningConfig.fromJSON(assembleSigningConfig(URLS)),
    identityProvider: { getToken: async () => idToken },
    bundleType: "messageSignature",
    fetchOptions: { timeout: 5000, retry: false },
  });
  // The global load balancer sends each request to some region: here each
  // signing goes to one region's Fulcio and TSA, and to the one Rekor.
  for (const { region, ca, tsa } of services) {
    for (const [url, handler] of [
      [URLS.fulcio, fulcioHandler(ca)],
      [URLS.rekor[0], rekorHandler(tlog)],
      [URLS.tsa[0], tsaHandler(tsa)],
    ] as const) {
      nock(url)
        .post(handler.path)
        .reply(async (_uri, body) => {
          const { statusCode, response, contentType } = await handler.fn(typeof body === "string" ? body : JSON.stringify(body));
          return [statusCode, response, { "Content-Type": contentType ?? "text/plain" }];
        });
    }
    const artifact = Buffer.from(`release built in ${region}\n`);
    const bundle = await builder.create({ data: artifact });
    signed.push({ region, artifact, bundle: bundleFromJSON(bundleToJSON(bundle)) });
  }
  expect(nock.pendingMocks()).toEqual([]);
  // Stop intercepting HTTP: the TUF client below talks to a real loopback server.
  nock.restore();
});

afterAll(() => {
  nock.cleanAll();
  nock.restore();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const verifierFor = (trustedRoot: TrustedRootJson) => new Verifier(toTrustMaterial(TrustedRoot.fromJSON(trustedRoot)));
const policy = { subjectAlternativeName: IDENTITY, extensions: { issuer: ISSUER } };

function verificationError(fn: () => unknown): VerificationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof VerificationError) return e;
    throw e;
  }
  throw new Error("expected verification to fail");
}

describe("bundles signed through every region verify against the one trusted root", () => {
  test("each bundle carries its region's certificate, SCT, TSA timestamp and the one Rekor's entry", () => {
    expect(signed.map((s) => s.region)).toEqual([...REGIONS]);
    for (const s of signed) {
      expect(s.bundle.verificationMaterial.tlogEntries).toHaveLength(1);
      expect(s.bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps).toHaveLength(1);
    }
    const logIds = new Set(signed.map((s) => Buffer.from(s.bundle.verificationMaterial.tlogEntries[0].logId!.keyId).toString("base64")));
    expect([...logIds]).toEqual([root.tlogs[0].logId.keyId]);
  });

  test.each(REGIONS.map((r) => [r]))("%s", (region) => {
    const s = signed.find((x) => x.region === region)!;
    const signer = verifierFor(root).verify(toSignedEntity(s.bundle, s.artifact), policy);
    expect(signer.identity).toMatchObject({ subjectAlternativeName: IDENTITY, extensions: { issuer: ISSUER } });
  });

  test("a tampered artifact does not verify", () => {
    const s = signed[0];
    expect(verificationError(() => verifierFor(root).verify(toSignedEntity(s.bundle, Buffer.from("other")), policy)).code).toBe(
      "SIGNATURE_ERROR",
    );
  });
});

describe("a region missing from the trusted root", () => {
  const without = (m: TrustMaterial, region: Region, lists: (keyof TrustMaterial)[]): TrustMaterial =>
    Object.fromEntries(
      Object.entries(m).map(([k, v]) => [k, lists.includes(k as keyof TrustMaterial) ? v.filter((e: { region: string }) => e.region !== region) : v]),
    ) as unknown as TrustMaterial;
  const last = REGIONS[2];

  test("its bundle fails while the other regions' still verify", () => {
    const partial = assembleTrustedRoot(without(material, last, ["certificateAuthorities", "timestampAuthorities", "ctLogs"]));
    for (const s of signed.filter((x) => x.region !== last)) {
      expect(() => verifierFor(partial).verify(toSignedEntity(s.bundle, s.artifact), policy)).not.toThrow();
    }
    const s = signed.find((x) => x.region === last)!;
    expect(() => verifierFor(partial).verify(toSignedEntity(s.bundle, s.artifact), policy)).toThrow(VerificationError);
  });

  // Each piece of a region's material is needed on its own.
  test.each([
    ["certificateAuthorities", "CERTIFICATE_ERROR"],
    ["timestampAuthorities", "TIMESTAMP_ERROR"],
    ["ctLogs", "CERTIFICATE_ERROR"],
  ] as const)("without only its %s: %s", (list, code) => {
    const partial = assembleTrustedRoot(without(material, last, [list]));
    const s = signed.find((x) => x.region === last)!;
    expect(verificationError(() => verifierFor(partial).verify(toSignedEntity(s.bundle, s.artifact), policy)).code).toBe(code);
  });
});

describe("sigstore-js fetches the trusted root from the instance's TUF repository", () => {
  let server: http.Server;
  let mirror: string;
  let rootJsonPath: string;

  beforeAll(async () => {
    // A TUF repository whose target is the generated trusted root, served over HTTP on loopback.
    const repo = initializeTUFRepo([{ name: "trusted_root.json", content: JSON.stringify(root) }]);
    const routes = new Map(tufHandlers(repo, { metadataPathPrefix: "", targetPathPrefix: "/targets" }).map((h) => [h.path, h.fn]));
    server = http.createServer((req, res) => {
      const fn = routes.get(req.url ?? "");
      const reply = fn ? fn() : { statusCode: 404, response: "" };
      res.writeHead(reply.statusCode, { "Content-Type": reply.contentType ?? "application/octet-stream" });
      res.end(reply.response);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The TUF root.json that the ceremony hands to users out of band.
    rootJsonPath = path.join(tmp, "root.json");
    fs.writeFileSync(rootJsonPath, JSON.stringify(repo.rootMeta.toJSON()));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  test("with the mirror and root the trust command exports, every region's bundle verifies", async () => {
    const outputs = path.join(tmp, "outputs.json");
    fs.writeFileSync(outputs, JSON.stringify({ global: { trust_material: material, instance_urls: { ...URLS, tufMirror: mirror } } }));
    let stdout = "";
    const code = main(["trust", "--outputs-file", outputs, "--out", path.join(tmp, "out"), "--tuf-root", rootJsonPath], {
      stdout: (t) => (stdout += t),
      stderr: (t) => {
        throw new Error(t);
      },
    });
    expect(code).toBe(0);
    const env = Object.fromEntries([...stdout.matchAll(/^export (\w+)='([^']*)'/gm)].map((m) => [m[1], m[2]]));
    expect(env.TUF_MIRROR).toBe(mirror);
    expect(env.TUF_ROOT_JSON).toBe(rootJsonPath);

    for (const s of signed) {
      const signer = await sigstore.verify(bundleToJSON(s.bundle), s.artifact, {
        tufMirrorURL: env.TUF_MIRROR,
        tufRootPath: env.TUF_ROOT_JSON,
        tufCachePath: path.join(tmp, "tuf-cache"),
        certificateIssuer: ISSUER,
        certificateIdentityURI: IDENTITY,
      });
      expect(signer.identity?.subjectAlternativeName).toBe(IDENTITY);
    }
    // The root the TUF client holds is the one the trust command wrote.
    const fetched = await getTrustedRoot({ mirrorURL: env.TUF_MIRROR, rootPath: env.TUF_ROOT_JSON, cachePath: path.join(tmp, "tuf-cache") });
    expect(TrustedRoot.toJSON(fetched)).toEqual(JSON.parse(fs.readFileSync(env.SIGSTORE_TRUSTED_ROOT, "utf8")));
  });
});
