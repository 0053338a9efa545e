import type { Construct } from "constructs";
import { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import { ComputeGlobalForwardingRule } from "@cdktf/provider-google/lib/compute-global-forwarding-rule";
import { ComputeSslPolicy } from "@cdktf/provider-google/lib/compute-ssl-policy";
import { ComputeTargetHttpsProxy } from "@cdktf/provider-google/lib/compute-target-https-proxy";
import type { ResourceNames } from "../shared/names";
import { HttpsRedirect } from "./https-redirect";
import { ManagedCertificate } from "./managed-certificate";

export interface HttpsEntryProps {
  readonly project: string;
  readonly names: ResourceNames;
  /** Name part of the front end, e.g. "fulcio". */
  readonly namePart: string;
  /** Host name without the trailing dot. */
  readonly host: string;
  /** Cloud DNS zone that answers the certificate's DNS authorization. */
  readonly managedZone: string;
  /** URL map the HTTPS proxy serves. */
  readonly urlMap: string;
  /** What the front end serves, for the address's description. */
  readonly title: string;
}

/**
 * How every public front end takes its traffic: a global IPv4 address, a
 * Certificate Manager certificate for its host, TLS 1.2 or newer with modern
 * ciphers on port 443, and port 80 answering with a redirect to HTTPS. The
 * resources are created in `scope` (ids `address`, `ssl-policy`, `tls`,
 * `https-proxy`, `https-forwarding-rule`, `http-redirect`), so front ends keep
 * their Terraform addresses.
 */
export function addHttpsEntry(scope: Construct, props: HttpsEntryProps): { address: ComputeGlobalAddress; certificate: ManagedCertificate } {
  const { names, namePart } = props;
  const address = new ComputeGlobalAddress(scope, "address", {
    name: names.of(namePart, "global-ip"),
    description: `${props.title} global load balancer`,
    addressType: "EXTERNAL",
    ipVersion: "IPV4",
  });
  const sslPolicy = new ComputeSslPolicy(scope, "ssl-policy", {
    name: names.of(namePart, "ssl-policy"),
    description: "TLS 1.2 or newer with modern ciphers",
    profile: "MODERN",
    minTlsVersion: "TLS_1_2",
  });

  const certificate = new ManagedCertificate(scope, "tls", {
    names,
    namePart,
    project: props.project,
    host: props.host,
    managedZone: props.managedZone,
  });

  const proxy = new ComputeTargetHttpsProxy(scope, "https-proxy", {
    name: names.of(namePart, "https-proxy"),
    urlMap: props.urlMap,
    sslPolicy: sslPolicy.id,
    certificateMap: certificate.mapReference,
  });

  new ComputeGlobalForwardingRule(scope, "https-forwarding-rule", {
    name: names.of(namePart, "https-rule"),
    ipAddress: address.address,
    ipProtocol: "TCP",
    portRange: "443",
    loadBalancingScheme: "EXTERNAL_MANAGED",
    target: proxy.id,
  });

  new HttpsRedirect(scope, "http-redirect", { names, namePart, ipAddress: address.address });
  return { address, certificate };
}
