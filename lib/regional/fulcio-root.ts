import { Construct } from "constructs";
import { PrivatecaCaPool } from "@cdktf/provider-google/lib/privateca-ca-pool";
import { PrivatecaCertificateAuthority } from "@cdktf/provider-google/lib/privateca-certificate-authority";
import { preventDestroy } from "../shared/protection";
import type { RegionalContext } from "./context";

/** Root CA validity: 10 years, as the upstream module. */
export const FULCIO_ROOT_LIFETIME = "315360000s";
/** Validity of each region's subordinate CA: 5 years, well inside the root's. */
export const FULCIO_INTERMEDIATE_LIFETIME = "157680000s";

export interface FulcioRootCaProps {
  /** The primary region's context: the root lives there, once per deployment. */
  readonly context: RegionalContext;
  /** @default { organization: <namePrefix>, commonName: "<namePrefix>-fulcio-root" } */
  readonly subject?: { readonly organization: string; readonly commonName: string };
}

/**
 * The deployment's one Fulcio root in Certificate Authority Service (`privateca`
 * mode): an Enterprise-tier pool in the primary region holding a self-signed
 * EC P-384 root that may sign one level of subordinate CAs, one per region
 * (`Fulcio` with `rootCaId`). The root never issues leaf certificates.
 *
 * CA Service lets a subordinate in any location be signed by a root in
 * another location of the same project: the provider fetches the
 * subordinate's CSR, creates its certificate in the root's pool (the root's
 * location) and activates the subordinate with the returned chain
 * (`subordinate_config.certificate_authority`, fixed for cross-region issuers
 * in google provider 5.24, magic-modules#10354). The Terraform identity needs
 * `privateca.certificates.create` on this pool; no service account is granted
 * anything here.
 */
export class FulcioRootCa extends Construct {
  readonly pool: PrivatecaCaPool;
  readonly rootCa: PrivatecaCertificateAuthority;

  constructor(scope: Construct, id: string, props: FulcioRootCaProps) {
    super(scope, id);
    const { context } = props;
    const subject = props.subject ?? { organization: context.names.prefix, commonName: context.names.of("fulcio", "root") };
    this.pool = preventDestroy(
      new PrivatecaCaPool(this, "pool", {
        project: context.project,
        name: context.names.of("fulcio", "root"),
        location: context.region,
        // Enterprise: the few subordinate certificates it issues are stored and revocable.
        tier: "ENTERPRISE",
        publishingOptions: { publishCaCert: false, publishCrl: false },
        issuancePolicy: {
          maximumLifetime: FULCIO_INTERMEDIATE_LIFETIME,
          // The provider signs a subordinate from its CSR; nothing else is requested here.
          allowedIssuanceModes: { allowCsrBasedIssuance: true, allowConfigBasedIssuance: false },
          allowedKeyTypes: [{ ellipticCurve: { signatureAlgorithm: "ECDSA_P384" } }],
          // Overrides any request: an issuing CA for code signing that can sign no further CA.
          baselineValues: {
            caOptions: { isCa: true, zeroMaxIssuerPathLength: true },
            keyUsage: {
              baseKeyUsage: { certSign: true, crlSign: true },
              extendedKeyUsage: { codeSigning: true },
            },
          },
        },
      }),
    );
    this.rootCa = preventDestroy(
      new PrivatecaCertificateAuthority(this, "ca", {
        project: context.project,
        location: context.region,
        pool: this.pool.name,
        certificateAuthorityId: context.names.of("fulcio", "root"),
        type: "SELF_SIGNED",
        lifetime: FULCIO_ROOT_LIFETIME,
        keySpec: { algorithm: "EC_P384_SHA384" },
        config: {
          subjectConfig: { subject: { organization: subject.organization, commonName: subject.commonName } },
          x509Config: {
            // Path length 1: the root anchors the regional subordinates, which issue the leaves.
            caOptions: { isCa: true, maxIssuerPathLength: 1 },
            keyUsage: { baseKeyUsage: { certSign: true, crlSign: true }, extendedKeyUsage: {} },
          },
        },
        deletionProtection: true,
        skipGracePeriod: false,
        ignoreActiveCertificatesOnDeletion: false,
      }),
    );
  }

  /** `projects/<p>/locations/<primary>/caPools/<pool>/certificateAuthorities/<id>`, each subordinate's issuer. */
  get certificateAuthorityId(): string {
    return this.rootCa.id;
  }
}
