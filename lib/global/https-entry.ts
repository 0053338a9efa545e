import type { Construct } from "constructs";
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
  /** The load balancer's global address. */
  readonly ipAddress: string;
}

/**
 * How every public front end takes its traffic: a Certificate Manager
 * certificate for its host, TLS 1.2 or newer with modern ciphers on port 443,
 * and port 80 answering with a redirect to HTTPS. The resources are created in
 * `scope` (ids `ssl-policy`, `tls`, `https-proxy`, `https-forwarding-rule`,
 * `http-redirect`), so front ends keep their Terraform addresses.
 */
export function addHttpsEntry(scope: Construct, props: HttpsEntryProps): ManagedCertificate {
  const { names, namePart } = props;
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
    ipAddress: props.ipAddress,
    ipProtocol: "TCP",
    portRange: "443",
    loadBalancingScheme: "EXTERNAL_MANAGED",
    target: proxy.id,
  });

  new HttpsRedirect(scope, "http-redirect", { names, namePart, ipAddress: props.ipAddress });
  return certificate;
}
