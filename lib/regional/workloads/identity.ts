import type { DexConnectorConfig, FulcioIssuerConfig } from "../../config/schema";
import type { DexConnectorEntry, FulcioIdentityConfig, FulcioOidcIssuer } from "./values";

/** Dex's issuer URL: Dex serves under /auth on its public host. */
export function dexIssuerUrl(dexHost: string): string {
  return `https://${dexHost}/auth`;
}

/** The audience Sigstore clients request and Fulcio expects. */
export const SIGSTORE_CLIENT_ID = "sigstore";

/**
 * Fulcio's identity configuration in its own format: the deployment's Dex
 * (email identities; the upstream connector is recorded as the issuer claim,
 * as on sigstore.dev), then every configured issuer. Issuer URLs with a `*`
 * go to MetaIssuers, the others to OIDCIssuers. Validation (https, unique,
 * known type, trust domain for SPIFFE) happens in the configuration schema;
 * this checks again for callers that build issuers in code.
 */
export function fulcioIdentityConfig(issuers: readonly FulcioIssuerConfig[], dex?: { readonly issuerUrl: string }): FulcioIdentityConfig {
  const oidc: { [url: string]: FulcioOidcIssuer } = {};
  const meta: { [url: string]: FulcioOidcIssuer } = {};
  if (dex) {
    oidc[dex.issuerUrl] = { IssuerURL: dex.issuerUrl, ClientID: SIGSTORE_CLIENT_ID, Type: "email", IssuerClaim: "$.federated_claims.connector_id" };
  }
  issuers.forEach((issuer, i) => {
    const where = `fulcio issuers[${i}]`;
    if (!issuer.issuerUrl.startsWith("https://")) throw new Error(`${where}.issuerUrl "${issuer.issuerUrl}" must be https`);
    const target = issuer.issuerUrl.includes("*") ? meta : oidc;
    if (issuer.issuerUrl in oidc || issuer.issuerUrl in meta) throw new Error(`${where}.issuerUrl "${issuer.issuerUrl}" is listed twice (or is the deployment's Dex)`);
    if (issuer.type === "spiffe" && !issuer.spiffeTrustDomain) throw new Error(`${where}.spiffeTrustDomain is required for type "spiffe"`);
    target[issuer.issuerUrl] = {
      IssuerURL: issuer.issuerUrl,
      ClientID: issuer.clientId,
      Type: issuer.type,
      ...(issuer.spiffeTrustDomain ? { SPIFFETrustDomain: issuer.spiffeTrustDomain } : {}),
      ...(issuer.subjectDomain ? { SubjectDomain: issuer.subjectDomain } : {}),
    };
  });
  return Object.keys(meta).length > 0 ? { OIDCIssuers: oidc, MetaIssuers: meta } : { OIDCIssuers: oidc };
}

/** Directory where the CSI driver mounts the connector secrets in the Dex pod, one file per secret. */
export const DEX_CONNECTOR_SECRETS_DIR = "/var/run/secrets/dex-connectors";

/**
 * Dex connectors from configuration. The client secret is never in the
 * configuration: Dex's image renders its config file with gomplate at start,
 * and the value is read there from the file the Secret Manager CSI driver
 * mounted. The Helm values, the Kubernetes Secret with Dex's config and the
 * Terraform state hold only the file name.
 */
export function dexConnectors(connectors: readonly DexConnectorConfig[], issuerUrl: string): DexConnectorEntry[] {
  return connectors.map((c) => ({
    type: c.type,
    id: c.id,
    name: c.name,
    config: {
      ...c.config,
      clientID: c.clientId,
      clientSecret: `{{ file.Read "${DEX_CONNECTOR_SECRETS_DIR}/${c.clientSecret}" | strings.TrimSpace }}`,
      redirectURI: `${issuerUrl}/callback`,
    },
  }));
}
