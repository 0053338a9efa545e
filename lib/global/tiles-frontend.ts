import type { Construct } from "constructs";
import { ComputeBackendBucket } from "@cdktf/provider-google/lib/compute-backend-bucket";
import { ComputeBackendService } from "@cdktf/provider-google/lib/compute-backend-service";
import type { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import { ComputeUrlMap, ComputeUrlMapPathMatcherRouteRules } from "@cdktf/provider-google/lib/compute-url-map";
import type { CloudArmorConfig, LoggingConfig } from "../config/schema";
import type { TilesLogExport, TilesReadRoute } from "../regional/tiles-log";
import { regionCode } from "../shared/names";
import type { CloudArmorPolicy } from "./cloud-armor-policy";
import { DEFAULT_FRONTEND_LOGGING, HttpsFrontend, HttpsFrontendProps } from "./https-entry";
import { addNegBackendService, NegProtocol } from "./neg-backends";

export interface TilesFrontendProps extends HttpsFrontendProps {
  /** The log this host serves: its bucket answers the reads. */
  readonly log: TilesLogExport;
  /**
   * Logs whose pods take this host's writes, each over every zone of its
   * region. @default [log]
   *
   * A Tessera log has one sequencer (its Spanner instance), so a write can
   * only go to pods of a log's own shard. Listing several logs (shards in
   * several regions, all of the same kind) makes this host a write front door
   * over all of them, as the upstream global module does: each write lands in
   * one log and its response carries that log's own proof and checkpoint,
   * while reads on this host stay those of `log`.
   */
  readonly writers?: readonly TilesLogExport[];
  /**
   * Part of every resource name. @default `<chart>-<shard>-<region code>` of
   * `log`; a write host over several shards needs its own (e.g. `<chart>-<shard>-write`).
   */
  readonly namePart?: string;
  /** Capacity of one endpoint (pod) in requests per second, for RATE balancing. @default 100 */
  readonly maxRatePerEndpoint?: number;
  /**
   * Rules of the write path's policy; the IP allow/deny rules also guard the bucket at the edge.
   * @default allow by default, adaptive protection on, no rules
   */
  readonly cloudArmor?: CloudArmorConfig;
  /** Request and health-check logging. @default every request logged, no health-check probes */
  readonly logging?: LoggingConfig;
}

/**
 * The global serving path of one tiles log (Rekor v2 or TesseraCT): reads of
 * checkpoints, tiles, entry bundles and issuers come from the tile bucket
 * through Cloud CDN (which honours the Cache-Control Tessera sets: immutable
 * tiles, `no-cache` checkpoints); everything else, the writes, goes to the
 * log's pods over their standalone NEGs, behind Cloud Armor. TLS 1.2+ with a
 * Certificate Manager certificate, and port 80 redirects to HTTPS.
 *
 * Region data arrives only as cross-stack references (`TilesLog.exported`):
 * nothing here looks up a NEG or a bucket.
 */
export class TilesFrontend extends HttpsFrontend {
  readonly address: ComputeGlobalAddress;
  readonly securityPolicy: CloudArmorPolicy;
  readonly edgeSecurityPolicy: CloudArmorPolicy;
  readonly backendBucket: ComputeBackendBucket;
  readonly backendServices: { readonly http: ComputeBackendService; readonly grpc?: ComputeBackendService };
  readonly urlMap: ComputeUrlMap;

  constructor(scope: Construct, id: string, props: TilesFrontendProps) {
    super(scope, id);
    const { log } = props;
    const names = this.namesOf(props);
    const spec = log.spec;
    const writers = props.writers ?? [log];
    if (writers.length === 0) throw new Error(`TilesFrontend ${this.node.path}: at least one log must take writes`);
    for (const w of writers) {
      if (w.spec.kind !== spec.kind) {
        throw new Error(`TilesFrontend ${this.node.path}: a ${spec.title} host cannot send writes to a ${w.spec.title} log (${w.shard} in ${w.region})`);
      }
    }
    // Per log (kind, shard and region): a shard name may recur in another region as another log.
    const part = props.namePart ?? `${spec.chart}-${log.shard}-${regionCode(log.region)}`;
    const title = writers.length > 1 ? `${spec.title} ${log.shard} writes (${writers.map((w) => w.region).join(", ")})` : `${spec.title} ${log.shard} (${log.region})`;

    this.securityPolicy = this.addCloudArmor(props, part, `Cloud Armor policy of the ${title} write path`);
    this.edgeSecurityPolicy = this.addCloudArmor(props, part, `Cloud Armor edge policy of the ${title} tiles`, { edge: true });


    this.backendBucket = new ComputeBackendBucket(this, "tiles", {
      name: names.of(part, "tiles"),
      description: `Checkpoints and tiles of ${title}`,
      bucketName: log.bucketName,
      enableCdn: true,
      cdnPolicy: {
        // Tessera marks full tiles immutable for a week and checkpoints no-cache.
        cacheMode: "USE_ORIGIN_HEADERS",
        requestCoalescing: true,
        // A tile that does not exist yet will soon; never cache its 404.
        negativeCaching: false,
      },
      edgeSecurityPolicy: this.edgeSecurityPolicy.selfLink,
    });

    const http = this.backendService(props, writers, "http", title, part);
    const grpc = spec.grpcServicePaths.length > 0 ? this.backendService(props, writers, "grpc", title, part) : undefined;
    this.backendServices = { http, grpc };

    const routeRules: ComputeUrlMapPathMatcherRouteRules[] = spec.reads.map((read, i) => ({
      priority: 10 + i,
      service: this.backendBucket.id,
      ...readRoute(read),
    }));
    if (grpc) {
      routeRules.push({
        priority: 100,
        service: grpc.id,
        // A gRPC method is /<package.Service>/<Method>.
        matchRules: spec.grpcServicePaths.map((p) => ({ prefixMatch: `${p}/` })),
      });
    }
    this.urlMap = new ComputeUrlMap(this, "url-map", {
      name: names.of(part, "url-map"),
      description: `Routes ${props.host}: reads from the tile bucket, the rest to the log`,
      defaultService: http.id,
      hostRule: [{ hosts: [props.host], pathMatcher: "tiles" }],
      pathMatcher: [{ name: "tiles", defaultService: http.id, routeRules }],
    });

    this.address = this.serveHttps(props, {
      namePart: part,
      urlMap: this.urlMap.id,
      title: title,
    }).address!;
  }

  private backendService(props: TilesFrontendProps, writers: readonly TilesLogExport[], protocol: NegProtocol, title: string, part: string): ComputeBackendService {
    const spec = props.log.spec;
    return addNegBackendService(this, {
      project: props.project,
      names: this.namesOf(props),
      namePart: part,
      title,
      subject: `${spec.title} ${props.log.shard}`,
      protocol,
      healthCheckPath: spec.healthCheckPath,
      groups: writers.map((w) => ({
        label: `${w.shard} in ${w.region}`,
        region: w.region,
        zones: w.zones,
        servedZones: w.servedZones,
        negNames: { http: w.httpNegName, grpc: w.grpcNegName },
      })),
      maxRatePerEndpoint: props.maxRatePerEndpoint ?? 100,
      securityPolicy: this.securityPolicy.selfLink,
      logging: props.logging ?? DEFAULT_FRONTEND_LOGGING,
    });
  }
}

/** A full path is matched exactly and rewritten whole; a template rewrites with its captured variables. */
function readRoute(read: TilesReadRoute): Pick<ComputeUrlMapPathMatcherRouteRules, "matchRules" | "routeAction"> {
  const template = read.match.includes("{");
  return {
    matchRules: [template ? { pathTemplateMatch: read.match } : { fullPathMatch: read.match }],
    routeAction:
      read.rewrite === undefined
        ? undefined
        : { urlRewrite: template ? { pathTemplateRewrite: read.rewrite } : { pathPrefixRewrite: read.rewrite } },
  };
}
