import type { SigstoreConfigInput } from "sigstore-cdktf";

// The typed input: a misspelt key is a compile error. Every field not set here
// has a documented default (docs/configuration.md).
export const config: SigstoreConfigInput = {
  project: { id: "acme-sigstore", number: "123456789012" },
  dns: { zoneName: "acme-sigstore", domain: "sigstore.acme.example." },
  regions: [{ region: "us-east1", clusterName: "sigstore", zones: ["us-east1-b", "us-east1-c", "us-east1-d"] }],
};
