import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { FULCIO_KUBERNETES, Fulcio } from "../fulcio";
import { CHARTS, sigstoreImage } from "./charts";
import { ChartRelease } from "./release";
import { FulcioCaValues, FulcioIdentityConfig, FulcioValues, workloadIdentityAccount } from "./values";

/** Service ports of the Fulcio chart: HTTP (80 -> 5555) and gRPC (5554); 2112 (metrics) is never exposed. */
export const FULCIO_PORTS = { http: 80, grpc: 5554 } as const;

export interface FulcioReleaseProps {
  readonly fulcio: Fulcio;
  /** PEM chain of the region's KMS intermediate, root last (ca "kms"; `chartCertificateChain`). */
  readonly certificateChain?: string;
  readonly identity: FulcioIdentityConfig;
  /** The CT log Fulcio submits precertificates to, or none (no SCTs). */
  readonly ctLogUrl?: string;
  /** Standalone NEG names of the HTTP and gRPC ports. */
  readonly negNames: { readonly http: string; readonly grpc: string };
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Fulcio in one region, signing with the region's CA: `googleca` on the CA
 * Service pool, or `kmsca` with the KMS intermediate key and its chain. No GCE
 * ingress (the load balancers are Terraform's), so the chart annotates its
 * Service with standalone NEGs of the serving ports under the given names.
 */
export class FulcioRelease extends Construct {
  readonly chart: ChartRelease<FulcioValues>;

  constructor(scope: Construct, id: string, props: FulcioReleaseProps) {
    super(scope, id);
    const { fulcio } = props;
    let ca: FulcioCaValues;
    if (fulcio.mode === "privateca") {
      ca = { certificateAuthority: "googleca", gcp_private_ca_parent: fulcio.caPoolId };
    } else {
      if (!props.certificateChain) throw new Error(`${this.node.path}: Fulcio with ca "kms" needs the certificate chain of its intermediate (trust.regions.<region>.fulcioChain and trust.fulcio.rootCertificate)`);
      ca = { certificateAuthority: "kmsca", kms_resource: `gcpkms://${fulcio.signingKeyId}`, kms_cert_chain: props.certificateChain };
    }
    const images = CHARTS.fulcio.images;
    const values: FulcioValues = {
      namespace: { create: false, name: FULCIO_KUBERNETES.namespace },
      config: { format: "json", contents: props.identity },
      server: {
        image: sigstoreImage(images.server),
        serviceAccount: workloadIdentityAccount(FULCIO_KUBERNETES.serviceAccount, fulcio.serviceAccount.email),
        args: { ...ca, ct_log_url: props.ctLogUrl ?? "", disable_ct_log: props.ctLogUrl === undefined },
        ingress: { http: { enabled: false }, grpc: { enabled: false } },
        // An empty list: the chart writes the standalone NEG annotation only without GCE ingresses.
        ingresses: [],
        logging: { production: true },
      },
      init: { enabled: false, image: { curl: sigstoreImage(images.curl) } },
      createcerts: { enabled: false },
      ctlog: { enabled: false },
      neg: {
        http: { name: props.negNames.http, port: FULCIO_PORTS.http },
        grpc: { name: props.negNames.grpc, port: FULCIO_PORTS.grpc },
      },
    };
    this.chart = new ChartRelease(this, "chart", { chart: "fulcio", name: "fulcio", namespace: FULCIO_KUBERNETES.namespace, values, dependsOn: props.dependsOn });
  }
}
