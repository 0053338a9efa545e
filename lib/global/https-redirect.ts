import { Construct } from "constructs";
import { ComputeGlobalForwardingRule } from "@cdktf/provider-google/lib/compute-global-forwarding-rule";
import { ComputeTargetHttpProxy } from "@cdktf/provider-google/lib/compute-target-http-proxy";
import { ComputeUrlMap } from "@cdktf/provider-google/lib/compute-url-map";
import type { ResourceNames } from "../shared/names";

export interface HttpsRedirectProps {
  readonly names: ResourceNames;
  readonly namePart: string;
  /** Address (IP) shared with the HTTPS forwarding rule. */
  readonly ipAddress: string;
}

/** Port 80 on the load balancer's address, answering every request with a redirect to HTTPS. */
export class HttpsRedirect extends Construct {
  constructor(scope: Construct, id: string, props: HttpsRedirectProps) {
    super(scope, id);
    const { names, namePart } = props;
    const urlMap = new ComputeUrlMap(this, "url-map", {
      name: names.of(namePart, "http-redirect"),
      description: "Redirects plain HTTP to HTTPS",
      defaultUrlRedirect: { httpsRedirect: true, redirectResponseCode: "MOVED_PERMANENTLY_DEFAULT", stripQuery: false },
    });
    const proxy = new ComputeTargetHttpProxy(this, "proxy", {
      name: names.of(namePart, "http-proxy"),
      urlMap: urlMap.id,
    });
    new ComputeGlobalForwardingRule(this, "forwarding-rule", {
      name: names.of(namePart, "http-rule"),
      ipAddress: props.ipAddress,
      ipProtocol: "TCP",
      portRange: "80",
      loadBalancingScheme: "EXTERNAL_MANAGED",
      target: proxy.id,
    });
  }
}
