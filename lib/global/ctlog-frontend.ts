import { Construct } from "constructs";
import type { ComputeBackendService } from "@cdktf/provider-google/lib/compute-backend-service";
import type { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import { ComputeUrlMap } from "@cdktf/provider-google/lib/compute-url-map";
import type { CloudArmorConfig, LoggingConfig } from "../config/schema";
import { CTLOG_HEALTH_CHECK_PATH, CtLogExport } from "../regional/ctlog";
import { regionCode } from "../shared/names";
import type { CloudArmorPolicy } from "./cloud-armor-policy";
import { DEFAULT_FRONTEND_LOGGING, HttpsFrontend, HttpsFrontendProps } from "./https-entry";
import { addNegBackendService } from "./neg-backends";

export interface CtLogFrontendProps extends HttpsFrontendProps {
  /** Every CT log of the deployment (one when shared, one per region otherwise). */
  readonly logs: readonly CtLogExport[];
  /** Host name without the trailing dot (`ctfe.<domain>`). */
  readonly host: string;
  /** Capacity of one endpoint (pod) in requests per second. @default 100 */
  readonly maxRatePerEndpoint?: number;
  /** Cloud Armor policy of the backend services. @default allow by default, adaptive protection on, no rules */
  readonly cloudArmor?: CloudArmorConfig;
  /** Request and health-check logging. @default every request logged, no health-check probes */
  readonly logging?: LoggingConfig;
}

/**
 * The public host of the deployment's Trillian CT logs: one global load
 * balancer on which each log has its own path, `/<prefix>/`, routed only to
 * the pods of the region that runs that log (a log's key and trees exist in
 * one region, so another region's ct_server could not answer for it). Fulcio
 * submits through it and monitors read every log through it. Cloud Armor,
 * TLS 1.2+ with a Certificate Manager certificate, port 80 redirects to HTTPS.
 */
export class CtLogFrontend extends HttpsFrontend {
  readonly address: ComputeGlobalAddress;
  readonly securityPolicy: CloudArmorPolicy;
  /** One backend service per log, by region. */
  readonly backendServices: { readonly [region: string]: ComputeBackendService };
  readonly urlMap: ComputeUrlMap;

  constructor(scope: Construct, id: string, props: CtLogFrontendProps) {
    super(scope, id);
    const names = this.namesOf(props);
    if (props.logs.length === 0) throw new Error(`CtLogFrontend ${this.node.path}: at least one CT log must be served`);
    const prefixes = props.logs.map((l) => l.prefix);
    const twice = prefixes.find((p, i) => prefixes.indexOf(p) !== i);
    if (twice !== undefined) throw new Error(`CtLogFrontend ${this.node.path}: two logs use the prefix "${twice}"; a prefix names one log`);

    this.securityPolicy = this.addCloudArmor(props, "ctlog", "Cloud Armor policy of the CT logs");
    const backends: { [region: string]: ComputeBackendService } = {};
    for (const log of props.logs) {
      // A scope per log keeps each log's health check and backend apart.
      const part = `ctlog-${regionCode(log.region)}`;
      backends[log.region] = addNegBackendService(new Construct(this, log.region), {
        project: props.project,
        names,
        namePart: part,
        title: `CT log ${log.prefix}`,
        subject: `CT log ${log.prefix}`,
        protocol: "http",
        healthCheckPath: CTLOG_HEALTH_CHECK_PATH,
        groups: [{ label: log.region, region: log.region, zones: log.zones, servedZones: log.servedZones, negNames: { http: log.httpNegName } }],
        maxRatePerEndpoint: props.maxRatePerEndpoint ?? 100,
        securityPolicy: this.securityPolicy.selfLink,
        logging: props.logging ?? DEFAULT_FRONTEND_LOGGING,
      });
    }
    this.backendServices = backends;

    const first = backends[props.logs[0].region];
    this.urlMap = new ComputeUrlMap(this, "url-map", {
      name: names.of("ctlog", "url-map"),
      description: `Routes ${props.host}: each CT log's path to the region that runs it`,
      // Paths of no log reach the first log's ct_server, which answers 404.
      defaultService: first.id,
      hostRule: [{ hosts: [props.host], pathMatcher: "ctlog" }],
      pathMatcher: [
        {
          name: "ctlog",
          defaultService: first.id,
          pathRule: props.logs.map((log) => ({ paths: [`/${log.prefix}/*`], service: backends[log.region].id })),
        },
      ],
    });

    this.address = this.serveHttps(props, {
      namePart: "ctlog",
      urlMap: this.urlMap.id,
      title: "CT logs",
    }).address!;
  }
}
