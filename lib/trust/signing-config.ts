import { Token } from "cdktf";
import type { InstanceUrls } from "./types";
import { isRfc3339, TrustMaterialError, TrustProblem } from "./validate";

// The signing_config v0.2 document (sigstore/protobuf-specs, SigningConfig in
// protos/sigstore_trustroot.proto): which Fulcio, OIDC issuer, Rekor and TSA a
// signer uses. Unlike the trusted root it needs no derived values, so the
// global stack renders it whole with Terraform tokens for the URLs; it is
// checked here only where the values are plain strings.

export const SIGNING_CONFIG_MEDIA_TYPE = "application/vnd.dev.sigstore.signingconfig.v0.2+json";

/** RFC 3161 timestamp path of the sigstore timestamp-authority; signing_config lists TSAs by full URL. */
export const TSA_TIMESTAMP_PATH = "/api/v1/timestamp";

export interface ServiceJson {
  readonly url: string;
  readonly majorApiVersion: number;
  readonly validFor: { readonly start: string };
  readonly operator: string;
}

export interface SigningConfigJson {
  readonly mediaType: typeof SIGNING_CONFIG_MEDIA_TYPE;
  readonly caUrls: readonly ServiceJson[];
  readonly oidcUrls: readonly ServiceJson[];
  readonly rekorTlogUrls: readonly ServiceJson[];
  /** ANY: a signer writes to one log; every listed log is in the trusted root. */
  readonly rekorTlogConfig: { readonly selector: "ANY" };
  readonly tsaUrls: readonly ServiceJson[];
  /** ANY: one timestamp from whichever region's TSA answers is enough. */
  readonly tsaConfig: { readonly selector: "ANY" };
}

const isToken = (value: unknown): boolean => (typeof value === "string" || typeof value === "number") && Token.isUnresolved(value);

function checkUrl(value: string, path: string, problems: TrustProblem[]): string {
  if (isToken(value)) return value;
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== "https:" || parsed.search || parsed.hash) throw new Error();
  } catch {
    problems.push({ path, message: `${JSON.stringify(value)} is not an https URL without query or fragment (e.g. "https://fulcio.example.com")` });
  }
  return value.replace(/\/+$/, "");
}

/** `fulcio.example.com` -> `example.com`: the domain the instance's services share. */
function operatorOf(fulcio: string): string | undefined {
  try {
    const labels = new URL(fulcio).hostname.split(".");
    return labels.length > 2 ? labels.slice(1).join(".") : labels.join(".");
  } catch {
    return undefined;
  }
}

function tsaUrl(base: string): string {
  if (isToken(base)) return `${base}${TSA_TIMESTAMP_PATH}`;
  return base.endsWith(TSA_TIMESTAMP_PATH) ? base : `${base}${TSA_TIMESTAMP_PATH}`;
}

/**
 * Assembles the instance's signing_config (v0.2) from its public URLs. Works
 * on Terraform tokens (the global stack renders it as an output) as well as on
 * plain strings (the `trust` command), which it also validates.
 * @throws TrustMaterialError naming every invalid field of plain input
 */
export function assembleSigningConfig(urls: InstanceUrls, source = "instance URLs"): SigningConfigJson {
  const problems: TrustProblem[] = [];
  const fulcio = checkUrl(urls.fulcio, "fulcio", problems);
  const oidc = checkUrl(urls.oidcIssuer, "oidcIssuer", problems);
  if (!isToken(urls.rekor) && urls.rekor.length === 0) {
    problems.push({ path: "rekor", message: "is empty: list the Rekor v1 URL (and any Rekor v2 write host)" });
  }
  if (!isToken(urls.tsa) && urls.tsa.length === 0) {
    problems.push({ path: "tsa", message: "is empty: list the timestamp authority URL" });
  }
  const rekor = urls.rekor.map((u, i) => checkUrl(u, `rekor[${i}]`, problems));
  const tsa = urls.tsa.map((u, i) => checkUrl(u, `tsa[${i}]`, problems));
  const versions = urls.rekorApiVersions ?? rekor.map((_, i) => (i === 0 ? 1 : 2));
  if (versions.length !== rekor.length) {
    problems.push({ path: "rekorApiVersions", message: `lists ${versions.length} versions for ${rekor.length} Rekor URLs: give one per URL` });
  }
  versions.forEach((v, i) => {
    if (!isToken(v) && v !== 1 && v !== 2) {
      problems.push({ path: `rekorApiVersions[${i}]`, message: `${v} is not a Rekor API version: use 1 (Rekor v1) or 2 (tile-based Rekor v2)` });
    }
  });
  let start = urls.validFrom;
  if (!isToken(start)) {
    if (!isRfc3339(start)) {
      problems.push({ path: "validFrom", message: `${JSON.stringify(start)} is not an RFC 3339 time; use e.g. "2026-01-01T00:00:00Z"` });
    } else {
      start = new Date(start).toISOString();
    }
  }
  const operator = urls.operator ?? (isToken(urls.fulcio) ? undefined : operatorOf(urls.fulcio));
  if (operator === undefined || operator === "") {
    problems.push({ path: "operator", message: "is required when the URLs are Terraform tokens: give the instance's domain (e.g. \"example.com\")" });
  }
  if (problems.length > 0) throw new TrustMaterialError(source, problems);

  const service = (url: string, majorApiVersion = 1): ServiceJson => ({
    url,
    majorApiVersion,
    validFor: { start },
    operator: operator as string,
  });
  return {
    mediaType: SIGNING_CONFIG_MEDIA_TYPE,
    caUrls: [service(fulcio)],
    oidcUrls: [service(oidc)],
    rekorTlogUrls: rekor.map((u, i) => service(u, versions[i])),
    rekorTlogConfig: { selector: "ANY" },
    tsaUrls: tsa.map((u) => service(tsaUrl(u))),
    tsaConfig: { selector: "ANY" },
  };
}
