import { Fn, Token } from "cdktf";
import type { MonitoringAlertPolicy } from "@cdktf/provider-google/lib/monitoring-alert-policy";
import { AlertSpec, DAY, filter, HOUR, labelIn, metricType, resourceType, seconds } from "./policy";

// Alert policies on what a region's services run on: GKE nodes, Trillian's
// Cloud SQL databases, the tile logs' Spanner instances, Cloud KMS and the
// Certificate Authority Service pool of Fulcio.

/** Adds an alert policy to the caller's scope, with its channels and display prefix. */
export type AddAlert = (id: string, spec: AlertSpec) => MonitoringAlertPolicy;

/** Where the alerts are, for filters and the on-call's instructions. */
export interface Location {
  readonly project: string;
  readonly region: string;
  readonly cluster: string;
  /** Markdown: the command that gives kubectl access to the cluster. */
  readonly kubectl: string;
  readonly trillianNamespace: string;
}

/** Metric types the region's alerts and dashboard use. */
export const M = {
  sqlCpu: "cloudsql.googleapis.com/database/cpu/utilization",
  sqlMemory: "cloudsql.googleapis.com/database/memory/utilization",
  sqlDisk: "cloudsql.googleapis.com/database/disk/utilization",
  sqlAbortedConnects: "cloudsql.googleapis.com/database/mysql/aborted_connects_count",
  nodeCpu: "kubernetes.io/node/cpu/allocatable_utilization",
  nodeMemory: "kubernetes.io/node/memory/allocatable_utilization",
  containerCpu: "kubernetes.io/container/cpu/core_usage_time",
  containerMemory: "kubernetes.io/container/memory/used_bytes",
  apiRequests: "serviceruntime.googleapis.com/api/request_count",
  quotaExceeded: "serviceruntime.googleapis.com/quota/exceeded",
  spannerCpuByPriority: "spanner.googleapis.com/instance/cpu/utilization_by_priority",
  spannerCpuSmoothed: "spanner.googleapis.com/instance/cpu/smoothed_utilization",
  spannerStorage: "spanner.googleapis.com/instance/storage/utilization",
  caExpiry: "privateca.googleapis.com/ca/cert_expiration",
  lbBackendRequests: "loadbalancing.googleapis.com/https/backend_request_count",
} as const;

export function nodeAlerts(alert: AddAlert, at: Location): void {
  const nodes = filter(resourceType("k8s_node"), `resource.labels.cluster_name="${at.cluster}"`, `resource.labels.location="${at.region}"`);
  const specs = [
    { id: "gke-node-cpu-alert", what: "CPU", metric: M.nodeCpu, effect: "pods are throttled and requests slow down" },
    { id: "gke-node-memory-alert", what: "memory", metric: M.nodeMemory, effect: "pods are evicted or killed when out of memory" },
  ];
  for (const s of specs) {
    alert(s.id, {
      title: `GKE node ${s.what} above 90% of allocatable in ${at.cluster}`,
      severity: "WARNING",
      meaning:
        `A node of the ${at.cluster} cluster (${at.region}) has used more than 90% of its allocatable ${s.what} for fifteen minutes; ` +
        `${s.effect}. Requests below actual use keep the autoscaler from adding nodes.`,
      investigate: [
        `- ${at.kubectl}, then \`kubectl top nodes\` and \`kubectl top pods -A --sort-by=${s.what === "CPU" ? "cpu" : "memory"}\`.`,
        `- Raise the workload's requests, or the node pool's machine type or maximum size (\`regional.gke\` settings).`,
      ].join("\n"),
      conditions: [
        {
          displayName: `node ${s.what} allocatable utilization above 90%`,
          conditionThreshold: {
            filter: filter(metricType(s.metric), nodes),
            aggregations: [{ alignmentPeriod: "300s", perSeriesAligner: "ALIGN_MEAN" }],
            comparison: "COMPARISON_GT",
            thresholdValue: 0.9,
            duration: "900s",
          },
        },
      ],
      autoClose: seconds(HOUR),
    });
  }
}

export function cloudSqlAlerts(alert: AddAlert, at: Location, instances: readonly string[]): void {
  const databases = filter(resourceType("cloudsql_database"), labelIn("resource.labels.database_id", instances.map((i) => `${at.project}:${i}`)));
  const where = [
    `- Cloud SQL > ${instances.join(", ")} > System insights and Query insights (project ${at.project}).`,
    `- Trillian log servers and signers are the only clients: ${at.kubectl}, then \`kubectl -n ${at.trillianNamespace} get pods\`.`,
  ].join("\n");
  const tier = "Raise the instance tier (`regional.database.tier`).";
  const specs: { id: string; title: string; severity: AlertSpec["severity"]; metric: string; value: number; meaning: string; fix: string }[] = [
    {
      id: "sql-cpu-warning-alert", title: "Cloud SQL CPU above 80%", severity: "WARNING", metric: M.sqlCpu, value: 0.8, fix: tier,
      meaning: `A Trillian database in ${at.region} has used more than 80% of its CPU for ten minutes; log writes and proofs slow down as it rises.`,
    },
    {
      id: "sql-cpu-critical-alert", title: "Cloud SQL CPU above 90%", severity: "CRITICAL", metric: M.sqlCpu, value: 0.9, fix: tier,
      meaning: `A Trillian database in ${at.region} has used more than 90% of its CPU for ten minutes; Rekor and CT log requests time out.`,
    },
    {
      id: "sql-memory-alert", title: "Cloud SQL memory above 95%", severity: "CRITICAL", metric: M.sqlMemory, value: 0.95, fix: tier,
      meaning: `A Trillian database in ${at.region} has used more than 95% of its memory for ten minutes; MySQL is close to being restarted out of memory.`,
    },
    {
      id: "sql-disk-alert", title: "Cloud SQL disk above 98%", severity: "CRITICAL", metric: M.sqlDisk, value: 0.98,
      meaning:
        `A Trillian database in ${at.region} has less than 2% of its disk free. Storage auto-increase should have grown it long before: ` +
        "it is disabled, at its limit, or failing. A full disk stops every write to the logs.",
      fix: "Check the instance's storage auto-increase and its limit, and raise `regional.database.diskSizeGb`.",
    },
  ];
  for (const s of specs) {
    alert(s.id, {
      title: `${s.title} in ${at.region}`,
      severity: s.severity,
      meaning: s.meaning,
      investigate: `${where}\n- ${s.fix}`,
      conditions: [
        {
          displayName: `${s.metric.split("/").slice(-2).join(" ")} above ${Math.round(s.value * 100)}%`,
          conditionThreshold: {
            filter: filter(metricType(s.metric), databases),
            aggregations: [{ alignmentPeriod: "300s", perSeriesAligner: "ALIGN_MEAN" }],
            comparison: "COMPARISON_GT",
            thresholdValue: s.value,
            duration: "600s",
          },
        },
      ],
      autoClose: seconds(DAY),
    });
  }
  alert("sql-connections-alert", {
    title: `Cloud SQL connections failing in ${at.region}`,
    severity: "ERROR",
    meaning:
      `MySQL has rejected or aborted connection attempts every minute for ten minutes on a Trillian database in ${at.region}: ` +
      `wrong credentials, an expired IAM token, TLS errors or the connection limit. Trillian cannot read or write the logs it cannot connect for.`,
    investigate: `${where}\n- The Cloud SQL Auth Proxy sidecars' logs in the Trillian pods name the failing user and error.`,
    conditions: [
      {
        displayName: "aborted MySQL connection attempts",
        conditionThreshold: {
          filter: filter(metricType(M.sqlAbortedConnects), databases),
          aggregations: [{ alignmentPeriod: "60s", perSeriesAligner: "ALIGN_RATE" }],
          comparison: "COMPARISON_GT",
          thresholdValue: 0,
          duration: "600s",
          evaluationMissingData: "EVALUATION_MISSING_DATA_INACTIVE",
        },
      },
    ],
    autoClose: seconds(HOUR),
  });
}

export function spannerAlerts(alert: AddAlert, at: Location, instances: readonly string[]): void {
  const spanner = filter(resourceType("spanner_instance"), labelIn("resource.labels.instance_id", instances));
  const where = `- Spanner > ${instances.join(", ")} > System insights; the tile log's pods hold the slow writers.\n- Add compute capacity (processing units) to the instance.`;
  const specs = [
    {
      id: "spanner-cpu-alert", title: "Spanner high-priority CPU above 65%", metric: M.spannerCpuByPriority, extra: `metric.labels.priority="high"`, value: 0.65,
      meaning: "High-priority CPU of a tile log's Spanner instance is above the 65% Google recommends for regional instances; write latency rises and sequencing stalls.",
    },
    {
      id: "spanner-cpu-smoothed-alert", title: "Spanner 24-hour CPU above 90%", metric: M.spannerCpuSmoothed, extra: undefined, value: 0.9,
      meaning: "The 24-hour average CPU of a tile log's Spanner instance is above 90%: the instance is too small for its steady load.",
    },
    {
      id: "spanner-storage-alert", title: "Spanner storage above 80%", metric: M.spannerStorage, extra: undefined, value: 0.8,
      meaning: "A tile log's Spanner instance uses more than 80% of the storage its compute capacity allows; writes fail when it is full.",
    },
  ];
  for (const s of specs) {
    alert(s.id, {
      title: `${s.title} in ${at.region}`,
      severity: "WARNING",
      meaning: s.meaning,
      investigate: where,
      conditions: [
        {
          displayName: s.title,
          conditionThreshold: {
            filter: filter(metricType(s.metric), spanner, s.extra),
            aggregations: [
              { alignmentPeriod: "600s", perSeriesAligner: "ALIGN_MEAN", crossSeriesReducer: "REDUCE_SUM", groupByFields: ["resource.label.instance_id"] },
            ],
            comparison: "COMPARISON_GT",
            thresholdValue: s.value,
            duration: "600s",
          },
        },
      ],
      autoClose: seconds(DAY),
    });
  }
}

// KMS request and quota metrics belong to the project, not to a key's
// region, so only the primary region's stack declares these alerts (once
// per project), grouped by location and method.
export function kmsAlerts(alert: AddAlert): void {
  const kms = `resource.labels.service="cloudkms.googleapis.com"`;
  alert("kms-errors-alert", {
    title: "Cloud KMS requests failing (all regions of the project)",
    severity: "ERROR",
    meaning:
      "Calls to Cloud KMS have returned errors for five minutes. Fulcio, the Timestamp Authority and the TUF signer sign with KMS keys: " +
      "4xx errors mean a missing permission or a disabled or destroyed key version, 5xx errors a KMS outage. Signing fails while this lasts.",
    investigate: [
      "- The incident's labels name the method and response code; APIs & Services > Cloud KMS API > Metrics shows them per credential.",
      "- Cloud Audit Logs (`protoPayload.serviceName=\"cloudkms.googleapis.com\" AND severity>=ERROR`) name the key and the caller.",
      "- Key versions: `gcloud kms keys versions list --key <key> --keyring <ring> --location <region>`.",
    ].join("\n"),
    conditions: [
      {
        displayName: "KMS 4xx and 5xx responses",
        conditionThreshold: {
          filter: filter(metricType(M.apiRequests), resourceType("consumed_api"), kms, labelIn("metric.labels.response_code_class", ["4xx", "5xx"])),
          aggregations: [
            {
              alignmentPeriod: "60s",
              perSeriesAligner: "ALIGN_RATE",
              crossSeriesReducer: "REDUCE_SUM",
              groupByFields: ["resource.label.location", "resource.label.method", "metric.label.response_code"],
            },
          ],
          comparison: "COMPARISON_GT",
          thresholdValue: 0,
          duration: "300s",
          evaluationMissingData: "EVALUATION_MISSING_DATA_INACTIVE",
        },
      },
    ],
    autoClose: seconds(HOUR),
  });
  alert("kms-quota-alert", {
    title: "Cloud KMS quota exceeded (all regions of the project)",
    severity: "ERROR",
    meaning:
      "Cloud KMS rejected requests of this project because a quota (cryptographic or read requests per minute, per region) was exhausted. " +
      "Rejected signing requests fail Fulcio certificates and timestamps.",
    investigate: [
      "- IAM & Admin > Quotas, filtered on Cloud KMS API: the incident's `quota_metric` and `location` labels name the quota.",
      "- A burst from one caller (a retry loop) shows in the API's metrics by credential; otherwise request a higher quota.",
    ].join("\n"),
    conditions: [
      {
        displayName: "KMS quota exceeded",
        conditionThreshold: {
          filter: filter(metricType(M.quotaExceeded), resourceType("consumer_quota"), kms),
          aggregations: [
            {
              alignmentPeriod: "60s",
              perSeriesAligner: "ALIGN_COUNT_TRUE",
              crossSeriesReducer: "REDUCE_SUM",
              groupByFields: ["resource.label.location", "metric.label.quota_metric"],
            },
          ],
          comparison: "COMPARISON_GT",
          thresholdValue: 0,
          duration: "0s",
          evaluationMissingData: "EVALUATION_MISSING_DATA_INACTIVE",
        },
      },
    ],
    autoClose: seconds(HOUR),
  });
}

/**
 * `poolNameOrId` is the pool's name or its id
 * (`projects/<p>/locations/<region>/caPools/<name>`); the metric's label is
 * the name.
 */
export function caExpiryAlert(alert: AddAlert, at: Location, poolNameOrId: string): void {
  const weeks = 10;
  const pool = poolName(poolNameOrId);
  alert("fulcio-ca-expiry-alert", {
    title: `Fulcio CA certificate expires within ${weeks} weeks in ${at.region}`,
    severity: "WARNING",
    meaning:
      `A CA certificate of the Certificate Authority Service pool \`${pool}\` (${at.region}), which issues Fulcio's certificates, ` +
      `expires within ${weeks} weeks. Once it expires Fulcio cannot issue certificates that verify, and clients must learn the new chain ` +
      `through TUF first, which takes time.`,
    investigate: [
      `- Security > Certificate Authority Service > ${pool}: the CA's expiry and the pool's other CAs.`,
      "- Create and enable the next CA in the pool, publish its chain through the TUF repository, then disable the old one.",
    ].join("\n"),
    conditions: [
      {
        displayName: `CA certificate expires within ${weeks} weeks`,
        conditionThreshold: {
          filter: filter(
            metricType(M.caExpiry),
            resourceType("privateca.googleapis.com/CertificateAuthority"),
            `resource.labels.location="${at.region}"`,
            `resource.labels.ca_pool_id="${pool}"`,
          ),
          // The metric is sampled once an hour.
          aggregations: [{ alignmentPeriod: "3600s", perSeriesAligner: "ALIGN_NEXT_OLDER" }],
          comparison: "COMPARISON_LT",
          thresholdValue: weeks * 7 * DAY,
          duration: "0s",
        },
      },
    ],
    autoClose: seconds(DAY),
  });
}

function poolName(nameOrId: string): string {
  if (!Token.isUnresolved(nameOrId)) return nameOrId.split("/").pop() ?? nameOrId;
  // A reference: the name is the sixth segment of an id, and element() wraps
  // around a shorter list, so a bare name (one segment) comes back unchanged.
  return Fn.element(Fn.split("/", nameOrId), 5);
}
