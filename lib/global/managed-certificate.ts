import { Construct } from "constructs";
import { CertificateManagerCertificate } from "@cdktf/provider-google/lib/certificate-manager-certificate";
import { CertificateManagerCertificateMap } from "@cdktf/provider-google/lib/certificate-manager-certificate-map";
import { CertificateManagerCertificateMapEntry } from "@cdktf/provider-google/lib/certificate-manager-certificate-map-entry";
import { CertificateManagerDnsAuthorization } from "@cdktf/provider-google/lib/certificate-manager-dns-authorization";
import { DnsRecordSet } from "@cdktf/provider-google/lib/dns-record-set";
import type { ResourceNames } from "../shared/names";

export interface ManagedCertificateProps {
  readonly names: ResourceNames;
  /** Name prefix part, usually the service id. */
  readonly namePart: string;
  readonly project: string;
  /** Host name without the trailing dot. */
  readonly host: string;
  readonly managedZone: string;
}

/**
 * A Google-managed certificate for one host, authorized through a DNS CNAME
 * rather than through the load balancer answering an HTTP challenge. The
 * certificate can therefore be issued while the A record still points at a
 * regional ingress, which is what lets the DNS hand-off happen with TLS ready.
 */
export class ManagedCertificate extends Construct {
  readonly certificateMap: CertificateManagerCertificateMap;
  readonly certificate: CertificateManagerCertificate;

  constructor(scope: Construct, id: string, props: ManagedCertificateProps) {
    super(scope, id);
    const { names, namePart, host } = props;
    const authorization = new CertificateManagerDnsAuthorization(this, "dns-authorization", {
      name: names.of(namePart, "dns-auth"),
      description: `DNS authorization for ${host}`,
      domain: host,
    });
    const challenge = authorization.dnsResourceRecord.get(0);
    new DnsRecordSet(this, "dns-authorization-record", {
      project: props.project,
      managedZone: props.managedZone,
      name: challenge.name,
      type: challenge.type,
      ttl: 300,
      rrdatas: [challenge.data],
    });
    this.certificate = new CertificateManagerCertificate(this, "certificate", {
      name: names.of(namePart, "cert"),
      description: `Managed certificate for ${host}`,
      managed: { domains: [host], dnsAuthorizations: [authorization.id] },
    });
    this.certificateMap = new CertificateManagerCertificateMap(this, "map", {
      name: names.of(namePart, "cert-map"),
    });
    new CertificateManagerCertificateMapEntry(this, "map-entry", {
      name: names.of(namePart, "cert-map-entry"),
      map: this.certificateMap.name,
      hostname: host,
      certificates: [this.certificate.id],
    });
  }

  /** Reference for a target HTTPS proxy's `certificate_map`. */
  get mapReference(): string {
    return `//certificatemanager.googleapis.com/${this.certificateMap.id}`;
  }
}
