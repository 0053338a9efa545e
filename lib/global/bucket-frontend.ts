import type { Construct } from "constructs";
import { ComputeBackendBucket } from "@cdktf/provider-google/lib/compute-backend-bucket";
import type { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import { ComputeUrlMap } from "@cdktf/provider-google/lib/compute-url-map";
import type { CloudArmorConfig } from "../config/schema";
import type { PublicServiceSpec } from "../shared/services";
import type { CloudArmorPolicy } from "./cloud-armor-policy";
import { HttpsFrontend, HttpsFrontendProps } from "./https-entry";

export interface BucketFrontendProps extends HttpsFrontendProps {
  /** A `bucket` service of the registry. */
  readonly service: PublicServiceSpec;
  /** The bucket served; it stays private when `cdnFillMember` may read it. */
  readonly bucketName: string;
  /** IP allow/deny rules of the edge policy (other rules do not apply at the edge). @default allow by default, no rules */
  readonly cloudArmor?: CloudArmorConfig;
}

/**
 * The member a global load balancer reads a private backend bucket as: Cloud
 * CDN's service agent, given roles/storage.objectViewer on the bucket
 * ("private bucket access", https://cloud.google.com/cdn/docs/configure-private-bucket-access).
 */
export function cdnFillMember(projectNumber: string): string {
  return `serviceAccount:service-${projectNumber}@cloud-cdn-fill.iam.gserviceaccount.com`;
}

/**
 * A global external Application Load Balancer for a service that is files in
 * a Cloud Storage bucket (the TUF repository): a CDN-enabled backend bucket
 * behind an edge Cloud Armor policy, and the same HTTPS entry as every other
 * front end (address, TLS 1.2+ policy, Certificate Manager certificate, port
 * 80 redirect).
 *
 * Backend buckets take only edge security policies, which match source IP
 * ranges: the configured IP allow/deny rules apply, rate limits do not.
 */
export class BucketFrontend extends HttpsFrontend {
  readonly address: ComputeGlobalAddress;
  readonly securityPolicy: CloudArmorPolicy;
  readonly backendBucket: ComputeBackendBucket;
  readonly urlMap: ComputeUrlMap;

  constructor(scope: Construct, id: string, props: BucketFrontendProps) {
    super(scope, id);
    const { service } = props;
    const names = this.namesOf(props);
    const part = service.id;
    if (service.backend !== "bucket") throw new Error(`BucketFrontend ${service.id}: the service's backend is "${service.backend}", not "bucket" (${this.node.path})`);

    this.securityPolicy = this.addCloudArmor(props, part, `Edge Cloud Armor policy of ${service.title}`, { edge: true });
    this.backendBucket = new ComputeBackendBucket(this, "backend-bucket", {
      project: props.project,
      name: names.of(part, "backend-bucket"),
      description: `${service.title} files, through Cloud CDN`,
      bucketName: props.bucketName,
      enableCdn: true,
      // The publisher sets Cache-Control per object (short for timestamp.json,
      // long for versioned metadata and targets); an object without it is not cached.
      cdnPolicy: { cacheMode: "USE_ORIGIN_HEADERS", requestCoalescing: true },
      compressionMode: "AUTOMATIC",
      edgeSecurityPolicy: this.securityPolicy.selfLink,
    });
    this.urlMap = new ComputeUrlMap(this, "url-map", {
      project: props.project,
      name: names.of(part, "url-map"),
      description: `Routes ${props.host}`,
      defaultService: this.backendBucket.id,
      hostRule: [{ hosts: [props.host], pathMatcher: part }],
      pathMatcher: [{ name: part, defaultService: this.backendBucket.id }],
    });
    this.address = this.serveHttps(props, {
      namePart: part,
      urlMap: this.urlMap.id,
      title: service.title,
    }).address!;
  }
}
