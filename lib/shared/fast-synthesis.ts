import { App, Aspects, DefaultTokenResolver, IPostProcessor, IResolvable, IResolveContext, OperatorExpression, StringConcat, TerraformElement, TerraformOutput, TerraformStack, Tokenization } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import type { IConstruct } from "constructs";
import { fastResolve } from "./fast-resolve";
import { disableTokenStackTraces } from "./lean-synth";
import { stableJson } from "./stable-json";

/**
 * Opt-in fast synthesis for the stacks of this library.
 *
 * By default a `SigstoreStack` synthesizes exactly as a stock cdktf stack does.
 * An app that calls `enableFastSynthesis(app)` before `app.synth()` gets the
 * same JSON in a fraction of the time:
 * - each element is resolved once (while preparing) and that result is reused
 *   for output, unless an Aspect may change the stack or the element holds a
 *   token whose value may change after preparing (a Lazy, or any token that is
 *   not a Terraform expression); such elements are resolved again, as cdktf does;
 * - plain data is walked without cdktf's per-value resolve context;
 * - the stack's JSON is written by a faster equivalent of cdktf's
 *   json-stable-stringify (stable-json.ts), same bytes;
 * - cdktf's per-token stack traces are not recorded (process-wide; they are only
 *   printed when a token fails to resolve).
 * Escape hatches (`addOverride`, `overrideLogicalId`, Aspects, Lazy values, a
 * second synth after a change) give stock cdktf's output; tests check each.
 */
export function enableFastSynthesis(app: App): void {
  FAST_APPS.add(app);
  disableTokenStackTraces();
}

/** Whether `enableFastSynthesis` was called for the app `scope` belongs to. */
export function isFastSynthesisEnabled(scope: IConstruct): boolean {
  const root = scope.node.root;
  return App.isApp(root) && FAST_APPS.has(root);
}

const FAST_APPS = new WeakSet<App>();

// Deep imports of cdktf internals happen only on the opt-in path.
/* eslint-disable @typescript-eslint/no-require-imports */
function internals(): { deepMerge: (target: unknown, ...sources: unknown[]) => unknown; isExpression: (t: IResolvable) => boolean } {
  const { deepMerge } = require("cdktf/lib/util") as { deepMerge: (target: unknown, ...sources: unknown[]) => unknown };
  // TFExpression, the base of every Terraform expression token, is not exported; OperatorExpression is one.
  const TFExpression = Object.getPrototypeOf(OperatorExpression) as new (...args: never[]) => object;
  return { deepMerge, isExpression: (t) => t instanceof TFExpression };
}
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * cdktf's resolver, noting whether it met a token whose value may change
 * after preparing. Terraform expressions (references, property accesses,
 * function calls, operators) render construct identities that only an Aspect
 * or an explicit call can change; anything else (Lazy, custom IResolvables)
 * may read state that another stack's preparation changes.
 */
class TrackingResolver extends DefaultTokenResolver {
  volatile = false;
  constructor(private readonly isExpression: (t: IResolvable) => boolean) {
    super(new StringConcat());
  }
  resolveToken(t: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): unknown {
    if (!this.isExpression(t)) this.volatile = true;
    return super.resolveToken(t, context, postProcessor);
  }
}

/** Per stack: elements' JSON resolved while preparing, reusable for the next toTerraform only. */
const PREPARED = new WeakMap<TerraformStack, Map<TerraformElement, unknown>>();

function elementsOf(stack: TerraformStack): TerraformElement[] {
  const out: TerraformElement[] = [];
  const walk = (c: IConstruct) => {
    if (TerraformElement.isTerraformElement(c)) out.push(c);
    for (const child of c.node.children) if (!TerraformStack.isStack(child)) walk(child);
  };
  walk(stack);
  return out;
}

function hasAspects(stack: TerraformStack): boolean {
  // Aspects on the stack, below it, or on a scope above it.
  return stack.node.scopes.some((c) => Aspects.of(c).all.length > 0) || stack.node.findAll().some((c) => Aspects.of(c).all.length > 0);
}

/** cdktf's prepareStack, keeping each element's resolved JSON when it cannot change before output. */
export function fastPrepareStack(stack: TerraformStack): void {
  stack.ensureBackendExists();
  const { isExpression } = internals();
  const cache = new Map<TerraformElement, unknown>();
  const cacheable = !hasAspects(stack);
  for (const element of elementsOf(stack)) {
    const resolver = new TrackingResolver(isExpression);
    const resolved = fastResolve(element.toTerraform(), { scope: stack, preparing: true, resolver });
    if (cacheable && !resolver.volatile) cache.set(element, resolved);
  }
  PREPARED.set(stack, cache);
  writeWithStableJson(stack);
}

/**
 * cdktf's StackSynthesizer writes `json-stable-stringify(stack.toTerraform(),
 * { space: 2 })`. Wrapped here for this synth: while it runs, the stack's
 * toTerraform hands the synthesizer an empty document (so everything else it
 * does, validations, assets, annotations, stays cdktf's) and keeps the real
 * one, which is then written over it with stableJson: the same bytes.
 */
function writeWithStableJson(stack: TerraformStack): void {
  const internal = stack as unknown as { synthesizer: { synthesize(session: { outdir: string; manifest: { forStack(s: TerraformStack): { synthesizedStackPath: string } } }): void } };
  const synthesizer = internal.synthesizer;
  if (!synthesizer || typeof synthesizer.synthesize !== "function" || WRAPPED.has(synthesizer)) return;
  const original = synthesizer.synthesize;
  synthesizer.synthesize = function (session) {
    let json: unknown;
    const own = stack as unknown as { toTerraform?: () => unknown };
    own.toTerraform = () => {
      json = Object.getPrototypeOf(stack).toTerraform.call(stack);
      return {};
    };
    try {
      original.call(this, session);
    } finally {
      delete own.toTerraform;
    }
    // Undefined when cdktf wrote HCL instead (SYNTH_HCL_OUTPUT), which never calls toTerraform.
    if (json !== undefined) fs.writeFileSync(path.join(session.outdir, session.manifest.forStack(stack).synthesizedStackPath), stableJson(json));
  };
  WRAPPED.add(synthesizer);
}

const WRAPPED = new WeakSet<object>();

/**
 * cdktf's toTerraform, minus repeated work: elements prepared in this synth
 * are not resolved again, plain data is not handed to cdktf's resolver, and
 * the merged document (resolved parts only) is not resolved a final time.
 * Stack-level overrides are merged as cdktf merges them (`undefined` deletes,
 * a numeric key merges into an array element) and resolved after merging.
 */
export function fastToTerraform(stack: TerraformStack): Record<string, unknown> {
  const { deepMerge, isExpression } = internals();
  // The cache serves only the toTerraform right after prepareStack: a later
  // call (Testing.synth, a second synth) sees the stack as it is then.
  const prepared = PREPARED.get(stack) ?? new Map<TerraformElement, unknown>();
  PREPARED.delete(stack);
  const resolve = (value: unknown) => fastResolve(value, { scope: stack, preparing: false, resolver: new TrackingResolver(isExpression) });
  const elements = elementsOf(stack);
  const internal = stack as unknown as { rawOverrides: Record<string, unknown>; cdktfVersion: string };
  const rawOverrides = internal.rawOverrides;
  const metadata: Record<string, unknown> = {
    version: internal.cdktfVersion,
    stackName: stack.node.id,
    backend: "local",
    ...(Object.keys(rawOverrides).length > 0 ? { overrides: { stack: Object.keys(rawOverrides) } } : {}),
  };
  for (const element of elements) deepMerge(metadata, resolve(element.toMetadata()));
  const outputs: Record<string, unknown> = {};
  for (const element of elements) {
    if (!TerraformOutput.isTerraformOutput(element)) continue;
    const nested = element.node.path.split("/").reduceRight<Record<string, unknown>>((inner, part) => ({ [part]: Object.keys(inner).length === 0 ? element.friendlyUniqueId : inner }), {});
    deepMerge(outputs, nested);
  }
  const tf: Record<string, unknown> = { "//": { metadata, outputs } };
  for (const element of elements) {
    deepMerge(tf, prepared.has(element) ? prepared.get(element) : resolve(element.toTerraform()));
  }
  mergeOverrides(tf, rawOverrides, resolve);
  return tf;
}

/**
 * cdktf's deepMerge of raw overrides into resolved JSON followed by a resolve
 * of the result, done leaf by leaf so that the resolved part is not walked
 * again: objects merge recursively (a numeric key merges into an array
 * element), arrays concatenate, `undefined` deletes, a resolvable replaces.
 */
function mergeOverrides(target: Record<string, unknown>, source: Record<string, unknown>, resolve: (value: unknown) => unknown): void {
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      if (typeof target[key] !== "object") target[key] = {};
      if (Tokenization.isResolvable(value)) {
        setOrDelete(target, key, resolve(value));
        continue;
      }
      mergeOverrides(target[key] as Record<string, unknown>, value as Record<string, unknown>, resolve);
    } else if (Array.isArray(value)) {
      const resolved = resolve(value) as unknown[];
      target[key] = Array.isArray(target[key]) ? [...(target[key] as unknown[]), ...resolved] : resolved;
    } else if (value === undefined) {
      delete target[key];
    } else {
      setOrDelete(target, key, resolve(value));
    }
  }
}

function setOrDelete(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}
