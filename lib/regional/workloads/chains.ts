import type { SigstoreConfig } from "../../config/schema";

/**
 * A region's certificate chain as the Fulcio (`kms_cert_chain`) and TSA
 * (`cert_chain`) charts take it: PEM, issuing certificate first, root last.
 * Read from the one place the trust root is configured: the region's chain
 * (`trust.regions.<region>.fulcioChain` / `tsaChain`, root excluded) and the
 * authority's root (`trust.<authority>.rootCertificate`). Undefined until both
 * are set (the schema requires the root whenever a chain is set).
 */
export function chartCertificateChain(config: SigstoreConfig, authority: "fulcio" | "tsa", region: string): string | undefined {
  const regionTrust = config.trust.regions[region];
  const chain = authority === "fulcio" ? regionTrust?.fulcioChain : regionTrust?.tsaChain;
  const root = config.trust[authority].rootCertificate;
  if (!chain || chain.length === 0 || root === undefined) return undefined;
  return [...chain, root].map((pem) => pem.trim()).join("\n") + "\n";
}

/** The configuration field that holds a region's chain, for messages. */
export function chainField(authority: "fulcio" | "tsa", region: string): string {
  return `trust.regions.${region}.${authority === "fulcio" ? "fulcioChain" : "tsaChain"}`;
}
