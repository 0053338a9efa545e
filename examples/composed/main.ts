// The library's constructs in a stack of your own, next to your own resources:
// a global HTTPS front end (Cloud Armor, TLS policy, managed certificate,
// health checks, backend services) over NEGs you name, Fulcio's and the
// Timestamp Authority's keys and identities for a cluster you run, plus a
// bucket, a KMS key and a workload-identity service account with
// least-privilege grants. Each construct takes only its own props.
import { App, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import {
  CloudArmorConfig,
  Fulcio,
  GlobalFrontend,
  KeyRing,
  LoggingConfig,
  PUBLIC_SERVICES,
  ResourceNames,
  SecureBucket,
  TimestampAuthority,
  WorkloadIdentityServiceAccount,
} from "sigstore-cdktf";

const project = "acme-platform";

class FrontDoorStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new GoogleProvider(this, "google", { project });
    // A relative state path keeps the synthesized JSON free of this machine's paths.
    new LocalBackend(this, { path: `terraform.${id}.tfstate` });
    const names = new ResourceNames("acme", project);

    const cloudArmor: CloudArmorConfig = {
      defaultAction: "allow",
      adaptiveProtection: true,
      rules: [{ priority: 1000, action: "deny(403)", description: "block a bad range", preview: false, match: { srcIpRanges: ["198.51.100.0/24"] } }],
    };
    const logging: LoggingConfig = { loadBalancer: true, loadBalancerSampleRate: 0.5, healthChecks: false };

    // Your GKE Services create these standalone NEGs (annotation cloud.google.com/neg).
    const frontend = new GlobalFrontend(this, "fulcio", {
      project,
      namePrefix: "acme",
      service: PUBLIC_SERVICES.fulcio,
      host: "fulcio.sigstore.acme.example",
      managedZone: "acme-sigstore",
      regions: [
        {
          region: "us-east1",
          zones: ["us-east1-b", "us-east1-c"],
          httpNegName: "acme-fulcio-http-use1",
          grpcNegName: "acme-fulcio-grpc-use1",
          servedZones: ["us-east1-b", "us-east1-c"],
          ingressAddress: "203.0.113.10",
        },
      ],
      maxRatePerEndpoint: 50,
      cloudArmor,
      logging,
    });
    new TerraformOutput(this, "fulcio-address", { value: frontend.ipAddress });

    // Fulcio's CA key (KMS) and the TSA's keys for the Sigstore charts on your
    // own cluster: names derive from namePrefix unless given.
    const workloadPool = `${project}.svc.id.goog`;
    const fulcio = new Fulcio(this, "fulcio-ca", { project, region: "us-east1", namePrefix: "acme", workloadPool });
    const tsa = new TimestampAuthority(this, "tsa", { project, region: "us-east1", namePrefix: "acme", workloadPool, keyRingName: "acme-timestamps" });
    // The operator who certifies both keys in the ceremony reads their public keys, nothing more.
    const ceremony = { grantId: "ceremony", member: "group:pki-ceremony@acme.example" };
    fulcio.grantIntermediatePublicKeyViewer(ceremony);
    tsa.grantPublicKeyViewer(ceremony);
    new TerraformOutput(this, "fulcio-intermediate-public-key", { value: fulcio.intermediatePublicKeyPem });

    // Bring your own cluster: the account is usable from its Kubernetes service account.
    const account = new WorkloadIdentityServiceAccount(this, "signer", {
      project,
      accountId: "acme-signer",
      displayName: "Artifact signer",
      kubernetes: { workloadPool: `${project}.svc.id.goog`, namespace: "signing", serviceAccount: "signer" },
    });
    const bucket = new SecureBucket(this, "artifacts", { project, name: names.bucket("artifacts"), location: "US" });
    bucket.grantObjectViewer(account);
    const key = new KeyRing(this, "keys", { project, name: "acme-signing", location: "us-east1" }).addKey("signing", {
      name: "signing",
      purpose: "ASYMMETRIC_SIGN",
      algorithm: "EC_SIGN_P384_SHA384",
      protectionLevel: "HSM",
    });
    key.grantViewer(account);
  }
}

const app = new App();
new FrontDoorStack(app, "front-door");
app.synth();
