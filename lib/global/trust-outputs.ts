import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { addWarning } from "../shared/warnings";
import type { SigstoreConfig } from "../config/schema";
import type { RegionalStack } from "../regional/regional-stack";
import { ctLogUrl, TilesKind, tilesShardUrl, tilesWriteLabel } from "../shared/log-placement";
import { hostOf } from "../shared/names";
import { frozenRekorLogs, isServiceEnabled } from "../shared/placement";
import { assembleSigningConfig } from "../trust/signing-config";
import type { AuthorityMaterial, InstanceUrls, LogMaterial, TrustMaterial } from "../trust/types";
import { TRUST_OUTPUTS } from "../trust/types";

function validFor(config: SigstoreConfig, region: string): { start: string } {
  return { start: config.trust.regions[region]?.validFrom ?? config.trust.validFrom };
}

/**
 * Values missing because the operator has not yet run a ceremony step (a
 * chain to sign, a log key to publish). The material still lists the
 * region, with an empty chain or key, so the trust command can name what is
 * missing instead of silently leaving a region out.
 */
export interface PendingTrustValue {
  readonly region: string;
  /** The configuration field to set. */
  readonly field: string;
}

/**
 * Everything the trusted root lists, from every regional stack (public keys
 * of KMS key versions and CA Service chains as cross-stack values) and the
 * configuration (offline roots, ceremony-signed chains, log keys kept out of
 * Terraform, validity starts). Each region's CA and TSA, each CT log and each
 * Rekor log (v1 or a Rekor v2 shard) appears exactly once.
 */
export function trustMaterialOf(config: SigstoreConfig, regions: readonly RegionalStack[], pending: PendingTrustValue[] = []): TrustMaterial {
  const fulcioUri = `https://${hostOf(config.services.fulcio.subdomain, config.dns.domain)}`;
  // Base URL, as the contract says; signing_config appends the timestamp path.
  const tsaUri = `https://${hostOf(config.services.tsa.subdomain, config.dns.domain)}`;
  const rekorUri = `https://${hostOf(config.services.rekor.subdomain, config.dns.domain)}`;
  const chain = (region: string, field: "fulcioChain" | "tsaChain", root: string | undefined): string[] => {
    const certs = config.trust.regions[region]?.[field];
    if (!certs || !root) {
      pending.push({ region, field: `trust.regions.${region}.${field}` });
      return [];
    }
    return [...certs, root];
  };
  const key = (region: string, field: string, pem: string | undefined): string => {
    if (!pem) {
      pending.push({ region, field });
      return "";
    }
    return pem;
  };
  const log = (region: string, baseUrl: string, field: string, pem: string | undefined): LogMaterial => ({
    baseUrl,
    region,
    publicKeyPem: key(region, field, pem),
    validFor: validFor(config, region),
  });
  // Each region's shard of a tiles log, with the key the configuration publishes for it.
  const tilesLogs = (kind: TilesKind): LogMaterial[] =>
    regions.flatMap((r) =>
      r.tilesLogs[kind] ? [log(r.region, tilesShardUrl(config, kind, r.region), `tiles.${kind}.publicKeys.${r.region}`, config.tiles[kind].publicKeys[r.region])] : [],
    );

  const certificateAuthorities: AuthorityMaterial[] = regions.map((r) => ({
    uri: fulcioUri,
    region: r.region,
    certChainPem: r.fulcio.mode === "privateca" ? r.fulcio.caChainPem : chain(r.region, "fulcioChain", config.trust.fulcio.rootCertificate),
    validFor: validFor(config, r.region),
  }));
  const timestampAuthorities: AuthorityMaterial[] = regions.map((r) => ({
    uri: tsaUri,
    region: r.region,
    certChainPem: chain(r.region, "tsaChain", config.trust.tsa.rootCertificate),
    validFor: validFor(config, r.region),
  }));
  const transparencyLogs: LogMaterial[] = [
    // Logs of regions that ran their own Rekor v1 before: frozen, listed until their entries no longer need verifying.
    ...frozenRekorLogs(config),
    // Rekor v1: its KMS key's public half, read in the stack that creates the key.
    ...regions.flatMap((r) => (r.rekor ? [{ baseUrl: rekorUri, region: r.region, publicKeyPem: r.rekor.signingPublicKeyPem, validFor: validFor(config, r.region) }] : [])),
    ...tilesLogs("rekor"),
  ];
  const ctLogs: LogMaterial[] = [
    ...regions.flatMap((r) => (r.ctlog ? [log(r.region, ctLogUrl(config, r.region), `ctlog.publicKeys.${r.region}`, config.ctlog.publicKeys[r.region])] : [])),
    ...tilesLogs("ctlog"),
  ];
  return { certificateAuthorities, timestampAuthorities, transparencyLogs, ctLogs };
}

/**
 * `InstanceUrls` with the optional fields the trust-root assembly reads
 * (`rekorApiVersions`, `operator`), set explicitly so nothing is guessed.
 */
export type InstanceUrlsOutput = InstanceUrls & { readonly rekorApiVersions: readonly number[]; readonly operator: string };

/** The instance's public URLs: one host per service on the global load balancer, whatever region answers. */
export function instanceUrlsOf(config: SigstoreConfig, regions: readonly RegionalStack[]): InstanceUrlsOutput {
  const https = (host: string) => `https://${host}`;
  const rekor: string[] = [];
  const rekorApiVersions: number[] = [];
  if (regions.some((r) => r.rekor)) {
    rekor.push(https(hostOf(config.services.rekor.subdomain, config.dns.domain)));
    rekorApiVersions.push(1);
  }
  if (regions.some((r) => r.tilesLogs.rekor)) {
    rekor.push(https(hostOf(tilesWriteLabel(config, "rekor"), config.dns.domain)));
    rekorApiVersions.push(2);
  }
  return {
    fulcio: https(hostOf(config.services.fulcio.subdomain, config.dns.domain)),
    rekor,
    rekorApiVersions,
    // Base URLs; signing_config gets the full /api/v1/timestamp URL.
    tsa: [https(hostOf(config.services.tsa.subdomain, config.dns.domain))],
    // Dex's issuer is https://<host>/auth (docs/dex-jwks.md).
    oidcIssuer: `${https(hostOf(config.services.dex.subdomain, config.dns.domain))}/auth`,
    tufMirror: isServiceEnabled(config, "tuf") ? https(hostOf(config.services.tuf.subdomain, config.dns.domain)) : undefined,
    validFrom: config.trust.validFrom,
    operator: config.dns.domain.replace(/\.$/, ""),
  };
}

export interface TrustOutputsProps {
  readonly config: SigstoreConfig;
  /** Every regional stack, in configuration order. */
  readonly regions: readonly RegionalStack[];
}

/**
 * The global stack's trust outputs, named by `TRUST_OUTPUTS`: `trust_material`
 * (a `TrustMaterial`), `instance_urls` (an `InstanceUrls`) and `signing_config`;
 * the trust
 * command turns into trusted_root.json and signing_config.json. Ceremony steps
 * still to do are synth-time warnings naming the field to set.
 */
export class TrustOutputs extends Construct {
  readonly material: TrustMaterial;
  readonly urls: InstanceUrlsOutput;
  readonly pending: readonly PendingTrustValue[];

  constructor(scope: Construct, id: string, props: TrustOutputsProps) {
    super(scope, id);
    const pending: PendingTrustValue[] = [];
    this.material = trustMaterialOf(props.config, props.regions, pending);
    this.urls = instanceUrlsOf(props.config, props.regions);
    this.pending = pending;
    // At the stack's root, so the output names are exactly the contract's.
    new TerraformOutput(scope, TRUST_OUTPUTS.material, {
      description: "Every region's CA, TSA and logs for trusted_root.json (npx sigstore-cdktf trust)",
      value: this.material,
    });
    new TerraformOutput(scope, TRUST_OUTPUTS.urls, {
      description: "The instance's public URLs, for signing_config.json and clients' environment",
      value: stripUndefined(this.urls),
    });
    // signing_config needs no derived values, so Terraform renders it whole.
    new TerraformOutput(scope, TRUST_OUTPUTS.signingConfig, {
      description: "signing_config.json (v0.2): the Fulcio, Rekor, TSA and OIDC URLs clients sign with",
      value: assembleSigningConfig(this.urls),
    });
    if (pending.length > 0) {
      addWarning(
        this,
        `The trusted root is incomplete until these are configured (docs/trust-root.md): ${pending.map((p) => p.field).join(", ")}`,
      );
    }
  }
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
