import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { DexJwksPublisher } from "../../lib/regional/dex-jwks-publisher";
import { jwksPublisherBundle } from "../../lib/shared/function-packages";
import { bodiesOf, synthConstruct, testContext } from "../helpers/construct";

const bundle = jwksPublisherBundle();
const IMAGE = "gcr.io/distroless/nodejs20-debian12@sha256:079f8c6514d2f21e13e27a40f3e0ee0c5a12aa208d2ef5a2390e44e03e4f36c8";
const json = synthConstruct((scope) => {
  new KubernetesProvider(scope, "kubernetes", {});
  new DexJwksPublisher(scope, "jwks-publisher", {
    context: testContext(),
    workloadPool: "sigstore-test.svc.id.goog",
    incomingBucket: "sigstore-test-sigstore-dex-jwks-incoming",
    objectName: "keys/us-east1.json",
    image: IMAGE,
    pollIntervalSeconds: 2,
    bundle,
  });
});
const deployment = bodiesOf(json, "kubernetes_deployment_v1")[0];
const pod = deployment.spec.template.spec;
const container = pod.container[0];

describe("Dex JWKS publisher", () => {
  it("runs as a Google service account bound through workload identity, with no key", () => {
    const ksa = bodiesOf(json, "kubernetes_service_account_v1")[0];
    expect(ksa.metadata).toMatchObject({ name: "jwks-publisher", namespace: "dex-system" });
    expect(ksa.metadata.annotations["iam.gke.io/gcp-service-account"]).toMatch(/^\$\{google_service_account\..*\.email\}$/);
    expect(bodiesOf(json, "google_service_account_iam_member")[0].member).toBe("serviceAccount:sigstore-test.svc.id.goog[dex-system/jwks-publisher]");
    expect(bodiesOf(json, "google_service_account")[0].account_id).toBe("sigstore-jwks-pub-use1");
    expect(json.resource.google_service_account_key).toBeUndefined();
    expect(pod.service_account_name).toMatch(/^\$\{kubernetes_service_account_v1\..*\.metadata\[0\]\.name\}$/);
  });

  it("polls Dex every 2 seconds and uploads to this region's object", () => {
    expect(Object.fromEntries(container.env.map((e: any) => [e.name, e.value]))).toEqual({
      DEX_KEYS_URL: "http://dex.dex-system.svc.cluster.local:5556/auth/keys",
      BUCKET: "sigstore-test-sigstore-dex-jwks-incoming",
      OBJECT_NAME: "keys/us-east1.json",
      POLL_INTERVAL_MS: "2000",
      HEALTH_PORT: "8080",
    });
  });

  it("uses an image pinned by digest, limits resources and runs non-root with a read-only filesystem", () => {
    expect(container.image).toBe(IMAGE);
    expect(container.resources.limits).toEqual({ cpu: "200m", memory: "128Mi" });
    expect(container.security_context).toMatchObject({ allow_privilege_escalation: false, read_only_root_filesystem: true, privileged: false, capabilities: { drop: ["ALL"] } });
    expect(pod.security_context).toMatchObject({ run_as_non_root: true, run_as_user: "65532", seccomp_profile: { type: "RuntimeDefault" } });
    expect(container.liveness_probe.http_get.path).toBe("/livez");
    // Ready while its loop runs: an upload to the global stack's bucket (absent on a first deploy) is not a condition.
    expect(container.readiness_probe.http_get.path).toBe("/livez");
  });

  it("mounts the bundle from a ConfigMap read from a file asset, and rolls pods when it changes", () => {
    const configMap = bodiesOf(json, "kubernetes_config_map_v1")[0];
    expect(configMap.data["index.js"]).toMatch(new RegExp(`^\\$\\{file\\("assets/jwks-publisher_bundle[_A-F0-9]*/${bundle.sha256}/index\\.js"\\)\\}$`));
    expect(JSON.stringify(json).length).toBeLessThan(100_000);
    expect(deployment.spec.template.metadata.annotations["sigstore.dev/bundle-sha256"]).toBe(bundle.sha256);
    expect(container.args).toEqual(["/app/index.js"]);
    expect(container.volume_mount).toEqual([{ name: "code", mount_path: "/app", read_only: true }]);
  });

  it("keeps a replica through voluntary disruptions, spread over zones", () => {
    expect(deployment.spec.replicas).toBe("2");
    // The provider has no unhealthyPodEvictionPolicy, so the budget is a release of the local manifests chart.
    expect(bodiesOf(json, "kubernetes_pod_disruption_budget_v1")).toEqual([]);
    const pdb = bodiesOf(json, "helm_release")[0];
    expect(pdb.chart).toMatch(/^assets\/[^/]+_chart_[0-9A-F]+\/[0-9A-F]+$/);
    expect(pdb.depends_on).toEqual([expect.stringMatching(/^kubernetes_deployment_v1\./)]);
    const [object] = JSON.parse(pdb.values[0]).objects;
    expect(object).toMatchObject({ apiVersion: "policy/v1", kind: "PodDisruptionBudget", spec: { minAvailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" } });
    expect(pod.topology_spread_constraint[0].topology_key).toBe("topology.kubernetes.io/zone");
  });
});
