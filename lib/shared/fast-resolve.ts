import { ITokenResolver, Tokenization } from "cdktf";
import type { IConstruct } from "constructs";

export interface FastResolveOptions {
  readonly scope: IConstruct;
  readonly preparing: boolean;
  readonly resolver: ITokenResolver;
}

/**
 * Resolves `value` as `Tokenization.resolve` does, walking plain data itself
 * and handing cdktf only the parts that may hold a token.
 *
 * cdktf's resolver builds a fresh context (closures, a copied path) for every
 * value it visits and runs its token regular expressions on every string; a
 * stack's configuration is mostly plain strings, numbers and objects, where
 * that work changes nothing. The tests compare whole stacks against cdktf.
 *
 * A subtree goes to cdktf unchanged when it may hold a token:
 * - a string with a brace (token markers `${TfToken[…]}`, `#{…}`, `&{…}`, and
 *   literal `${…}` escapes that cdktf rewrites) or that reads like an encoded
 *   number token in a string (digits followed by `e`, as in `-1.8e+289`);
 * - a number beyond 1e250 (token numbers are encoded as doubles near 1e289),
 *   NaN, or one of cdktf's map-token marker values;
 * - an array with such an element (cdktf resolves list tokens as a whole);
 * - an object with such a key, or that is not a plain object (resolvables,
 *   constructs, dates and anything else cdktf knows how to treat).
 * Plain data keeps cdktf's semantics: `undefined` values are dropped from
 * objects and arrays.
 */
export function fastResolve(value: unknown, options: FastResolveOptions): unknown {
  const slow = (v: unknown) => Tokenization.resolve(v, options);
  const walk = (v: unknown): unknown => {
    switch (typeof v) {
      case "undefined":
        return undefined;
      case "boolean":
        return v;
      case "string":
        return isPlainString(v) ? v : slow(v);
      case "number":
        return isPlainNumber(v) ? v : slow(v);
      case "object": {
        if (v === null) return null;
        if (Array.isArray(v)) {
          if (!v.every(isPlainScalarOrContainer)) return slow(v);
          const out: unknown[] = [];
          for (const item of v) {
            const resolved = walk(item);
            if (resolved !== undefined) out.push(resolved);
          }
          return out;
        }
        if (!isPlainObject(v)) return slow(v);
        const keys = Object.keys(v);
        if (!keys.every(isPlainString)) return slow(v);
        const out: Record<string, unknown> = {};
        for (const key of keys) {
          const resolved = walk((v as Record<string, unknown>)[key]);
          if (resolved !== undefined) out[key] = resolved;
        }
        return out;
      }
      default:
        return slow(v);
    }
  };
  return walk(value);
}

/** Strings the number-token pattern of cdktf cannot match, and with no brace. */
const NEEDS_CDKTF = /[{}]|[-|\d.+]e[-|\d.eE+]/;
const STRING_MAP_MARKERS = new Set(["String Map Token Value", "Any Map Token Value"]);
const NUMBER_MAP_MARKER = -123456789;

function isPlainString(s: string): boolean {
  return !NEEDS_CDKTF.test(s) && !STRING_MAP_MARKERS.has(s);
}

function isPlainNumber(n: number): boolean {
  return Math.abs(n) < 1e250 && n !== NUMBER_MAP_MARKER;
}

/** What may stand in an array walked here: everything but token scalars (list tokens). */
function isPlainScalarOrContainer(v: unknown): boolean {
  if (typeof v === "string") return isPlainString(v);
  if (typeof v === "number") return isPlainNumber(v);
  return true;
}

/**
 * An object literal (or a null-prototype object) from any realm: its
 * prototype is null or an `Object.prototype`, which has no prototype itself.
 * Not `=== Object.prototype`, which would send objects made in another realm
 * (a vm context, a jest sandbox) to cdktf's slower resolve for nothing.
 */
function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  if (proto !== null && Object.getPrototypeOf(proto) !== null) return false;
  return typeof (v as { resolve?: unknown }).resolve !== "function";
}
