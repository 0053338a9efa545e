import { parseConfig } from "../../lib/config/load";
import { exampleConfig, resources, synthDeployment } from "../helpers/synth";

const config = structuredClone(exampleConfig()) as any;
config.features = { ...config.features, rekorTiles: true, ctlogTiles: true };
config.tiles.ctlog.region = "europe-west1";
const { stacks } = synthDeployment(parseConfig(config));

describe("tile-based logs in a deployment", () => {
  it("run each log's Spanner sequencer in one region only: Rekor in the primary, the CT log where configured", () => {
    const spannerIn = (stack: string) => Object.values(resources(stacks[stack], "google_spanner_instance")).map((i) => i.name);
    expect(spannerIn("regional-us-east1")).toEqual(["sigstore-rekor-1-use1"]);
    expect(spannerIn("regional-europe-west1")).toEqual(["sigstore-ctlog-1-euw1"]);
    expect(spannerIn("regional-asia-northeast1")).toEqual([]);
  });

  it("are served globally under their own host names, owned by the global stack", () => {
    const records = Object.values(resources(stacks.global, "google_dns_record_set")).filter((r) => r.type === "A").map((r) => r.name);
    expect(records).toEqual(expect.arrayContaining(["rekor-1.sigstore.example.com.", "ctlog-1.sigstore.example.com."]));
    const maps = Object.values(resources(stacks.global, "google_compute_url_map")).map((m) => m.host_rule?.[0]?.hosts?.[0]).filter(Boolean);
    expect(maps).toEqual(expect.arrayContaining(["rekor-1.sigstore.example.com", "ctlog-1.sigstore.example.com"]));
    for (const stack of Object.keys(stacks).filter((s) => s.startsWith("regional-"))) {
      expect(Object.values(resources(stacks[stack], "google_dns_record_set")).filter((r) => /-1\./.test(r.name))).toEqual([]);
    }
  });

  it("are watched by the monitoring of the region that runs them", () => {
    const spannerAlerts = (stack: string) => Object.values(resources(stacks[stack], "google_monitoring_alert_policy")).filter((p) => JSON.stringify(p.conditions).includes("spanner.googleapis.com"));
    expect(spannerAlerts("regional-us-east1").length).toBeGreaterThan(0);
    expect(spannerAlerts("regional-europe-west1").length).toBeGreaterThan(0);
    expect(spannerAlerts("regional-asia-northeast1")).toEqual([]);
  });
});
