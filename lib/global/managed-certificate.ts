import { Construct } from "constructs";
import { CertificateManagerCertificate } from "@cdktf/provider-google/lib/certificate-manager-certificate";
import { CertificateManagerCertificateMap } from "@cdktf/provider-google/lib/certificate-manager-certificate-map";
import { CertificateManagerCertificateMapEntry } from "@cdktf/provider-google/lib/certificate-manager-certificate-map-entry";
import { CertificateManagerDnsAuthorization } from "@cdktf/provider-google/lib/certificate-manager-dns-authorization";
import { DnsRecordSet } from "@cdktf/provider-google/lib/dns-record-set";
import type { ResourceNames } from "../shared/names";

/**
 * How Certificate Manager checks control of the host: `FIXED_RECORD` answers
 * at `_acme-challenge.<host>`, `PER_PROJECT_RECORD` at
 * `_acme-challenge_<project id>.<host>`. A DNS name holds one CNAME, so two
 * certificates for the same host in one project need different types.
 */
export type DnsAuthorizationType = "FIXED_RECORD" | "PER_PROJECT_RECORD";

export interface DnsAuthorizedCertificateProps {
  readonly names: ResourceNames;
  /** Name prefix part, usually the service id. */
  readonly namePart: string;
  readonly project: string;
  /** Host name without the trailing dot. */
  readonly host: string;
  readonly managedZone: string;
  /** @default the API's default, FIXED_RECORD for global certificates */
  readonly authorizationType?: DnsAuthorizationType;
}

/**
 * A DNS authorization, its CNAME record and a Google-managed certificate for
 * one host, created in `scope` as `dns-authorization`,
 * `dns-authorization-record` and `certificate`.
 */
export function addDnsAuthorizedCertificate(scope: Construct, props: DnsAuthorizedCertificateProps): CertificateManagerCertificate {
  const { names, namePart, host } = props;
  const authorization = new CertificateManagerDnsAuthorization(scope, "dns-authorization", {
    name: names.of(namePart, "dns-auth"),
    description: `DNS authorization for ${host}`,
    domain: host,
    type: props.authorizationType,
  });
  const challenge = authorization.dnsResourceRecord.get(0);
  new DnsRecordSet(scope, "dns-authorization-record", {
    project: props.project,
    managedZone: props.managedZone,
    name: challenge.name,
    type: challenge.type,
    ttl: 300,
    rrdatas: [challenge.data],
  });
  return new CertificateManagerCertificate(scope, "certificate", {
    name: names.of(namePart, "cert"),
    description: `Managed certificate for ${host}`,
    managed: { domains: [host], dnsAuthorizations: [authorization.id] },
  });
}

/** A certificate made elsewhere (another construct or stack) that a front end serves. */
export interface ExistingCertificate {
  /** Certificate id, `projects/<p>/locations/global/certificates/<name>` (may be a cross-stack token). */
  readonly id: string;
}

export interface ManagedCertificateProps {
  readonly names: ResourceNames;
  /** Name prefix part, usually the service id. */
  readonly namePart: string;
  readonly project: string;
  /** Host name without the trailing dot. */
  readonly host: string;
  readonly managedZone: string;
  /**
   * Serve this certificate instead of issuing one here; only the certificate
   * map and its entry are created. @default a new DNS-authorized certificate
   */
  readonly certificate?: ExistingCertificate;
}

/**
 * A Google-managed certificate for one host, authorized through a DNS CNAME
 * rather than through the load balancer answering an HTTP challenge. The
 * certificate can therefore be issued while the A record still points at a
 * regional ingress, which is what lets the DNS hand-off happen with TLS ready.
 */
export class ManagedCertificate extends Construct {
  readonly certificateMap: CertificateManagerCertificateMap;
  /** The certificate, when issued here (not with `props.certificate`). */
  readonly certificate?: CertificateManagerCertificate;
  /** Id of the certificate the map serves. */
  readonly certificateId: string;

  constructor(scope: Construct, id: string, props: ManagedCertificateProps) {
    super(scope, id);
    const { names, namePart, host } = props;
    if (props.certificate) {
      this.certificateId = props.certificate.id;
    } else {
      this.certificate = addDnsAuthorizedCertificate(this, props);
      this.certificateId = this.certificate.id;
    }
    this.certificateMap = new CertificateManagerCertificateMap(this, "map", {
      name: names.of(namePart, "cert-map"),
    });
    new CertificateManagerCertificateMapEntry(this, "map-entry", {
      name: names.of(namePart, "cert-map-entry"),
      map: this.certificateMap.name,
      hostname: host,
      certificates: [this.certificateId],
    });
  }

  /** Reference for a target HTTPS proxy's `certificate_map`. */
  get mapReference(): string {
    return `//certificatemanager.googleapis.com/${this.certificateMap.id}`;
  }
}
