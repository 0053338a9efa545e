import * as fs from "fs";
import * as path from "path";
import { manifestsChartDir } from "../../lib/regional/workloads/release";
import { execFileSync, spawnSync } from "child_process";
import { parseDocument } from "yaml";
import { REPO_ROOT } from "../helpers/synth";

const WORKFLOW = path.join(REPO_ROOT, ".github/workflows/release.yml");
const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}

describe("the release workflow", () => {
  const text = fs.readFileSync(WORKFLOW, "utf8");
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const workflow = doc.toJS() as any;
  const jobs = Object.entries(workflow.jobs ?? {}) as [string, any][];
  const steps: Step[] = jobs.flatMap(([, job]) => job.steps ?? []);
  const index = (predicate: (s: Step) => boolean): number => steps.findIndex(predicate);

  it("is valid YAML with the shape of a GitHub Actions workflow", () => {
    expect(doc.errors.map((e) => e.message)).toEqual([]);
    expect(typeof workflow.name).toBe("string");
    expect(workflow.on.push.tags).toEqual(["v*.*.*"]);
    expect(jobs.length).toBeGreaterThan(0);
    for (const [id, job] of jobs) {
      expect([id, typeof job["runs-on"]]).toEqual([id, "string"]);
      expect([id, Array.isArray(job.steps) && job.steps.length > 0]).toEqual([id, true]);
    }
    for (const step of steps) {
      // A step runs a command or uses an action, never both or neither.
      expect([step.name ?? step.uses, (step.run === undefined) !== (step.uses === undefined)]).toEqual([step.name ?? step.uses, true]);
      if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w./-]+@[\w.-]+$/);
    }
    // Every step output referenced exists.
    const ids = new Set(steps.map((s) => s.id).filter(Boolean));
    for (const m of text.matchAll(/steps\.([\w-]+)\.outputs/g)) expect([m[1], ids.has(m[1])]).toEqual([m[1], true]);
  });

  it("pins every action by full commit SHA, with the release it is in a comment", () => {
    // Comments are not in the parsed document: read the lines, and check that they are all the steps' `uses`.
    const lines = text.split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l));
    expect(lines.length).toBe(steps.filter((s) => s.uses).length);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.trim()).toMatch(/^(-\s+)?uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    for (const step of steps.filter((s) => s.uses)) expect(step.uses).toMatch(/@[0-9a-f]{40}$/);
  });

  it("stops before building when package.json's repository.url is not the repository it runs in", () => {
    const guard = steps.find((s) => /repository\.url/.test(s.run ?? ""))!;
    expect(index((s) => s === guard)).toBeLessThan(index((s) => /npm ci\b/.test(s.run ?? "")));
    const here = pkg.repository.url.replace(/^git\+https:\/\/github\.com\//, "").replace(/\.git$/, "");
    const runGuard = (repository: string) =>
      spawnSync("bash", ["-c", guard.run!], { cwd: REPO_ROOT, env: { PATH: process.env.PATH, GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: repository }, encoding: "utf8" });
    expect(runGuard(here).status).toBe(0);
    const moved = runGuard("someone-else/fork");
    expect(moved.status).toBe(1);
    expect(moved.stderr).toContain(`package.json repository.url names https://github.com/${here}, but this workflow runs in https://github.com/someone-else/fork; set it to "git+https://github.com/someone-else/fork.git"`);
    // npm compares case-sensitively.
    expect(runGuard(here.toUpperCase()).status).toBe(1);
  });

  it("requests no permission by default and only what publishing with provenance needs", () => {
    expect(workflow.permissions).toEqual({});
    for (const [, job] of jobs) {
      expect(job.permissions).toEqual({ contents: "write", "id-token": "write", attestations: "write" });
    }
  });

  it("builds, tests and runs the consumer test before it attests and publishes", () => {
    const build = index((s) => /npm ci\b/.test(s.run ?? ""));
    const typecheck = index((s) => /tsc -p tsconfig.json --noEmit/.test(s.run ?? ""));
    const test = index((s) => /^npm test\b/.test(s.run ?? ""));
    const consumer = index((s) => /scripts\/consumer-test\.js/.test(s.run ?? ""));
    const pack = index((s) => /npm pack\b/.test(s.run ?? ""));
    const attest = index((s) => (s.uses ?? "").startsWith("actions/attest-build-provenance@"));
    const publish = index((s) => /npm publish\b/.test(s.run ?? ""));
    const release = index((s) => /gh release create/.test(s.run ?? ""));
    for (const i of [build, typecheck, test, consumer, pack, attest, publish, release]) expect(i).toBeGreaterThanOrEqual(0);
    expect([build, typecheck, test, consumer, pack, attest, publish, release]).toEqual([...[build, typecheck, test, consumer, pack, attest, publish, release]].sort((a, b) => a - b));
  });

  it("publishes the attested tarball with provenance, the npm token its only secret", () => {
    const publish = steps.find((s) => /npm publish\b/.test(s.run ?? ""))!;
    expect(publish.run).toContain("--provenance");
    expect(publish.run).toContain("steps.pack.outputs.tarball");
    expect(publish.env).toEqual({ NODE_AUTH_TOKEN: "${{ secrets.NPM_TOKEN }}" });
    expect([...text.matchAll(/secrets\.(\w+)/g)].map((m) => m[1])).toEqual(["NPM_TOKEN"]);
    const checkout = steps.find((s) => (s.uses ?? "").startsWith("actions/checkout@"))!;
    expect(checkout.with?.["persist-credentials"]).toBe(false);
  });

  it("attests both function zips and attaches them with the attestations to the release", () => {
    const attest = steps.find((s) => (s.uses ?? "").startsWith("actions/attest-build-provenance@"))!;
    const subjects = String(attest.with?.["subject-path"]).split("\n").map((l) => l.trim()).filter(Boolean);
    expect(subjects).toEqual(expect.arrayContaining(["release/jwks-merger-*.zip", "release/jwks-publisher-*.zip"]));
    const pack = steps.find((s) => /npm pack\b/.test(s.run ?? ""))!.run!;
    expect(pack).toContain("functions/jwks-merger/dist/package.zip");
    expect(pack).toContain("functions/jwks-publisher/dist/package.zip");
    const release = steps.find((s) => /gh release create/.test(s.run ?? ""))!.run!;
    expect(release).toContain(`steps.${attest.id}.outputs.bundle-path`);
    expect(release).toMatch(/release\/\*\.zip/);
  });
});

/** Whether a packed path is allowed by package.json's `files` (npm's own rules for the patterns used there). */
function allowedByFiles(file: string, patterns: readonly string[]): boolean {
  // npm always ships these, whatever `files` says.
  if (/^(package\.json|README(\.md)?|LICENSE|CHANGELOG\.md)$/i.test(file)) return true;
  return patterns.some((p) => {
    if (p.endsWith("/")) return file.startsWith(p);
    const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`);
    return re.test(file);
  });
}

describe("the npm package", () => {
  // --ignore-scripts: list what would ship from the files on disk, without building.
  const packed = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "ignore"] }).toString());
  const files: string[] = packed[0].files.map((f: { path: string }) => f.path);

  it("ships the local manifests chart the library installs, where the compiled library looks for it", () => {
    for (const file of ["Chart.yaml", "values.yaml", "templates/objects.yaml"]) expect(files).toContain(`lib/regional/workloads/manifests-chart/${file}`);
    // The library resolves it from the package root, the same from lib/ and dist/lib/.
    expect(manifestsChartDir()).toBe(path.join(REPO_ROOT, "lib/regional/workloads/manifests-chart"));
  });

  it("ships only what `files` allows", () => {
    expect(files.filter((f) => !allowedByFiles(f, pkg.files))).toEqual([]);
  });

  it("ships no tests, fixtures, benchmark, CI, scripts, snapshots or function sources", () => {
    const banned = /(^|\/)(__tests__|fixtures|bench|\.ci|\.github|scripts|node_modules|cdktf\.out)\/|\.test\.[jt]s$|\.snap$|^functions\/[^/]+\/src\/|^functions\/build|^tsconfig|^jest\.|^main\.|^cdktf\.json$|\.tfstate/;
    expect(files.filter((f) => banned.test(f))).toEqual([]);
    // The allow-list itself names nothing of the kind.
    expect(pkg.files.filter((p: string) => banned.test(p))).toEqual([]);
  });

  it("ships the LICENSE, the CHANGELOG, the command and the examples", () => {
    expect(files).toEqual(expect.arrayContaining(["LICENSE", "CHANGELOG.md", "README.md", "package.json", "bin/sigstore-cdktf", "examples/one-region/main.ts", "examples/composed/main.ts"]));
    expect(fs.readFileSync(path.join(REPO_ROOT, "LICENSE"), "utf8")).toContain("Apache License\n                           Version 2.0, January 2004");
    expect(pkg.license).toBe("Apache-2.0");
  });

  it("declares its entry point, declarations, command, engines and peers", () => {
    expect(pkg.exports["."]).toEqual({ types: "./dist/lib/index.d.ts", default: "./dist/lib/index.js" });
    expect(pkg.types).toBe("dist/lib/index.d.ts");
    expect(pkg.bin).toEqual({ "sigstore-cdktf": "bin/sigstore-cdktf" });
    expect(pkg.scripts.prepack).toMatch(/npm run build/);
    expect(pkg.engines.node).toMatch(/^>=20/);
    expect(pkg.repository.url).toMatch(/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
    // The one place the repository is named: npm derives homepage and bugs from it.
    expect([pkg.homepage, pkg.bugs]).toEqual([undefined, undefined]);
    // The construct libraries are peers (one copy of constructs in the consumer's tree), also dev dependencies here.
    for (const peer of ["cdktf", "constructs", "@cdktf/provider-google", "@cdktf/provider-kubernetes", "@cdktf/provider-helm"]) {
      expect([peer, pkg.peerDependencies[peer]]).toEqual([peer, expect.stringMatching(/^\^/)]);
      expect([peer, peer in (pkg.dependencies ?? {})]).toEqual([peer, false]);
      expect([peer, typeof pkg.devDependencies[peer]]).toEqual([peer, "string"]);
    }
    // Synth and import need none of the functions' build or runtime dependencies.
    for (const dev of ["esbuild", "sucrase", "jose", "@google-cloud/functions-framework", "@google-cloud/storage", "fflate"]) {
      expect([dev, dev in (pkg.dependencies ?? {})]).toEqual([dev, false]);
    }
  });
});
