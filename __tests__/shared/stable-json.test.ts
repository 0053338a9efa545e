import { stableJson } from "../../lib/shared/stable-json";

// cdktf writes stacks with json-stable-stringify (its own dependency, 1.3.0);
// the fast path's writer must give the same text. Whole deployments are
// compared in stack-json.test.ts; these are the corners.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdktfStringify = require(require.resolve("json-stable-stringify", { paths: [require.resolve("cdktf")] })) as (v: unknown, o: { space: number }) => string;

describe("stableJson", () => {
  const cases: [string, unknown][] = [
    ["empty object and array", { a: {}, b: [], c: [[]], d: [{}] }],
    ["undefined, functions and symbols", { a: undefined, b: () => 1, c: [undefined, () => 1, Symbol("s")], d: null }],
    ["key order, numeric-looking and unicode keys", { b: 1, a: 2, 10: "x", 9: "y", "é": 3, Z: 4, "": 5, "a b": 6 }],
    ["strings that need escaping", { s: 'quote " backslash \\ newline \n tab \t ${x} \u2028 \u0001' }],
    ["numbers", { n: [0, -0, 1.5, -2e-7, 1e21, NaN, Infinity, Number.MAX_SAFE_INTEGER] }],
    ["toJSON", { d: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), t: { toJSON: () => ({ z: 1, y: [2] }) } }],
    ["deep nesting", { a: { b: { c: { d: [1, { e: [true, false, "f"] }] } } } }],
    ["scalars at the root", 42],
    ["a string at the root", "text"],
    ["an array at the root", [3, { b: 1, a: 2 }]],
  ];
  it.each(cases)("writes exactly what json-stable-stringify writes: %s", (_name, value) => {
    const expected = cdktfStringify(value, { space: 2 });
    expect(typeof expected).toBe("string");
    expect(stableJson(value)).toBe(expected);
  });

  it("rejects a circular object, as json-stable-stringify does", () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = { back: a };
    expect(() => cdktfStringify(a, { space: 2 })).toThrow(TypeError);
    expect(() => stableJson(a)).toThrow(new TypeError("Converting circular structure to JSON"));
  });

  it("writes a repeated (not circular) object each time", () => {
    const shared = { k: [1] };
    const value = { a: shared, b: shared, c: [shared, shared] };
    expect(stableJson(value)).toBe(cdktfStringify(value, { space: 2 }));
  });
});
