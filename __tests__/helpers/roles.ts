/**
 * The project-level roles a reviewer accepted, written here rather than taken
 * from the library's PROJECT_ONLY_ROLES: adding a role there fails the
 * least-privilege tests until it is added here too, in a reviewed change.
 * Each exists only at project level (no resource-level IAM for it).
 */
export const REVIEWED_PROJECT_ROLES: ReadonlySet<string> = new Set([
  "roles/logging.logWriter",
  "roles/monitoring.metricWriter",
  "roles/monitoring.viewer",
  "roles/stackdriver.resourceMetadata.writer",
  "roles/autoscaling.metricsWriter",
  "roles/cloudsql.client",
  "roles/cloudsql.instanceUser",
  "roles/cloudprofiler.agent",
  "roles/cloudtrace.agent",
  "roles/eventarc.eventReceiver",
  "roles/pubsub.publisher",
]);

/** The five roles a GKE node service account needs (GKE's documented minimum), nothing more. */
export const GKE_NODE_ROLES: readonly string[] = [
  "roles/autoscaling.metricsWriter",
  "roles/logging.logWriter",
  "roles/monitoring.metricWriter",
  "roles/monitoring.viewer",
  "roles/stackdriver.resourceMetadata.writer",
];
