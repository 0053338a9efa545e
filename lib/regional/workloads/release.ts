import * as path from "path";
import { Construct } from "constructs";
import { AssetType, ITerraformDependable, TerraformAsset } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { packageRoot } from "../../shared/function-packages";
import { CHARTS, ChartName } from "./charts";

/**
 * The local chart that installs plain Kubernetes objects. It ships as is
 * (package.json `files`), not compiled, so it is found from the package root:
 * the same path whether the library runs from lib/ (sources) or dist/lib/.
 */
export function manifestsChartDir(): string {
  return path.join(packageRoot(), "lib", "regional", "workloads", "manifests-chart");
}

/**
 * A values document for Helm: the typed values as JSON (which is YAML). The
 * stack's references inside stay `${...}` interpolations that Terraform fills
 * in at apply; any other `${` or `%{` in a value is escaped so Terraform's
 * template syntax never reads it. (cdktf renders strings inside `yamlencode()`
 * arguments without escaping their quotes, so the document is built here.)
 */
export function helmValuesDocument(values: object): string {
  return JSON.stringify(values)
    .replace(/\$\{(?!TfToken\[)/g, () => "$${")
    .replace(/%\{/g, () => "%%{");
}

/** Seconds Helm waits for a release's pods and jobs before it rolls back and fails the deploy. @default 900 */
export const DEFAULT_RELEASE_TIMEOUT_SECONDS = 900;

export interface ChartReleaseProps<V extends object> {
  /** Chart from the registry of pinned charts. */
  readonly chart: ChartName;
  /** Release name; the charts derive their object names from it. */
  readonly name: string;
  /** The release's own namespace, created by Helm. */
  readonly namespace: string;
  readonly values: V;
  /** @default DEFAULT_RELEASE_TIMEOUT_SECONDS */
  readonly timeoutSeconds?: number;
  /** Whether Helm creates the namespace. @default true */
  readonly createNamespace?: boolean;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * One Helm release of a pinned chart. Atomic: a rollout that does not become
 * ready (pods and jobs, `wait` and `wait_for_jobs`) within the timeout is
 * rolled back and fails `cdktf deploy`. The values stay a typed object here
 * (`values`, for tests and reviewers) and reach Helm as one JSON document, in
 * which references to the stack's resources resolve at apply time.
 */
export class ChartRelease<V extends object> extends Construct {
  readonly release: Release;
  readonly values: V;
  readonly chart: ChartName;
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: ChartReleaseProps<V>) {
    super(scope, id);
    const spec = CHARTS[props.chart];
    this.values = props.values;
    this.chart = props.chart;
    this.namespace = props.namespace;
    const timeout = props.timeoutSeconds ?? DEFAULT_RELEASE_TIMEOUT_SECONDS;
    if (!Number.isInteger(timeout) || timeout < 60) throw new Error(`${this.node.path}: timeoutSeconds must be a whole number of at least 60, got ${timeout}`);
    this.release = new Release(this, "release", {
      name: props.name,
      namespace: props.namespace,
      createNamespace: props.createNamespace ?? true,
      repository: spec.repository,
      chart: spec.chart,
      version: spec.version,
      atomic: true,
      cleanupOnFail: true,
      wait: true,
      waitForJobs: true,
      timeout,
      maxHistory: 10,
      values: [helmValuesDocument(props.values)],
      dependsOn: props.dependsOn,
    });
  }
}

/** A complete Kubernetes object (apiVersion, kind, metadata, ...). */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: { readonly [key: string]: string };
    readonly annotations?: { readonly [key: string]: string };
  };
  readonly [field: string]: unknown;
}

/**
 * Objects the Kubernetes provider can only create by reaching the cluster at
 * plan time (`kubernetes_manifest` reads the CRD schema), which a brand-new
 * cluster cannot answer, or fields the provider does not know: installed as a
 * release of a one-template local chart that renders them as given.
 */
export class ManifestsRelease extends Construct {
  readonly release: Release;
  readonly objects: readonly KubernetesObject[];

  constructor(
    scope: Construct,
    id: string,
    props: {
      readonly name: string;
      readonly namespace: string;
      readonly objects: readonly KubernetesObject[];
      /** @default false (the namespace belongs to the stack or to another release) */
      readonly createNamespace?: boolean;
      /** Seconds Helm waits for the objects (and hook Jobs) before it rolls back. @default 300 */
      readonly timeoutSeconds?: number;
      /** Whether the release also waits for its Jobs to complete (and fails with them). @default false */
      readonly waitForJobs?: boolean;
      readonly dependsOn?: ITerraformDependable[];
    },
  ) {
    super(scope, id);
    this.objects = props.objects;
    const timeout = props.timeoutSeconds ?? 300;
    if (!Number.isInteger(timeout) || timeout < 60) throw new Error(`${this.node.path}: timeoutSeconds must be a whole number of at least 60, got ${timeout}`);
    const chart = new TerraformAsset(this, "chart", { path: manifestsChartDir(), type: AssetType.DIRECTORY });
    this.release = new Release(this, "release", {
      name: props.name,
      namespace: props.namespace,
      createNamespace: props.createNamespace ?? false,
      chart: chart.path,
      atomic: true,
      cleanupOnFail: true,
      wait: true,
      ...(props.waitForJobs ? { waitForJobs: true } : {}),
      timeout,
      maxHistory: 10,
      values: [helmValuesDocument({ objects: props.objects })],
      dependsOn: props.dependsOn,
    });
  }
}
