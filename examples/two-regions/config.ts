import type { SigstoreConfigInput } from "sigstore-cdktf";

// Two regions, each an isolated signer under the one trust root; the global
// stack puts one load balancer per public service over both regions' NEGs.
export const config: SigstoreConfigInput = {
  namePrefix: "acme",
  project: { id: "acme-sigstore", number: "123456789012" },
  dns: { zoneName: "acme-sigstore", domain: "sigstore.acme.example." },
  regions: [
    { region: "us-east1", clusterName: "east", zones: ["us-east1-b", "us-east1-c"] },
    { region: "europe-west1", clusterName: "west", zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"] },
  ],
};
