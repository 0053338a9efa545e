#!/usr/bin/env node
// Consumer test: proves the published artifact, not the source tree.
//
// 1. `npm pack` the library (prepack builds dist/ and the function zips).
// 2. Install the tarball into a fresh project outside the repository with only
//    its peer dependencies (from the npm cache when it has them).
// 3. Compile examples/ under `strict` (module resolution node16, so the
//    package's `exports` map is what resolves "sigstore-cdktf"), importing only
//    from the package name.
// 4. Synthesize (a) one region, (b) two regions from the app's own config
//    object, (c) constructs in a plain cdktf stack of the consumer's.
// 5. Check the stacks, that the installed function zips are byte-identical to
//    a fresh build from the repository's sources, that the synthesized object
//    names carry those hashes, that (a) and (b) are byte-identical to the same
//    configuration synthesized from the repository's sources, and that no
//    output mentions a path of this machine.
//
// Usage: node scripts/consumer-test.js [--keep]   (exit status 0 = passed)
"use strict";
const { execFileSync } = require("child_process");
const crypto = require("crypto");
const fs = require("fs");
const os = require("os");
const path = require("path");

const REPO = path.resolve(__dirname, "..");
const KEEP = process.argv.includes("--keep");
const started = Date.now();
const failures = [];

function log(message) {
  process.stdout.write(`[consumer-test +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
}
function check(ok, message) {
  if (ok) log(`ok   ${message}`);
  else {
    failures.push(message);
    log(`FAIL ${message}`);
  }
}
function run(cmd, args, cwd, env = {}) {
  return execFileSync(cmd, args, { cwd, env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env }, stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 * 1024 * 1024 }).toString();
}
const sha256 = (bytes) => crypto.createHash("sha256").update(bytes).digest("hex");
function readTree(dir, base = dir, out = {}) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) readTree(full, base, out);
    else out[path.relative(base, full)] = fs.readFileSync(full);
  }
  return out;
}
function installedVersion(pkg) {
  return JSON.parse(fs.readFileSync(path.join(REPO, "node_modules", pkg, "package.json"), "utf8")).version;
}

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "sigstore-consumer-")));
try {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));

  // 1. Pack (runs prepack: the build).
  log(`packing into ${tmp}`);
  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", tmp], REPO).replace(/^[^[]*/, ""))[0];
  const tarball = path.join(tmp, packed.filename);
  const shipped = packed.files.map((f) => f.path);
  check(shipped.includes("dist/lib/index.js") && shipped.includes("dist/lib/index.d.ts"), "the tarball ships the compiled library and its declarations");
  check(shipped.includes("functions/jwks-merger/dist/package.zip") && shipped.includes("functions/jwks-publisher/dist/index.js"), "the tarball ships the prebuilt functions");
  check(shipped.includes("LICENSE") && shipped.includes("bin/sigstore-cdktf"), "the tarball ships LICENSE and the command");
  const stray = shipped.filter((f) => /(^|\/)(__tests__|fixtures|bench|\.ci|\.github|scripts)\/|\.test\.|\.snap$|^functions\/[^/]+\/src\//.test(f));
  check(stray.length === 0, `the tarball ships no tests, fixtures, bench, CI or function sources${stray.length ? `: ${stray.slice(0, 5).join(", ")}` : ""}`);

  // 2. A fresh project with only the peers (exact versions the repository tests with).
  const app = path.join(tmp, "app");
  fs.mkdirSync(app);
  const peers = Object.keys(pkg.peerDependencies);
  fs.writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify(
      {
        name: "sigstore-consumer",
        private: true,
        version: "0.0.0",
        dependencies: { [pkg.name]: `file:${tarball}`, ...Object.fromEntries(peers.map((p) => [p, installedVersion(p)])) },
        devDependencies: { "@types/node": installedVersion("@types/node") },
      },
      null,
      2,
    ),
  );
  log(`installing ${pkg.name} with ${peers.join(", ")}`);
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"], app);
  const installed = path.join(app, "node_modules", pkg.name);
  for (const banned of ["esbuild", "sucrase", "jose", "@google-cloud/functions-framework", "@google-cloud/storage", "fflate", "typescript"]) {
    check(!fs.existsSync(path.join(app, "node_modules", banned)), `the install has no ${banned}`);
  }

  // 3. Compile the examples under strict, resolving through the package's exports.
  fs.cpSync(path.join(REPO, "examples"), path.join(app, "src"), { recursive: true, filter: (f) => !f.endsWith(".md") && !f.endsWith(".json") });
  fs.writeFileSync(
    path.join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "node16",
        moduleResolution: "node16",
        lib: ["ES2022"],
        types: ["node"],
        strict: true,
        noUnusedLocals: true,
        noImplicitReturns: true,
        // Our declarations are emitted from type-checked sources; checking every provider .d.ts took minutes.
        skipLibCheck: true,
        outDir: "out",
        rootDir: "src",
      },
      include: ["src/**/*.ts"],
    }),
  );
  log("compiling examples/ with tsc --strict");
  try {
    run(process.execPath, [path.join(REPO, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], app);
    check(true, "the examples compile under strict against the installed package");
  } catch (e) {
    process.stdout.write(e.stdout ? e.stdout.toString() : String(e));
    check(false, "the examples compile under strict against the installed package");
    throw new Error("compilation failed");
  }
  const sources = readTree(path.join(app, "src"));
  const deepImports = Object.entries(sources).filter(([, text]) => /from "sigstore-cdktf\/|from "\.\.\/|require\("sigstore-cdktf\//.test(text.toString()));
  check(deepImports.length === 0, "the examples import only from the package name");

  // 4. Synthesize each example in its own directory.
  const synth = (name) => {
    const dir = path.join(app, "synth", name);
    fs.mkdirSync(dir, { recursive: true });
    run(process.execPath, [path.join(app, "out", name, "main.js")], dir);
    const out = path.join(dir, "cdktf.out");
    const manifest = JSON.parse(fs.readFileSync(path.join(out, "manifest.json"), "utf8"));
    const stacks = Object.fromEntries(Object.keys(manifest.stacks).map((s) => [s, JSON.parse(fs.readFileSync(path.join(out, manifest.stacks[s].synthesizedStackPath), "utf8"))]));
    return { out, stacks, files: readTree(out) };
  };
  log("synthesizing (a) one region");
  const one = synth("one-region");
  log("synthesizing (b) two regions");
  const two = synth("two-regions");
  log("synthesizing (c) constructs in a plain stack");
  const composed = synth("composed");

  // 5. Checks.
  const types = (stack) => Object.keys(stack.resource ?? {});
  check(JSON.stringify(Object.keys(one.stacks).sort()) === JSON.stringify(["global", "regional-us-east1"]), `(a) has one regional stack and the global stack (${Object.keys(one.stacks).join(", ")})`);
  check(JSON.stringify(Object.keys(two.stacks).sort()) === JSON.stringify(["global", "regional-europe-west1", "regional-us-east1"]), `(b) has two regional stacks and the global stack (${Object.keys(two.stacks).join(", ")})`);
  for (const [label, synthesized] of [["(a)", one], ["(b)", two]]) {
    const regional = Object.entries(synthesized.stacks).filter(([id]) => id.startsWith("regional-"));
    for (const [id, stack] of regional) {
      const hasAll = types(stack).includes("google_container_cluster") && types(stack).some((t) => t.startsWith("kubernetes_")) && types(stack).includes("helm_release");
      check(hasAll, `${label} ${id} has a cluster, Kubernetes resources and Helm releases`);
      // Trillian's database only where a Trillian log runs: Rekor v1 and the shared CT log, in the primary region (us-east1).
      check(types(stack).includes("google_sql_database_instance") === (id === "regional-us-east1"), `${label} ${id} has a Trillian database exactly when it runs Rekor v1 and the CT log`);
    }
    check(["google_compute_url_map", "google_compute_security_policy", "google_cloudfunctions2_function"].every((t) => types(synthesized.stacks.global).includes(t)), `${label} global has load balancers, Cloud Armor and the key-set merger`);
  }
  const prefixed = Object.values(two.stacks.global.resource.google_compute_url_map).map((u) => u.name);
  check(prefixed.length > 0 && prefixed.every((n) => n.startsWith("acme-")), `(b) uses the app's own namePrefix (${prefixed.join(", ")})`);
  const globalRemote = JSON.stringify(two.stacks.global);
  check(["regional-us-east1", "regional-europe-west1"].every((s) => globalRemote.includes(s)), "(b) global reads both regional stacks through cross-stack references");
  check(Object.keys(composed.stacks).join() === "front-door", "(c) synthesizes the consumer's own stack only");
  const c = composed.stacks["front-door"];
  check(["google_compute_url_map", "google_compute_backend_service", "google_compute_security_policy", "google_compute_target_https_proxy", "google_storage_bucket_iam_member", "google_kms_crypto_key_iam_member", "google_service_account_iam_member"].every((t) => types(c).includes(t)), "(c) has the front end, the bucket and key grants and the workload-identity binding");
  const negs = JSON.stringify(c.resource.google_compute_backend_service);
  check(negs.includes("acme-fulcio-http-use1") && negs.includes("acme-fulcio-grpc-use1"), "(c) the backend services point at the consumer's NEGs");
  const rings = Object.values(c.resource.google_kms_key_ring ?? {}).map((r) => r.name).sort().join();
  check(rings === "acme-fulcio-us-east1,acme-signing,acme-timestamps", `(c) Fulcio and the TSA stand alone in the consumer's stack, names from their own props (${rings})`);

  // Function zips: installed == a fresh build from the repository's sources.
  const fresh = path.join(tmp, "fresh-functions");
  run(process.execPath, ["--require", "sucrase/register/ts", "functions/build.ts", "--out", fresh], REPO);
  const zip = (root, name) => fs.readFileSync(path.join(root, name, "dist", "package.zip"));
  const merger = sha256(zip(path.join(installed, "functions"), "jwks-merger"));
  const publisher = sha256(zip(path.join(installed, "functions"), "jwks-publisher"));
  check(merger === sha256(zip(fresh, "jwks-merger")), `the installed merger zip is byte-identical to a fresh build (sha256 ${merger})`);
  check(publisher === sha256(zip(fresh, "jwks-publisher")), `the installed publisher zip is byte-identical to a fresh build (sha256 ${publisher})`);
  const objects = Object.values(one.stacks.global.resource.google_storage_bucket_object ?? {}).map((o) => o.name);
  check(objects.includes(`jwks-merger-${merger.slice(0, 16)}.zip`), `(a) the function's object name carries the zip's hash (${objects.join(", ")})`);
  const assetZips = Object.entries(one.files).filter(([f]) => f.endsWith("package.zip")).map(([, bytes]) => sha256(bytes));
  check(assetZips.length > 0 && assetZips.every((h) => h === merger), "(a) the zip in cdktf.out is the shipped zip");
  const publisherAnnotation = JSON.stringify(one.stacks["regional-us-east1"]).includes(publisher);
  check(publisherAnnotation, "(a) the key publisher's Deployment carries the shipped bundle's hash");

  // No path of this machine in any output (the install location must not leak into plans).
  const leaks = [];
  for (const [label, s] of [["(a)", one], ["(b)", two], ["(c)", composed]]) {
    for (const [file, bytes] of Object.entries(s.files)) {
      if (!/\.(json|tf)$/.test(file)) continue;
      const text = bytes.toString();
      for (const local of [tmp, REPO, os.homedir(), "node_modules"]) if (text.includes(local)) leaks.push(`${label} ${file} contains ${local}`);
    }
  }
  check(leaks.length === 0, `no synthesized file contains a local path${leaks.length ? `: ${leaks.slice(0, 3).join("; ")}` : ""}`);

  // The installed package synthesizes exactly what the repository's sources do.
  for (const [name, s] of [["one-region", one], ["two-regions", two]]) {
    const outdir = path.join(tmp, "repo-synth", name);
    fs.mkdirSync(outdir, { recursive: true });
    const script =
      'const { App } = require("cdktf"); const { addSigstoreDeployment } = require("./lib/app"); const { parseConfig } = require("./lib/config/load");' +
      "const app = new App({ outdir: process.argv[2] }); addSigstoreDeployment(app, parseConfig(require(process.argv[1]).config)); app.synth();";
    run(process.execPath, ["--require", "sucrase/register/ts", "-e", script, path.join(REPO, "examples", name, "config.ts"), outdir], REPO);
    const ours = readTree(outdir);
    const differing = [...new Set([...Object.keys(ours), ...Object.keys(s.files)])].filter((f) => !ours[f] || !s.files[f] || !ours[f].equals(s.files[f]));
    check(differing.length === 0, `${name}: the installed package's output is byte-identical to the repository's (${Object.keys(ours).length} files)${differing.length ? `; differ: ${differing.slice(0, 5).join(", ")}` : ""}`);
  }

  // The command is installed and answers.
  const bin = path.join(app, "node_modules", ".bin", "sigstore-cdktf");
  check(fs.existsSync(bin) && run(bin, ["--help"], app).includes("trust"), "the sigstore-cdktf command is installed and lists its commands");
  // The trust command loads from the installed package (compiled, no dev dependency) and answers.
  check(run(bin, ["trust", "--help"], app).includes("--outputs-file"), "sigstore-cdktf trust runs from the installed package");
} catch (e) {
  failures.push(`aborted: ${e.message.split("\n")[0]}`);
  log(`FAIL ${e.stack ?? e}`);
} finally {
  if (KEEP) log(`kept ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}

log(`${failures.length === 0 ? "passed" : `${failures.length} failed`} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(failures.length === 0 ? 0 : 1);
