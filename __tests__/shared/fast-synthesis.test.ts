import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, Aspects, IAspect, Lazy, TerraformOutput, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { StorageBucket } from "@cdktf/provider-google/lib/storage-bucket";
import { ComputeFirewall } from "@cdktf/provider-google/lib/compute-firewall";
import { enableFastSynthesis, isFastSynthesisEnabled } from "../../lib/shared/fast-synthesis";
import { SigstoreStack } from "../../lib/shared/sigstore-stack";

// Each escape hatch of cdktf, synthesized three ways: a plain cdktf stack
// (the reference), a SigstoreStack on the default path, and a SigstoreStack in
// an app that opted in to fast synthesis. The two SigstoreStack paths must give
// byte-identical files, and the expected effect of each hatch is written here.

class Stack extends SigstoreStack {
  constructor(scope: App, id: string) {
    super(scope, id, { projectId: "p", region: "us-east1", backend: { type: "local", directory: "." }, labels: { team: "t" } });
  }
}

type Kind = "stock" | "fast";
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function newApp(kind: Kind): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "fast-synth-"));
  dirs.push(outdir);
  const app = new App({ outdir });
  if (kind === "fast") enableFastSynthesis(app);
  return app;
}

function read(app: App, stack: string): string {
  return fs.readFileSync(path.join(app.outdir, "stacks", stack, "cdk.tf.json"), "utf8");
}

/** Builds with `build` in both kinds of app, synthesizes, and returns each stack's file (they must agree). */
function bothPaths(build: (app: App) => TerraformStack[], after?: (app: App, stacks: TerraformStack[]) => void): Record<string, any> {
  const out: Record<Kind, Record<string, string>> = { stock: {}, fast: {} };
  for (const kind of ["stock", "fast"] as Kind[]) {
    const app = newApp(kind);
    const stacks = build(app);
    app.synth();
    after?.(app, stacks);
    for (const s of stacks) out[kind][s.node.id] = read(app, s.node.id);
  }
  expect(Object.keys(out.fast)).toEqual(Object.keys(out.stock));
  for (const id of Object.keys(out.stock)) expect([id, out.fast[id]]).toEqual([id, out.stock[id]]);
  return Object.fromEntries(Object.entries(out.stock).map(([id, text]) => [id, JSON.parse(text)]));
}

describe("the default path is stock cdktf", () => {
  it("does not turn fast synthesis on", () => {
    const app = newApp("stock");
    const stack = new Stack(app, "s");
    expect(isFastSynthesisEnabled(stack)).toBe(false);
    expect(isFastSynthesisEnabled(new Stack(newApp("fast"), "f"))).toBe(true);
  });

  it("gives what a plain cdktf stack gives for the same resources, apart from the ids it names on purpose", () => {
    const build = (app: App, plain: boolean) => {
      const stack: TerraformStack = plain ? new TerraformStack(app, "s") : new Stack(app, "s");
      if (plain) {
        // What SigstoreStack's constructor adds, written by hand.
        const { GoogleProvider } = require("@cdktf/provider-google/lib/provider");
        new GoogleProvider(stack, "google", { project: "p", region: "us-east1", defaultLabels: { team: "t" } });
        const { LocalBackend } = require("cdktf");
        new LocalBackend(stack, { path: "../../../terraform.s.tfstate" });
        stack.addOverride("terraform.required_version", ">= 1.7");
      }
      const bucket = new StorageBucket(stack, "b", { name: "b", location: "US", labels: { a: "1" } });
      bucket.overrideLogicalId("b"); // SigstoreStack names it "b" too
      return stack;
    };
    const texts = [true, false].map((plain) => {
      const app = newApp("stock");
      build(app, plain);
      app.synth();
      return read(app, "s");
    });
    expect(texts[1]).toBe(texts[0]);
  });
});

describe("escape hatches give stock cdktf's output on both paths", () => {
  it("addOverride on the stack, including undefined to delete and a key into an array element", () => {
    const stacks = bothPaths((app) => {
      const s = new Stack(app, "s");
      new ComputeFirewall(s, "fw", { name: "fw", network: "n", allow: [{ protocol: "tcp", ports: ["443"] }, { protocol: "udp" }], description: "d" });
      s.addOverride("resource.google_compute_firewall.fw.description", undefined);
      s.addOverride("resource.google_compute_firewall.fw.allow.1.ports", ["53"]);
      s.addOverride("resource.google_compute_firewall.fw.priority", 900);
      return [s];
    });
    const fw = stacks.s.resource.google_compute_firewall.fw;
    expect(fw.description).toBeUndefined();
    expect(fw.allow).toEqual([{ protocol: "tcp", ports: ["443"] }, { protocol: "udp", ports: ["53"] }]);
    expect(fw.priority).toBe(900);
    expect(stacks.s.terraform.required_version).toBe(">= 1.7");
  });

  it("addOverride on a resource, with a token value", () => {
    const stacks = bothPaths((app) => {
      const s = new Stack(app, "s");
      const a = new StorageBucket(s, "a", { name: "a", location: "US" });
      const b = new StorageBucket(s, "b", { name: "b", location: "US" });
      b.addOverride("labels.source", a.name);
      b.addOverride("location", undefined);
      return [s];
    });
    expect(stacks.s.resource.google_storage_bucket.b.labels).toEqual({ source: "${google_storage_bucket.a.name}" });
    expect(stacks.s.resource.google_storage_bucket.b.location).toBeUndefined();
  });

  it("overrideLogicalId, before synth and from an Aspect", () => {
    class Rename implements IAspect {
      visit(node: IConstruct) {
        if (node instanceof StorageBucket && node.node.id === "late") node.overrideLogicalId("renamed_late");
      }
    }
    const stacks = bothPaths((app) => {
      const s = new Stack(app, "s");
      const early = new StorageBucket(s, "early", { name: "e", location: "US" });
      early.overrideLogicalId("renamed_early");
      const late = new StorageBucket(s, "late", { name: "l", location: "US" });
      new StorageBucket(s, "user", { name: "u", location: "US", labels: { early: early.name, late: late.name } });
      Aspects.of(s).add(new Rename());
      return [s];
    });
    const buckets = stacks.s.resource.google_storage_bucket;
    // cdktf fixes an element's id when it is first resolved, while preparing;
    // Aspects run after that, so (in stock cdktf too) their rename is ignored.
    expect(Object.keys(buckets).sort()).toEqual(["late", "renamed_early", "user"]);
    expect(buckets.user.labels).toEqual({ early: "${google_storage_bucket.renamed_early.name}", late: "${google_storage_bucket.late.name}" });
  });

  it("an Aspect that changes resources", () => {
    class Label implements IAspect {
      visit(node: IConstruct) {
        if (node instanceof StorageBucket) {
          node.location = "EU";
          node.addOverride("labels.checked", "yes");
        }
      }
    }
    const stacks = bothPaths((app) => {
      const s = new Stack(app, "s");
      new StorageBucket(s, "b", { name: "b", location: "US", labels: { a: "1" } });
      Aspects.of(s).add(new Label());
      return [s];
    });
    expect(stacks.s.resource.google_storage_bucket.b).toMatchObject({ location: "EU", labels: { a: "1", checked: "yes" } });
  });

  it("a Lazy value that depends on another stack's preparation", () => {
    const stacks = bothPaths((app) => {
      const a = new Stack(app, "a");
      const bucket = new StorageBucket(a, "b", { name: "b", location: "US" });
      // Counted when resolved: stack b's preparation adds a cross-stack output to a.
      const outputs = Lazy.stringValue({ produce: () => String(a.node.children.filter((c) => TerraformOutput.isTerraformOutput(c)).length) });
      bucket.addOverride("labels.outputs", outputs);
      const b = new Stack(app, "b");
      new StorageBucket(b, "user", { name: "u", location: "US", labels: { from: bucket.name } });
      return [a, b];
    });
    expect(stacks.a.resource.google_storage_bucket.b.labels).toEqual({ outputs: "1" });
    expect(stacks.a.output).toEqual({ cross_stack_output_google_storage_bucket_b_name: { value: "${google_storage_bucket.b.name}", sensitive: false } });
  });

  it("a second synth after a change, and toTerraform after it", () => {
    const seen: Record<Kind, unknown[]> = { stock: [], fast: [] };
    const stacks = bothPaths(
      (app) => {
        const s = new Stack(app, "s");
        new StorageBucket(s, "b", { name: "first", location: "US" });
        return [s];
      },
      (app, [s]) => {
        const kind: Kind = isFastSynthesisEnabled(s) ? "fast" : "stock";
        const bucket = s.node.findChild("b") as StorageBucket;
        bucket.name = "second";
        seen[kind].push((s.toTerraform() as any).resource.google_storage_bucket.b.name);
        bucket.name = "third";
        app.synth();
      },
    );
    expect(stacks.s.resource.google_storage_bucket.b.name).toBe("third");
    expect(seen).toEqual({ stock: ["second"], fast: ["second"] });
  });
});
