import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { LoggingMetric } from "@cdktf/provider-google/lib/logging-metric";
import { MonitoringAlertPolicy } from "@cdktf/provider-google/lib/monitoring-alert-policy";
import { MonitoringCustomService } from "@cdktf/provider-google/lib/monitoring-custom-service";
import { MonitoringDashboard } from "@cdktf/provider-google/lib/monitoring-dashboard";
import { MonitoringSlo, MonitoringSloConfig } from "@cdktf/provider-google/lib/monitoring-slo";
import type { MonitoringUptimeCheckConfig } from "@cdktf/provider-google/lib/monitoring-uptime-check-config";
import { LogMetricsReady } from "../shared/log-metrics-ready";
import type { ResourceNames } from "../shared/names";
import { RegionalPlacementProps, regionalNames } from "../shared/regional-props";
import { chart, dashboardJson, incidents, Series, text, Widget } from "./monitoring/dashboard";
import { AddAlert, caExpiryAlert, cloudSqlAlerts, kmsAlerts, Location, M, nodeAlerts, spannerAlerts } from "./monitoring/infra-alerts";
import { AlertSpec, AlertTarget, alertPolicy, filter, HOUR, labelIn, metricType, MINUTE, resourceType, seconds } from "./monitoring/policy";
import {
  checkCheckerRegions,
  DEFAULT_CHECKER_REGIONS,
  DEFAULT_UPTIME_PERIOD,
  UPTIME_CHECK_PASSED,
  uptimeCheck,
  UptimeCheckerRegion,
  UptimeCheckPeriod,
  uptimeFailureCondition,
} from "./monitoring/uptime";
import { MonitoredFeatures, POD_EVENTS, PodEvent, podEventFilter, podEventMetricFilter, WorkloadId, WORKLOADS, workloadsOf } from "./monitoring/workloads";

export type { UptimeCheckerRegion, UptimeCheckPeriod } from "./monitoring/uptime";
export type { MonitoredFeatures, WorkloadId } from "./monitoring/workloads";

/** Name of the project-wide log-based metric of a kind of pod event. */
export function podEventMetricName(names: ResourceNames, event: PodEvent): string {
  return names.of("k8s", event);
}

/** A public service as served by this region. */
export interface MonitoredService {
  /** Short id, used in names and construct ids, e.g. "fulcio". */
  readonly id: string;
  /** Human name, e.g. "Fulcio". */
  readonly title: string;
  /** Public host name, e.g. "fulcio.sigstore.example.com" (no scheme, no trailing dot). */
  readonly host: string;
  /** The region's own ingress IP address for the service (usually a reference to it). */
  readonly ingressAddress: string;
  /** Path the uptime check requests, e.g. "/healthz". */
  readonly healthPath: string;
  /** Text the health response must contain. @default none: any 2xx answer passes */
  readonly expectedContent?: string;
  /**
   * Standalone NEG names of the service (the same in every region). When set,
   * the SLO counts the load-balanced requests those NEGs answered in this
   * region's zones. @default none: the SLO is measured on the uptime check
   */
  readonly negNames?: readonly string[];
  /** Kubernetes namespace, linked from the SLO's service. @default the chart's namespace when `id` is a known workload */
  readonly namespace?: string;
  /** Availability objective over 30 days. @default 0.995 */
  readonly availabilityGoal?: number;
}

export interface RegionalMonitoringProps extends RegionalPlacementProps {
  /** Zones of the region: the SLOs count the requests the services' NEGs answered in them. */
  readonly zones: readonly string[];
  /**
   * Whether this region creates what exists once per project: the log-based
   * pod event metrics (`<namePrefix>-k8s-crashloop`, `…-unschedulable`) and the
   * KMS alerts. Every other region of the deployment sets false and refers to
   * the metrics by name, so it must deploy after the primary. @default true
   */
  readonly primary?: boolean;
  /** Notification channel ids (`projects/<p>/notificationChannels/<id>`) of every alert policy. @default [] (policies notify no one) */
  readonly notificationChannels?: readonly string[];
  /** Uptime checks of each service through this region's ingress. @default true */
  readonly uptimeChecks?: boolean;
  /** Alert policies (log metrics, SLOs and the dashboard exist either way). @default true */
  readonly alerts?: boolean;
  /**
   * Enable the uptime and SLO burn-rate policies. Before the services are
   * deployed and serve they fail and would page, so a new deployment creates
   * them disabled. @default true
   */
  readonly serviceAlerts?: boolean;
  /** Public services served by this region. */
  readonly services: readonly MonitoredService[];
  /** Name of the region's GKE cluster (a regional cluster, located in `region`). */
  readonly clusterName: string;
  /** Which optional Sigstore services run here (their namespaces and databases are watched). @default none: Fulcio, the TSA and Dex only */
  readonly features?: MonitoredFeatures;
  /** Cloud SQL instance names of this region (Trillian's databases). Required when Rekor or the CT log runs. @default [] */
  readonly databaseInstances?: readonly string[];
  /** Spanner instance ids of this region (tile logs). Required when a tile log runs. @default [] */
  readonly spannerInstances?: readonly string[];
  /** Namespaces that differ from the Helm charts' defaults. @default the charts' namespaces */
  readonly namespaces?: { readonly [K in WorkloadId]?: string };
  /**
   * Certificate Authority Service pool of Fulcio's CA in this region (its
   * name or id), when `fulcio.ca` is "privateca": its CA certificates' expiry
   * is alerted on. A KMS-held CA publishes no expiry metric. @default none
   */
  readonly privateCaPoolId?: string;
  /** @default "60s" */
  readonly uptimeCheckPeriod?: UptimeCheckPeriod;
  /** @default every continent: ASIA_PACIFIC, EUROPE, SOUTH_AMERICA, USA */
  readonly checkerRegions?: readonly UptimeCheckerRegion[];
}

const NO_OPTIONAL_FEATURES: MonitoredFeatures = { rekor: false, ctlog: false, tuf: false, rekorTiles: false, ctlogTiles: false };
const SERVICE_ID = /^[a-z][a-z0-9-]{0,19}$/;
const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;
const DEFAULT_GOAL = 0.995;

// Multi-window burn rates of a 30-day objective (Google SRE workbook): 2% of
// the error budget in an hour, or 5% in six hours, pages.
const BURN_RATES = [
  { window: "1h", threshold: 14.4, budget: "2%" },
  { window: "6h", threshold: 6, budget: "5%" },
] as const;


/**
 * Monitoring of one region: uptime checks of each public service through the
 * region's own ingress IP (so one region's outage shows even while a global
 * load balancer hides it), per-service availability SLOs with burn-rate
 * alerts, pod-health log metrics and alerts per namespace, alerts on the
 * region's Cloud SQL, Spanner, GKE nodes, KMS and CA, and one dashboard.
 *
 * Every alert policy goes to the configured channels, carries markdown
 * documentation for the on-call and the region in its name.
 */
export class RegionalMonitoring extends Construct {
  /** Uptime check per service id (none when uptime checks are off). */
  readonly uptimeChecks: { readonly [serviceId: string]: MonitoringUptimeCheckConfig };
  /** Availability SLO per service id (a service without NEGs and without uptime check has none). */
  readonly slos: { readonly [serviceId: string]: MonitoringSlo };
  readonly dashboard: MonitoringDashboard;

  private readonly policies: MonitoringAlertPolicy[] = [];
  /** The project-wide pod event metrics, created by the primary region's monitoring. */
  private readonly eventMetrics: LoggingMetric[] = [];
  private readonly eventMetricTypes: { readonly [E in PodEvent]: string };
  private metricsReady?: ITerraformDependable;
  private readonly props: RegionalMonitoringProps;
  private readonly names: ResourceNames;
  private readonly target: AlertTarget;
  private readonly alertsOn: boolean;
  private readonly workloads: readonly WorkloadId[];

  constructor(scope: Construct, id: string, props: RegionalMonitoringProps) {
    super(scope, id);
    const names = regionalNames(this, "RegionalMonitoring", props);
    try {
      validate(props);
    } catch (e) {
      throw new Error(`${(e as Error).message} (${this.node.path})`);
    }
    this.props = props;
    this.names = names;
    const { project } = props;
    const primary = props.primary ?? true;
    this.alertsOn = props.alerts ?? true;
    this.target = {
      project,
      notificationChannels: props.notificationChannels ?? [],
      displayPrefix: `[${names.prefix} ${props.region}]`,
    };
    const period = props.uptimeCheckPeriod ?? DEFAULT_UPTIME_PERIOD;

    const checks: { [serviceId: string]: MonitoringUptimeCheckConfig } = {};
    if (props.uptimeChecks ?? true) {
      for (const service of props.services) checks[service.id] = this.uptime(service, period);
    }
    this.uptimeChecks = checks;

    const slos: { [serviceId: string]: MonitoringSlo } = {};
    for (const service of props.services) {
      const slo = this.availability(service, checks[service.id]);
      if (slo) slos[service.id] = slo;
    }
    this.slos = slos;

    this.workloads = workloadsOf(props.features ?? NO_OPTIONAL_FEATURES);
    // Log-based metrics are project-wide: one per kind of event serves every
    // region and namespace. The primary region creates them; the others
    // deploy after it (they wait for its APIs) and refer to them by name.
    const eventMetricTypes = {} as { [E in PodEvent]: string };
    for (const event of ["crashloop", "unschedulable"] as const) {
      const name = podEventMetricName(names, event);
      if (primary) {
        const metric = new LoggingMetric(this, `k8s-${event}-metric`, {
          project,
          name,
          description: `Kubernetes "${POD_EVENTS[event].reason}" events (${POD_EVENTS[event].title}), every cluster and namespace of the deployment`,
          filter: podEventMetricFilter({ project, event }),
          metricDescriptor: { metricKind: "DELTA", valueType: "INT64", unit: "1" },
        });
        this.eventMetrics.push(metric);
        eventMetricTypes[event] = `logging.googleapis.com/user/${metric.name}`;
      } else {
        eventMetricTypes[event] = `logging.googleapis.com/user/${name}`;
      }
    }
    this.eventMetricTypes = eventMetricTypes;
    // Policies on metrics created in this apply wait until the metrics can be
    // used (provider issue 11102). The other regions' stacks apply after this
    // one has finished, wait included.
    if (this.alertsOn && this.eventMetrics.length > 0) {
      this.metricsReady = new LogMetricsReady(this, "metrics-ready", { metrics: this.eventMetrics }).dependable;
    }
    for (const event of ["crashloop", "unschedulable"] as const) this.podEvents(event);
    if (this.alertsOn) {
      const add: AddAlert = (alertId, spec) => this.alert(alertId, spec);
      const at: Location = {
        project,
        region: this.region,
        cluster: this.cluster,
        kubectl: this.kubectl,
        trillianNamespace: this.namespaceOf("trillian"),
      };
      nodeAlerts(add, at);
      if ((props.databaseInstances ?? []).length > 0) cloudSqlAlerts(add, at, props.databaseInstances ?? []);
      if ((props.spannerInstances ?? []).length > 0) spannerAlerts(add, at, props.spannerInstances ?? []);
      // KMS metrics belong to the project, not to a key's region: declared once.
      if (primary) kmsAlerts(add);
      if (props.privateCaPoolId) caExpiryAlert(add, at, props.privateCaPoolId);
    }

    this.dashboard = new MonitoringDashboard(this, "dashboard", {
      project,
      dashboardJson: this.dashboardJson(),
    });
  }

  /** Every alert policy of the region (none when alerts are off). */
  get alertPolicies(): readonly MonitoringAlertPolicy[] {
    return [...this.policies];
  }

  /** Log-based metrics counting crash-looping and unschedulable pods, per workload. */
  get podEventMetrics(): readonly LoggingMetric[] {
    return this.eventMetrics;
  }

  private alert(id: string, spec: AlertSpec): MonitoringAlertPolicy {
    const policy = alertPolicy(this, id, this.target, spec);
    this.policies.push(policy);
    return policy;
  }

  private get region(): string {
    return this.props.region;
  }

  private get cluster(): string {
    return this.props.clusterName;
  }

  private namespaceOf(workload: WorkloadId): string {
    return this.props.namespaces?.[workload] ?? WORKLOADS[workload].namespace;
  }

  /** The service's namespace: given, or its chart's when the id is a known workload. */
  private serviceNamespace(service: MonitoredService): string | undefined {
    return service.namespace ?? (service.id in WORKLOADS ? this.namespaceOf(service.id as WorkloadId) : undefined);
  }

  private get kubectl(): string {
    return `\`gcloud container clusters get-credentials ${this.cluster} --region ${this.region} --project ${this.props.project}\``;
  }

  // --- Uptime -------------------------------------------------------------

  private uptime(service: MonitoredService, period: UptimeCheckPeriod): MonitoringUptimeCheckConfig {
    const check = uptimeCheck(this, `${service.id}-uptime`, {
      project: this.props.project,
      displayName: `${this.target.displayPrefix} ${service.title} via the ${this.region} ingress`,
      // The region's own address: the global load balancer would route around
      // an outage of this region and hide it.
      target: service.ingressAddress,
      hostHeader: service.host,
      path: service.healthPath,
      // The certificate names the host, never the address, so it cannot be
      // validated here; the host-name checks of the global stack validate it
      // (and alert on its expiry).
      validateCertificate: false,
      expectedContent: service.expectedContent,
      period,
      checkerRegions: this.props.checkerRegions ?? DEFAULT_CHECKER_REGIONS,
    });
    if (this.alertsOn) {
      this.alert(`${service.id}-uptime-alert`, {
        title: `${service.title} down through the ${this.region} ingress`,
        severity: "CRITICAL",
        meaning:
          `Uptime checkers in more than one location cannot get a 2xx answer from \`https://${service.host}${service.healthPath}\` ` +
          `through the ${this.region} ingress address. Clients sent to that address (the regional A record) see errors or time-outs; ` +
          `when the pods are the cause, the global load balancer's backends in ${this.region} fail too and it moves traffic to other regions.`,
        investigate: [
          `- The uptime check's page in Cloud Monitoring shows which locations fail and the HTTP status or TLS error.`,
          `- Pods and ingress: ${this.kubectl}, then \`kubectl -n ${this.serviceNamespace(service) ?? "<namespace>"} get pods,ingress,svc\`.`,
          `- Other regions: if their checks pass, shift traffic away from ${this.region} (DNS weight or backend capacity) while investigating.`,
        ].join("\n"),
        conditions: [uptimeFailureCondition(check, period, service.title)],
        autoClose: seconds(30 * MINUTE),
        enabled: this.props.serviceAlerts ?? true,
      });
    }
    return check;
  }

  // --- SLOs ---------------------------------------------------------------

  private availability(service: MonitoredService, check: MonitoringUptimeCheckConfig | undefined): MonitoringSlo | undefined {
    const negs = service.negNames ?? [];
    const sli = negs.length > 0 ? this.requestSli(negs) : check ? uptimeSli(check) : undefined;
    if (!sli) return undefined;
    const { project } = this.props;
    const namespace = this.serviceNamespace(service);
    const custom = new MonitoringCustomService(this, `${service.id}-service`, {
      project,
      serviceId: this.names.of(service.id, this.region),
      displayName: `${this.target.displayPrefix} ${service.title}`,
      telemetry: namespace
        ? { resourceName: `//container.googleapis.com/projects/${project}/locations/${this.region}/clusters/${this.cluster}/k8s/namespaces/${namespace}` }
        : undefined,
    });
    const goal = service.availabilityGoal ?? DEFAULT_GOAL;
    const percent = `${Math.round(goal * 1000) / 10}%`;
    const slo = new MonitoringSlo(this, `${service.id}-slo`, {
      project,
      service: custom.serviceId,
      sloId: "availability",
      displayName: `${percent} availability of ${service.title} in ${this.region}`,
      goal,
      rollingPeriodDays: 30,
      ...sli,
    });
    if (this.alertsOn) {
      this.alert(`${service.id}-slo-burn-alert`, {
        title: `${service.title} burning its ${percent} availability budget in ${this.region}`,
        severity: "CRITICAL",
        meaning:
          `${service.title} in ${this.region} fails often enough to spend its 30-day error budget early: ` +
          BURN_RATES.map((b) => `${b.budget} of it within ${b.window}`).join(" or ") +
          `. ${negs.length > 0 ? "Load-balanced requests answered by this region's pods return 5xx." : "The uptime check through this region's ingress fails."}`,
        investigate: [
          `- The SLO's page (Monitoring > SLOs > ${this.target.displayPrefix} ${service.title}) shows when the errors started.`,
          `- The region's dashboard (${this.target.displayPrefix} Sigstore) shows responses by status class next to pod restarts.`,
          `- Recent rollouts: ${this.kubectl}, then \`kubectl -n ${namespace ?? "<namespace>"} rollout history deploy\`.`,
        ].join("\n"),
        conditions: BURN_RATES.map((b) => ({
          displayName: `burn rate over ${b.window} above ${b.threshold}`,
          conditionThreshold: {
            filter: `select_slo_burn_rate("${slo.name}", "${b.window}")`,
            comparison: "COMPARISON_GT",
            thresholdValue: b.threshold,
            duration: "0s",
          },
        })),
        autoClose: seconds(HOUR),
        enabled: this.props.serviceAlerts ?? true,
      });
    }
    return slo;
  }

  /**
   * Requests the region's pods answered through any load balancer that uses
   * the service's standalone NEGs (same names in every region, so the zones
   * tell this region's apart); only server errors count against the objective.
   */
  private requestSli(negs: readonly string[]): Pick<MonitoringSloConfig, "requestBasedSli"> {
    const total = this.backendRequests(negs);
    return { requestBasedSli: { goodTotalRatio: { totalServiceFilter: total, badServiceFilter: filter(total, "metric.labels.response_code_class=500") } } };
  }

  private backendRequests(negs: readonly string[]): string {
    return filter(
      metricType(M.lbBackendRequests),
      resourceType("https_lb_rule"),
      labelIn("resource.labels.backend_name", negs),
      labelIn("resource.labels.backend_scope", this.props.zones),
    );
  }

  // --- Pods ---------------------------------------------------------------

  /**
   * The alert on one kind of pod event in this region's cluster, over the
   * namespaces of every workload that runs here. Grouped by namespace and
   * pod, it opens one incident per affected namespace (the namespace is in
   * the incident's labels), with one policy to keep instead of one per workload.
   */
  private podEvents(event: PodEvent): void {
    if (!this.alertsOn) return;
    const { project } = this.props;
    const spec = POD_EVENTS[event];
    const watched = this.workloads.map((w) => `\`${this.namespaceOf(w)}\` (${WORKLOADS[w].title})`).join(", ");
    const namespaces = this.workloads.map((w) => `"${this.namespaceOf(w)}"`).join(", ");
    this.alert(`pods-${event}-alert`, {
      title: `Sigstore ${spec.title} in ${this.region}`,
      severity: "ERROR",
      meaning:
        (event === "crashloop"
          ? `A container keeps exiting and Kubernetes keeps backing off its restarts, for ten minutes or more. `
          : `A pod could not be placed on any node for ten minutes or more: no node has the CPU, memory or zone it asks for, ` +
            `and the cluster autoscaler did not add one. `) +
        `The incident's \`namespace_name\` label names the workload, which runs with fewer replicas than intended in ${this.region}. ` +
        `Watched namespaces: ${watched}.`,
      investigate: [
        `- ${this.kubectl}`,
        event === "crashloop"
          ? `- \`kubectl -n <namespace> get pods\`, then \`kubectl -n <namespace> logs <pod> --previous\` for the last crash.`
          : `- \`kubectl -n <namespace> describe pod <pod>\` (Events) and the node pool's size limits; the cluster autoscaler's events explain why it did not scale up.`,
        `- Logs Explorer: \`${podEventFilter({ project, region: this.region, clusterName: this.cluster, namespace: "<namespace>", event })}\`.`,
      ].join("\n"),
      conditions: [
        {
          displayName: `${spec.reason} events in a Sigstore namespace for ten minutes`,
          conditionThreshold: {
            filter: filter(
              metricType(this.eventMetricTypes[event]),
              resourceType("k8s_pod"),
              ...this.podLabels(),
              `resource.label.namespace_name=one_of(${namespaces})`,
            ),
            aggregations: [
              {
                alignmentPeriod: "600s",
                perSeriesAligner: "ALIGN_SUM",
                crossSeriesReducer: "REDUCE_SUM",
                groupByFields: ["resource.label.namespace_name", "resource.label.pod_name"],
              },
            ],
            comparison: "COMPARISON_GT",
            thresholdValue: 0,
            duration: "600s",
            // No events is the healthy state: close the incident.
            evaluationMissingData: "EVALUATION_MISSING_DATA_INACTIVE",
          },
        },
      ],
      autoClose: seconds(30 * MINUTE),
      dependsOn: this.metricsReady ? [this.metricsReady] : undefined,
    });
  }

  /** This region's cluster, and a namespace of it, as monitored-resource filters. */
  private podLabels(namespace?: string): string[] {
    return [
      `resource.label.location="${this.region}"`,
      `resource.label.cluster_name="${this.cluster}"`,
      ...(namespace ? [`resource.label.namespace_name="${namespace}"`] : []),
    ];
  }

  // --- Dashboard ----------------------------------------------------------

  private dashboardJson(): string {
    const { project } = this.props;
    const widgets: Widget[] = [
      text(
        "About",
        `Sigstore in **${this.region}** (cluster \`${this.cluster}\`, project \`${project}\`). ` +
          "Uptime is measured through this region's own ingress address, so it shows an outage of the region even while the global " +
          "load balancer routes around it. Availability counts the requests this region's pods answered. " +
          `Namespaces watched for crash-looping and unschedulable pods: ${this.workloads.map((w) => `\`${this.namespaceOf(w)}\``).join(", ")}.`,
      ),
    ];
    for (const service of this.props.services) {
      const check = this.uptimeChecks[service.id];
      if (check) {
        widgets.push(
          chart(`${service.title}: uptime via the ${this.region} ingress`, "fraction passed", [
            {
              filter: filter(metricType(UPTIME_CHECK_PASSED), resourceType("uptime_url"), `metric.labels.check_id="${check.uptimeCheckId}"`),
              aligner: "ALIGN_FRACTION_TRUE",
              alignmentPeriod: this.props.uptimeCheckPeriod ?? DEFAULT_UPTIME_PERIOD,
              reducer: "REDUCE_MEAN",
              groupBy: ["metric.label.checker_location"],
            },
          ]),
        );
      }
      const negs = service.negNames ?? [];
      if (negs.length > 0) {
        widgets.push(
          chart(`${service.title}: responses of the ${this.region} backends`, "requests/s", [
            {
              filter: this.backendRequests(negs),
              aligner: "ALIGN_RATE",
              reducer: "REDUCE_SUM",
              groupBy: ["metric.label.response_code_class"],
            },
          ]),
        );
      }
      const slo = this.slos[service.id];
      if (slo) {
        widgets.push(chart(`${service.title}: remaining error budget`, "fraction", [{ filter: `select_slo_budget_fraction("${slo.name}")`, aligner: "ALIGN_MEAN" }]));
      }
    }
    for (const event of ["crashloop", "unschedulable"] as const) {
      widgets.push(
        chart(`Pods: ${POD_EVENTS[event].title}, by namespace`, "events", [
          {
            filter: filter(metricType(this.eventMetricTypes[event]), resourceType("k8s_pod"), ...this.podLabels()),
            aligner: "ALIGN_SUM",
            alignmentPeriod: "300s",
            reducer: "REDUCE_SUM",
            groupBy: ["resource.label.namespace_name"],
          },
        ]),
      );
    }
    const nodes = [resourceType("k8s_node"), `resource.labels.cluster_name="${this.cluster}"`, `resource.labels.location="${this.region}"`];
    const perNode = (metric: string): Series => ({ filter: filter(metricType(metric), ...nodes), aligner: "ALIGN_MEAN", reducer: "REDUCE_MAX", groupBy: ["resource.label.node_name"] });
    widgets.push(chart(`GKE ${this.cluster}: node CPU of allocatable`, "utilization", [perNode(M.nodeCpu)]));
    widgets.push(chart(`GKE ${this.cluster}: node memory of allocatable`, "utilization", [perNode(M.nodeMemory)]));
    const containers = filter(
      resourceType("k8s_container"),
      `resource.labels.cluster_name="${this.cluster}"`,
      `resource.labels.location="${this.region}"`,
      labelIn("resource.labels.namespace_name", this.workloads.map((w) => this.namespaceOf(w))),
    );
    const byNamespace = { reducer: "REDUCE_SUM", groupBy: ["resource.label.namespace_name"] };
    widgets.push(chart("Workloads: CPU by namespace", "cores", [{ filter: filter(metricType(M.containerCpu), containers), aligner: "ALIGN_RATE", ...byNamespace }]));
    widgets.push(
      chart("Workloads: memory by namespace", "bytes", [
        { filter: filter(metricType(M.containerMemory), containers, `metric.labels.memory_type="non-evictable"`), aligner: "ALIGN_MEAN", ...byNamespace },
      ]),
    );
    const databases = this.props.databaseInstances ?? [];
    if (databases.length > 0) {
      const sql = labelIn("resource.labels.database_id", databases.map((i) => `${project}:${i}`));
      for (const [title, metric] of [["CPU", M.sqlCpu], ["memory", M.sqlMemory], ["disk", M.sqlDisk]] as const) {
        widgets.push(
          chart(`Cloud SQL ${title}`, "utilization", [
            { filter: filter(metricType(metric), resourceType("cloudsql_database"), sql), aligner: "ALIGN_MEAN", reducer: "REDUCE_MAX", groupBy: ["resource.label.database_id"] },
          ]),
        );
      }
    }
    const spanner = this.props.spannerInstances ?? [];
    if (spanner.length > 0) {
      const instances = labelIn("resource.labels.instance_id", spanner);
      widgets.push(
        chart("Spanner high-priority CPU", "utilization", [
          {
            filter: filter(metricType(M.spannerCpuByPriority), resourceType("spanner_instance"), instances, `metric.labels.priority="high"`),
            aligner: "ALIGN_MEAN",
            reducer: "REDUCE_SUM",
            groupBy: ["resource.label.instance_id"],
          },
        ]),
      );
      widgets.push(
        chart("Spanner storage", "utilization", [
          { filter: filter(metricType(M.spannerStorage), resourceType("spanner_instance"), instances), aligner: "ALIGN_MAX", reducer: "REDUCE_MAX", groupBy: ["resource.label.instance_id"] },
        ]),
      );
    }
    // Open incidents first, under the description.
    if (this.policies.length > 0) widgets.splice(1, 0, incidents(`Open incidents in ${this.region}`, this.policies.map((p) => p.name)));
    return dashboardJson(`${this.target.displayPrefix} Sigstore`, widgets);
  }
}

/** A five-minute window is good when the uptime check passed in it. */
function uptimeSli(check: MonitoringUptimeCheckConfig): Pick<MonitoringSloConfig, "windowsBasedSli"> {
  return {
    windowsBasedSli: {
      windowPeriod: "300s",
      goodBadMetricFilter: filter(metricType(UPTIME_CHECK_PASSED), resourceType("uptime_url"), `metric.labels.check_id="${check.uptimeCheckId}"`),
    },
  };
}

function validate(props: RegionalMonitoringProps): void {
  const seen = new Set<string>();
  for (const s of props.services) {
    if (!SERVICE_ID.test(s.id)) throw new Error(`Monitored service id "${s.id}" must be a short lowercase name (letters, digits, hyphens)`);
    if (seen.has(s.id)) throw new Error(`Monitored service "${s.id}" is listed twice`);
    seen.add(s.id);
    if (!HOST.test(s.host)) throw new Error(`Host of ${s.id} "${s.host}" must be a host name such as fulcio.example.com (no scheme, port, path or trailing dot)`);
    if (!s.healthPath.startsWith("/")) throw new Error(`Health path of ${s.id} "${s.healthPath}" must start with "/"`);
    const goal = s.availabilityGoal ?? DEFAULT_GOAL;
    if (!(goal > 0 && goal <= 0.9999)) throw new Error(`Availability goal of ${s.id} (${goal}) must be above 0 and at most 0.9999`);
  }
  if ((props.uptimeChecks ?? true) && props.checkerRegions) checkCheckerRegions(props.checkerRegions);
  const features = props.features ?? NO_OPTIONAL_FEATURES;
  if ((features.rekor || features.ctlog) && (props.databaseInstances ?? []).length === 0) {
    throw new Error("Rekor and the CT log keep their entries in Trillian's Cloud SQL databases: pass databaseInstances so that they are monitored");
  }
  if ((features.rekorTiles || features.ctlogTiles) && (props.spannerInstances ?? []).length === 0) {
    throw new Error("Tile logs keep their entries in Spanner: pass spannerInstances so that they are monitored");
  }
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(props.clusterName)) throw new Error(`Cluster name "${props.clusterName}" is not a GKE cluster name`);
}
