import type { FeaturesConfig } from "../../config/schema";

/** The Sigstore workloads a regional cluster can run, each in its own namespace. */
export type WorkloadId = "fulcio" | "tsa" | "dex" | "rekor" | "ctlog" | "trillian" | "tuf" | "rekor-tiles" | "ctlog-tiles";

export interface WorkloadSpec {
  readonly title: string;
  /** Namespace the Helm chart installs into by default. */
  readonly namespace: string;
}

/** Defaults from the Sigstore Helm charts (`namespace.name` in each chart's values). */
export const WORKLOADS: { readonly [K in WorkloadId]: WorkloadSpec } = {
  fulcio: { title: "Fulcio", namespace: "fulcio-system" },
  tsa: { title: "Timestamp Authority", namespace: "tsa-system" },
  dex: { title: "Dex", namespace: "dex-system" },
  rekor: { title: "Rekor", namespace: "rekor-system" },
  ctlog: { title: "CT log", namespace: "ctlog-system" },
  trillian: { title: "Trillian", namespace: "trillian-system" },
  tuf: { title: "TUF", namespace: "tuf-system" },
  "rekor-tiles": { title: "Rekor v2 (tiles)", namespace: "rekor-tiles-system" },
  "ctlog-tiles": { title: "CT log (TesseraCT)", namespace: "ctlog-tiles-system" },
};

/** Feature switches that decide which workloads a region runs. */
export type MonitoredFeatures = Pick<FeaturesConfig, "rekor" | "ctlog" | "tuf" | "rekorTiles" | "ctlogTiles">;

/** Workloads of a region, in a fixed order (names and the dashboard do not depend on configuration order). */
export function workloadsOf(features: MonitoredFeatures): WorkloadId[] {
  const ids: WorkloadId[] = ["fulcio", "tsa", "dex"];
  if (features.rekor) ids.push("rekor");
  if (features.ctlog) ids.push("ctlog");
  // Rekor v1 and the CT log keep their entries in Trillian.
  if (features.rekor || features.ctlog) ids.push("trillian");
  if (features.tuf) ids.push("tuf");
  if (features.rekorTiles) ids.push("rekor-tiles");
  if (features.ctlogTiles) ids.push("ctlog-tiles");
  return ids;
}

/** Kubernetes event reasons the pod-health log metrics count. */
export const POD_EVENTS = {
  /** The kubelet backs off restarting a container that keeps exiting (CrashLoopBackOff). */
  crashloop: { reason: "BackOff", message: "restarting failed container", title: "containers crash-looping" },
  /** The scheduler finds no node for a pod. */
  unschedulable: { reason: "FailedScheduling", message: undefined, title: "pods unschedulable" },
} as const;

export type PodEvent = keyof typeof POD_EVENTS;

/**
 * Log filter of one kind of Kubernetes warning event for the project-wide
 * metric: every cluster and namespace (the time series keep the pod's
 * location, cluster and namespace, which alerts filter on).
 */
export function podEventMetricFilter(props: { readonly project: string; readonly event: PodEvent }): string {
  const event = POD_EVENTS[props.event];
  return [
    `logName="projects/${props.project}/logs/events"`,
    `resource.type="k8s_pod"`,
    `jsonPayload.reason="${event.reason}"`,
    ...(event.message ? [`jsonPayload.message:"${event.message}"`] : []),
  ].join(" AND ");
}

/**
 * Log filter of one kind of Kubernetes warning event in one namespace of one
 * cluster, for reading the events in Logs Explorer. GKE writes events to the
 * `events` log with the pod as resource.
 */
export function podEventFilter(props: {
  readonly project: string;
  readonly region: string;
  readonly clusterName: string;
  readonly namespace: string;
  readonly event: PodEvent;
}): string {
  const event = POD_EVENTS[props.event];
  return [
    `logName="projects/${props.project}/logs/events"`,
    `resource.type="k8s_pod"`,
    `resource.labels.location="${props.region}"`,
    `resource.labels.cluster_name="${props.clusterName}"`,
    `resource.labels.namespace_name="${props.namespace}"`,
    `jsonPayload.reason="${event.reason}"`,
    ...(event.message ? [`jsonPayload.message:"${event.message}"`] : []),
  ].join(" AND ");
}
