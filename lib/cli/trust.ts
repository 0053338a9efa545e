import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { assembleSigningConfig, SigningConfigJson } from "../trust/signing-config";
import { assembleTrustedRoot, TrustedRootJson } from "../trust/trusted-root";
import { InstanceUrls, TRUST_OUTPUTS, TrustMaterial } from "../trust/types";
import { TrustMaterialError } from "../trust/validate";

// `sigstore-cdktf trust`: turns the global stack's outputs into the files and
// environment a Sigstore client needs to sign and verify against this
// instance. Everything is read and checked before anything is written.

export const USAGE = `Usage: sigstore-cdktf trust (--outputs-file FILE | --state FILE) [options]

Reads the global stack's outputs (${TRUST_OUTPUTS.material}, ${TRUST_OUTPUTS.urls}, and ${TRUST_OUTPUTS.signingConfig} when present),
writes trusted_root.json, signing_config.json and client_trust_config.json, and prints
export lines for eval "$(...)".

  --outputs-file FILE  output of \`cdktf output --outputs-file FILE\` (or \`cdktf deploy
                       --outputs-file\`, or \`terraform output -json\`)
  --state FILE         the global stack's Terraform state (terraform.tfstate)
  --stack NAME         stack to read in an outputs file (default: the one holding the outputs)
  --out DIR            where to write the files (default: the current directory)
  --tuf-root FILE      the TUF repository's trusted root.json (from the TUF ceremony), to
                       point TUF clients at this instance's repository
  -h, --help           this help
`;

/** The client trust configuration (sigstore-python `--trust-config`, sigstore-go). */
export const CLIENT_TRUST_CONFIG_MEDIA_TYPE = "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json";

export const FILES = {
  trustedRoot: "trusted_root.json",
  signingConfig: "signing_config.json",
  clientTrustConfig: "client_trust_config.json",
} as const;

/** A problem with the command line or the outputs; the message says what to do. */
export class TrustCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TrustCommandError";
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

function readJson(file: string, what: string): Json {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new TrustCommandError(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw new TrustCommandError(`${what} ${file} is not JSON: ${(e as Error).message}`);
  }
}

/** Terraform output objects (`terraform output -json`, state `outputs`) carry the value under `value`. */
const isTerraformOutput = (v: unknown): v is { value: Json } => isObject(v) && "value" in v && ("type" in v || "sensitive" in v);

/** Every place an output name occurs under an object, depth first (cdktf deploy nests outputs by construct id). */
function findAll(tree: Json, name: string, at: string, found: { at: string; value: Json }[]): void {
  if (!isObject(tree)) return;
  for (const [key, value] of Object.entries(tree)) {
    if (key === name) found.push({ at: at ? `${at}.${key}` : key, value });
    else findAll(value, name, at ? `${at}.${key}` : key, found);
  }
}

type Outputs = Partial<Record<keyof typeof TRUST_OUTPUTS, Json>>;

/** The trust outputs of one stack, from any of the supported file shapes. */
export function extractOutputs(doc: Json, opts: { state: boolean; stack?: string; file: string }): Outputs {
  if (!isObject(doc)) throw new TrustCommandError(`${opts.file} is not a JSON object`);
  const pick = (outputs: Record<string, Json>): Outputs => {
    const result: Outputs = {};
    for (const [k, name] of Object.entries(TRUST_OUTPUTS) as [keyof typeof TRUST_OUTPUTS, string][]) {
      if (name in outputs) {
        const entry = outputs[name];
        result[k] = isTerraformOutput(entry) ? entry.value : entry;
      }
    }
    return result;
  };
  if (opts.state) {
    if (typeof doc.version !== "number" || !isObject(doc.outputs)) {
      throw new TrustCommandError(`${opts.file} is not a Terraform state file (no "version" and "outputs"); for \`cdktf output\` JSON use --outputs-file`);
    }
    return pick(doc.outputs);
  }
  // `terraform output -json`: the outputs themselves, each {value, type, sensitive}.
  if (TRUST_OUTPUTS.material in doc && isTerraformOutput(doc[TRUST_OUTPUTS.material])) return pick(doc);
  if (typeof doc.version === "number" && isObject(doc.outputs)) {
    throw new TrustCommandError(`${opts.file} looks like a Terraform state file: use --state ${opts.file}`);
  }
  // cdktf: {"<stack>": {"<output>": value}} (`cdktf output`) or nested by construct id (`cdktf deploy`).
  const stacks = opts.stack ? [opts.stack] : Object.keys(doc).sort();
  if (opts.stack && !isObject(doc[opts.stack])) {
    throw new TrustCommandError(`${opts.file} has no stack "${opts.stack}"; it has: ${Object.keys(doc).sort().join(", ") || "nothing"}`);
  }
  const holding = stacks.filter((s) => {
    const found: { at: string; value: Json }[] = [];
    findAll(doc[s], TRUST_OUTPUTS.material, "", found);
    return found.length > 0;
  });
  if (holding.length === 0) {
    throw new TrustCommandError(
      `${opts.file} has no "${TRUST_OUTPUTS.material}" output${opts.stack ? ` in stack "${opts.stack}"` : ""}: ` +
        `run \`cdktf output global --outputs-file ${opts.file}\` after \`cdktf deploy global\` (the global stack holds the trust outputs; ` +
        `cdktf leaves sensitive outputs out unless given --outputs-file-include-sensitive-outputs)`,
    );
  }
  if (holding.length > 1) {
    throw new TrustCommandError(`${opts.file} has "${TRUST_OUTPUTS.material}" in several stacks (${holding.join(", ")}): choose one with --stack`);
  }
  const stack = doc[holding[0]];
  const result: Outputs = {};
  for (const [k, name] of Object.entries(TRUST_OUTPUTS) as [keyof typeof TRUST_OUTPUTS, string][]) {
    const found: { at: string; value: Json }[] = [];
    findAll(stack, name, "", found);
    if (found.length > 1) {
      throw new TrustCommandError(`stack "${holding[0]}" in ${opts.file} has several "${name}" outputs (${found.map((f) => f.at).join(", ")})`);
    }
    if (found.length === 1) result[k] = found[0].value;
  }
  return result;
}

/** An output's value: Terraform may hold it as an object or as a jsonencode()d string. */
function decode(value: Json | undefined, name: string, file: string): Json {
  if (value === undefined || value === null) {
    throw new TrustCommandError(
      `${file} has no value for the "${name}" output: deploy the global stack, and if the output is sensitive pass --outputs-file-include-sensitive-outputs to cdktf output`,
    );
  }
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as Json;
  } catch {
    throw new TrustCommandError(`the "${name}" output in ${file} is a string that is not JSON`);
  }
}

/** Times compare as instants: Terraform keeps "…T00:00:00Z" where the assembly writes "…T00:00:00.000Z". */
function normalized(v: Json): Json {
  if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v))) return new Date(v).toISOString();
  if (Array.isArray(v)) return v.map(normalized);
  if (isObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, normalized(v[k])]));
  return v;
}

export interface TrustDocuments {
  readonly trustedRoot: TrustedRootJson;
  readonly signingConfig: SigningConfigJson;
  readonly urls: InstanceUrls;
}

/** Reads and checks the outputs and assembles the documents; writes nothing. */
export function documentsFrom(outputs: Outputs, file: string): TrustDocuments {
  const material = decode(outputs.material, TRUST_OUTPUTS.material, file);
  const urls = decode(outputs.urls, TRUST_OUTPUTS.urls, file);
  if (!isObject(urls)) throw new TrustCommandError(`the "${TRUST_OUTPUTS.urls}" output in ${file} is not an object`);
  const trustedRoot = assembleTrustedRoot(material as unknown as TrustMaterial, `the "${TRUST_OUTPUTS.material}" output of ${file}`);
  const instanceUrls = urls as unknown as InstanceUrls;
  for (const list of ["rekor", "tsa"] as const) {
    if (!Array.isArray(instanceUrls[list])) {
      throw new TrustCommandError(`the "${TRUST_OUTPUTS.urls}" output in ${file} has no "${list}" list`);
    }
  }
  for (const field of ["fulcio", "oidcIssuer", "validFrom"] as const) {
    if (typeof instanceUrls[field] !== "string") {
      throw new TrustCommandError(`the "${TRUST_OUTPUTS.urls}" output in ${file} has no "${field}" string`);
    }
  }
  const signingConfig = assembleSigningConfig(instanceUrls, `the "${TRUST_OUTPUTS.urls}" output of ${file}`);
  if (outputs.signingConfig !== undefined && outputs.signingConfig !== null) {
    const deployed = decode(outputs.signingConfig, TRUST_OUTPUTS.signingConfig, file);
    if (JSON.stringify(normalized(deployed)) !== JSON.stringify(normalized(signingConfig as unknown as Json))) {
      throw new TrustCommandError(
        `the "${TRUST_OUTPUTS.signingConfig}" output in ${file} differs from the one "${TRUST_OUTPUTS.urls}" gives: ` +
          `the global stack's outputs are out of date; run \`cdktf deploy global\` and fetch the outputs again`,
      );
    }
  }
  return { trustedRoot, signingConfig, urls: instanceUrls };
}

/** Writes every file to a temporary name first, then renames them into place. */
function writeAll(dir: string, files: Record<string, string>): void {
  fs.mkdirSync(dir, { recursive: true });
  const staged: [string, string][] = [];
  try {
    for (const [name, content] of Object.entries(files)) {
      const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
      fs.writeFileSync(tmp, content);
      staged.push([tmp, path.join(dir, name)]);
    }
  } catch (e) {
    for (const [tmp] of staged) fs.rmSync(tmp, { force: true });
    throw new TrustCommandError(`cannot write to ${dir}: ${(e as Error).message}`);
  }
  for (const [tmp, final] of staged) fs.renameSync(tmp, final);
}

/** A single-quoted shell word. */
const sh = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** The export lines for eval "$(...)", each with what reads it. */
export function exportLines(docs: TrustDocuments, files: Record<keyof typeof FILES, string>, tufRoot?: string): string[] {
  const sc = docs.signingConfig;
  const lines = [
    `# Sigstore instance ${sc.caUrls[0].operator}: eval "$(sigstore-cdktf trust ...)" sets these.`,
    `export SIGSTORE_TRUSTED_ROOT=${sh(files.trustedRoot)}  # cosign/sigstore-go --trusted-root; sigstore-js @sigstore/verify`,
    `export SIGSTORE_SIGNING_CONFIG=${sh(files.signingConfig)}  # cosign --signing-config; sigstore-go --signing-config`,
    `export SIGSTORE_CLIENT_TRUST_CONFIG=${sh(files.clientTrustConfig)}  # sigstore-python --trust-config`,
    `export FULCIO_URL=${sh(sc.caUrls[0].url)}  # cosign --fulcio-url; sigstore-js fulcioURL`,
    `export REKOR_URL=${sh(sc.rekorTlogUrls[0].url)}  # cosign --rekor-url; sigstore-js rekorURL`,
    `export TSA_URL=${sh(sc.tsaUrls[0].url)}  # cosign --timestamp-server-url; sigstore-js tsaServerURL`,
    `export OIDC_ISSUER_URL=${sh(sc.oidcUrls[0].url)}  # cosign --oidc-issuer; sigstore-python --oidc-issuer`,
  ];
  if (docs.urls.tufMirror && tufRoot) {
    lines.push(
      `export TUF_MIRROR=${sh(docs.urls.tufMirror.replace(/\/+$/, ""))}  # read by cosign (with TUF_ROOT_JSON); sigstore-js tufMirrorURL`,
      `export TUF_ROOT_JSON=${sh(tufRoot)}  # read by cosign (with TUF_MIRROR); sigstore-js tufRootPath`,
    );
  } else if (docs.urls.tufMirror) {
    lines.push(`# TUF repository: ${docs.urls.tufMirror}; pass --tuf-root <root.json> to export TUF_MIRROR and TUF_ROOT_JSON`);
  }
  return lines;
}

export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd?: string;
}

const defaultIo: CommandIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** Runs the command; returns the process exit code (0 ok, 1 bad outputs, 2 bad usage). */
export function main(argv: readonly string[], io: CommandIo = defaultIo): number {
  const cwd = io.cwd ?? process.cwd();
  let args;
  try {
    args = parseArgs({
      args: argv[0] === "trust" ? argv.slice(1) : [...argv],
      options: {
        "outputs-file": { type: "string" },
        state: { type: "string" },
        stack: { type: "string" },
        out: { type: "string" },
        "tuf-root": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    io.stderr(`error: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    io.stdout(USAGE);
    return 0;
  }
  if ((args["outputs-file"] === undefined) === (args.state === undefined)) {
    io.stderr(`error: give exactly one of --outputs-file and --state\n\n${USAGE}`);
    return 2;
  }
  try {
    const file = path.resolve(cwd, (args["outputs-file"] ?? args.state) as string);
    const shown = (args["outputs-file"] ?? args.state) as string;
    const doc = readJson(file, args.state ? "state file" : "outputs file");
    const outputs = extractOutputs(doc, { state: args.state !== undefined, stack: args.stack, file: shown });
    const docs = documentsFrom(outputs, shown);
    let tufRoot: string | undefined;
    if (args["tuf-root"] !== undefined) {
      tufRoot = path.resolve(cwd, args["tuf-root"]);
      const root = readJson(tufRoot, "TUF root");
      if (!isObject(root) || !isObject(root.signed) || root.signed._type !== "root") {
        throw new TrustCommandError(`${args["tuf-root"]} is not a TUF root.json (no signed._type "root")`);
      }
      if (!docs.urls.tufMirror) {
        throw new TrustCommandError(`--tuf-root was given but the "${TRUST_OUTPUTS.urls}" output has no tufMirror: deploy the TUF repository first`);
      }
    }
    const out = path.resolve(cwd, args.out ?? ".");
    const files = {
      trustedRoot: path.join(out, FILES.trustedRoot),
      signingConfig: path.join(out, FILES.signingConfig),
      clientTrustConfig: path.join(out, FILES.clientTrustConfig),
    };
    const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
    writeAll(out, {
      [FILES.trustedRoot]: json(docs.trustedRoot),
      [FILES.signingConfig]: json(docs.signingConfig),
      [FILES.clientTrustConfig]: json({
        mediaType: CLIENT_TRUST_CONFIG_MEDIA_TYPE,
        trustedRoot: docs.trustedRoot,
        signingConfig: docs.signingConfig,
      }),
    });
    io.stdout(`${exportLines(docs, files, tufRoot).join("\n")}\n`);
    return 0;
  } catch (e) {
    if (e instanceof TrustCommandError || e instanceof TrustMaterialError) {
      io.stderr(`error: ${e.message}\nNothing was written.\n`);
      return 1;
    }
    throw e;
  }
}

// Development entry: `node --require sucrase/register/ts lib/cli/trust.ts --outputs-file ...`.
if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
