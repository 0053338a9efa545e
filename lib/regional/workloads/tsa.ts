import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { TimestampAuthority, TSA_KUBERNETES } from "../timestamp";
import { CHARTS, sigstoreImage } from "./charts";
import { ChartRelease } from "./release";
import { TsaValues, workloadIdentityAccount } from "./values";

/** Service port of the TSA chart (80 -> 5555); 2112 (metrics) is never exposed. */
export const TSA_HTTP_PORT = 80;

export interface TimestampReleaseProps {
  readonly tsa: TimestampAuthority;
  /** PEM chain of the region's timestamping certificate, root last (`chartCertificateChain`). */
  readonly certificateChain: string;
  /** Tink keyset (JSON) encrypted with the key-encryption key (signer "tink"). */
  readonly encryptedKeyset?: string;
  readonly negName: string;
  readonly dependsOn?: ITerraformDependable[];
}

/** The Timestamp Authority in one region, signing with its Tink keyset (KMS-wrapped) or its KMS key. */
export class TimestampRelease extends Construct {
  readonly chart: ChartRelease<TsaValues>;

  constructor(scope: Construct, id: string, props: TimestampReleaseProps) {
    super(scope, id);
    const { tsa } = props;
    let args: TsaValues["server"]["args"];
    if (tsa.signer === "tink") {
      if (!props.encryptedKeyset) throw new Error(`${this.node.path}: the "tink" signer needs the encrypted keyset (regional.tsa.encryptedKeysets)`);
      args = { signer: "tink", tink_key_resource: `gcp-kms://${tsa.keyEncryptionKeyId}`, tink_enc_keyset: props.encryptedKeyset, cert_chain: props.certificateChain };
    } else {
      args = { signer: "kms", kms_key_resource: `gcpkms://${tsa.signingKeyId}`, cert_chain: props.certificateChain };
    }
    const values: TsaValues = {
      namespace: { create: false, name: TSA_KUBERNETES.namespace },
      server: {
        image: sigstoreImage(CHARTS.tsa.images.server),
        serviceAccount: workloadIdentityAccount(TSA_KUBERNETES.serviceAccount, tsa.serviceAccount.email),
        args,
        ingress: { http: { enabled: false } },
        logging: { production: true },
      },
      neg: { http: { name: props.negName, port: TSA_HTTP_PORT } },
    };
    this.chart = new ChartRelease(this, "chart", { chart: "tsa", name: "tsa", namespace: TSA_KUBERNETES.namespace, values, dependsOn: props.dependsOn });
  }
}
