import type { SigstoreConfig } from "../../config/schema";
import type { TimestampSigner } from "../timestamp";
import { chainField, chartCertificateChain } from "./chains";

/**
 * What a region's Fulcio or TSA release still waits for in the configuration
 * (field paths), or nothing when it can be installed. One decision for the
 * regional stack (which withholds the service's zones before building its
 * front end) and `RegionalWorkloads` (which installs the release or not).
 */
export function missingReleaseSettings(config: SigstoreConfig, service: "fulcio" | "tsa", region: string, tsaSigner: TimestampSigner = "tink"): string[] {
  if (service === "fulcio") {
    if (config.regional.fulcio.ca === "privateca") return [];
    return chartCertificateChain(config, "fulcio", region) ? [] : [chainField("fulcio", region), "trust.fulcio.rootCertificate"];
  }
  const missing = chartCertificateChain(config, "tsa", region) ? [] : [chainField("tsa", region), "trust.tsa.rootCertificate"];
  if (tsaSigner === "tink" && !config.regional.tsa.encryptedKeysets[region]) missing.push(`regional.tsa.encryptedKeysets.${region}`);
  return missing;
}
