import { exampleConfig, resources, synthDeployment } from "../helpers/synth";

const config = exampleConfig();
const { stacks, files } = synthDeployment(config);

describe.each(config.regions.map((r) => [r.region, r] as const))("regional stack %s", (region, regionConfig) => {
  const stack = stacks[`regional-${region}`];

  it("publishes deterministic NEG names and its zones for each public service", () => {
    const published = resources(stack, "terraform_data");
    // The example sets no CA chains, so Fulcio (KMS CA) and the TSA are not installed yet: their
    // zones are withheld, and the global stack's precondition waits for a region that serves them.
    expect(published.fulcio_negs.input).toEqual({ http: "sigstore-fulcio-http", grpc: "sigstore-fulcio-grpc", zones: [] });
    expect(published.tsa_negs.input).toEqual({ http: "sigstore-tsa-http", zones: [] });
    expect(published.dex_negs.input).toEqual({ http: "sigstore-dex-http", zones: regionConfig.zones });
  });

  it("gives the regional front end of a withheld service no backends (its NEGs do not exist yet), and Dex's every zone", () => {
    const backends = Object.values(resources(stack, "google_compute_backend_service")) as any[];
    // One front end per service in a region stack: its backend services are named <prefix>-<service>-<region code>-<port>-backend.
    const byName = (service: string, port: string) => {
      const found = backends.filter((b) => new RegExp(`^sigstore-${service}-[a-z0-9]+-${port}-backend$`).test(b.name));
      expect([service, port, found.length]).toEqual([service, port, 1]);
      return found[0];
    };
    for (const [service, port] of [["fulcio", "http"], ["fulcio", "grpc"], ["tsa", "http"]]) {
      expect([service, port, byName(service, port).backend ?? []]).toEqual([service, port, []]);
    }
    expect(byName("dex", "http").backend).toHaveLength(regionConfig.zones.length);
  });

  it("warns at synth, naming the settings, that Fulcio and the TSA wait for their chains", () => {
    const manifest = files["manifest.json"];
    expect(manifest).toContain(`then set trust.regions.${region}.fulcioChain (and trust.fulcio.rootCertificate)`);
    expect(manifest).toContain(`set trust.regions.${region}.tsaChain (and trust.tsa.rootCertificate) and regional.tsa.encryptedKeysets.${region}`);
  });

  it("exports the NEG names and zones the global stack reads, without marking them sensitive", () => {
    for (const service of ["fulcio", "tsa", "dex"]) {
      for (const attribute of ["http", "zones"]) {
        expect(stack.output?.[`cross_stack_output_terraform_data_${service}_negs_output_${attribute}`]).toEqual({
          value: `\${terraform_data.${service}_negs.output.${attribute}}`,
          sensitive: false,
        });
      }
    }
    expect(stack.output?.cross_stack_output_terraform_data_fulcio_negs_output_grpc).toBeDefined();
  });

  it("owns a static ingress address per public service, named after the region", () => {
    const addresses = Object.values(resources(stack, "google_compute_global_address")).map((a) => a.name).filter((n) => n.endsWith("-ingress")).sort();
    // Rekor v1 runs in the primary region only (the example sets no services.rekor.region).
    const rekor = region === config.primaryRegion ? [`sigstore-rekor-${region}-ingress`] : [];
    expect(addresses).toEqual([`sigstore-dex-${region}-ingress`, `sigstore-fulcio-${region}-ingress`, ...rekor, `sigstore-tsa-${region}-ingress`]);
    expect(stack.output?.fulcio_ingress_ip.value).toBe("${google_compute_global_address.fulcio_ingress_address.address}");
  });

  it("keeps its state in its own file, with a path relative to the stack directory", () => {
    expect(stack.terraform.backend).toEqual({ local: { path: `../../../terraform.regional-${region}.tfstate` } });
    expect(stack.terraform.required_version).toBe(">= 1.7");
    expect(stack.provider.google[0]).toMatchObject({ project: "sigstore-example", region });
  });
});

it("gives no two regions the same GCP resource name", () => {
  const names = Object.entries(stacks)
    .filter(([id]) => id.startsWith("regional-"))
    .flatMap(([, s]) => Object.values(resources(s, "google_compute_global_address")).map((a) => a.name));
  expect(new Set(names).size).toBe(names.length);
});

it("puts state in a GCS bucket when configured, for the stacks and for the remote-state readers", () => {
  const gcs = synthDeployment({ ...structuredClone(config), backend: { type: "gcs", bucket: "my-tf-state", prefix: "prod" } }).stacks;
  expect(gcs["regional-us-east1"].terraform.backend).toEqual({ gcs: { bucket: "my-tf-state", prefix: "prod/regional-us-east1" } });
  expect(gcs.global.terraform.backend).toEqual({ gcs: { bucket: "my-tf-state", prefix: "prod/global" } });
  expect(gcs.global.data?.terraform_remote_state.cross_stack_reference_input_regional_us_east1).toMatchObject({
    backend: "gcs",
    config: { bucket: "my-tf-state", prefix: "prod/regional-us-east1" },
  });
});

describe("project APIs", () => {
  it("are enabled once, by the primary region, and every Google resource elsewhere waits for them", () => {
    const primary = stacks["regional-us-east1"];
    expect(Object.keys(resources(primary, "google_project_service")).length).toBeGreaterThan(15);
    for (const api of Object.values(resources(primary, "google_project_service"))) expect(api.disable_on_destroy).toBe(false);
    for (const region of ["europe-west1", "asia-northeast1"]) {
      const stack = stacks[`regional-${region}`];
      expect(resources(stack, "google_project_service")).toEqual({});
      expect(resources(stack, "terraform_data").apis_ready.input).toEqual({
        primary: "${data.terraform_remote_state.cross_stack_reference_input_regional_us_east1.outputs.cross_stack_output_terraform_data_apis_ready_output_apis}",
      });
    }
    for (const [id, stack] of Object.entries(stacks)) {
      for (const [type, byId] of Object.entries(stack.resource ?? {})) {
        if (!type.startsWith("google_") || type === "google_project_service") continue;
        for (const [name, body] of Object.entries(byId)) {
          expect([id, type, name, (body as any).depends_on?.includes("terraform_data.apis_ready")]).toEqual([id, type, name, true]);
        }
      }
    }
  });
});
