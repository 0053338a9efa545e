import { DefaultTokenResolver, Fn, Lazy, StringConcat, TerraformStack, TerraformVariable, Token, Tokenization } from "cdktf";
import { StorageBucket } from "@cdktf/provider-google/lib/storage-bucket";
import * as vm from "vm";
import { fastResolve } from "../../lib/shared/fast-resolve";
import { testApp } from "../helpers/construct";

const resolver = new DefaultTokenResolver(new StringConcat());

function fixture() {
  const app = testApp();
  const stack = new TerraformStack(app, "s");
  const bucket = new StorageBucket(stack, "b", { name: "b", location: "US" });
  const variable = new TerraformVariable(stack, "v", { type: "list(string)" });
  return { stack, bucket, variable };
}

describe("fastResolve", () => {
  const { stack, bucket, variable } = fixture();
  const cases: [string, unknown][] = [
    ["plain nested data, undefined dropped", { a: "x", b: undefined, c: [1, undefined, "y", null, true], d: { e: { f: 2.5 } } }],
    ["a string token", { id: bucket.id }],
    ["a token inside a string", { url: `gs://${bucket.name}/path` }],
    ["a list token", { zones: variable.listValue }],
    ["a number token", { port: Token.asNumber(variable.value) }],
    ["a number token in a string", { text: `port ${Token.asNumber(variable.value)}` }],
    ["a string map token", { labels: Token.asStringMap(variable.value) }],
    ["an any map token", { settings: Token.asAnyMap(variable.value) }],
    ["a token as an object key", { [bucket.name]: "value" }],
    ["a literal Terraform expression (escape)", { expr: "${var.x}", nested: "a ${upper(\"b\")} c" }],
    ["strings that look like numbers", { a: "1e5", b: "-1.8881545897087626e+289", c: "free.example.com", d: "v1.2e3" }],
    ["a Terraform function", { joined: Fn.join(",", variable.listValue) }],
    ["a lazy value", { lazy: Lazy.stringValue({ produce: () => "produced" }), lazyAny: Lazy.anyValue({ produce: () => ({ k: [1, undefined] }) }) }],
    ["braces in plain text", { policy: '{"a": 1}', lone: "}" }],
    ["large and odd numbers", { big: 1e300, small: -1e-300, zero: 0, neg: -123456788 }],
  ];

  it.each(cases)("matches cdktf's resolve: %s", (_name, value) => {
    for (const preparing of [true, false]) {
      const options = { scope: stack, preparing, resolver };
      expect(fastResolve(value, options)).toEqual(Tokenization.resolve(value, options));
    }
  });

  it("raises cdktf's own errors for misuse of tokens", () => {
    const options = { scope: stack, preparing: false, resolver };
    expect(() => fastResolve({ zones: [...Token.asList(variable.value), "us-east1-b"] }, options)).toThrow(/Cannot add elements to list token/);
    expect(() => fastResolve({ s: variable.listValue[0] }, options)).toThrow();
    expect(() => fastResolve({ n: Token.NUMBER_MAP_TOKEN_VALUE }, options)).toThrow();
    expect(() => fastResolve({ s: Token.STRING_MAP_TOKEN_VALUE }, options)).toThrow();
  });

  it("leaves plain data to itself and hands only token-bearing parts to cdktf", () => {
    const spy = jest.spyOn(Tokenization, "resolve");
    try {
      const options = { scope: stack, preparing: false, resolver };
      fastResolve({ name: "sigstore", labels: { a: "b" }, list: ["x", 1, { y: false }] }, options);
      expect(spy).not.toHaveBeenCalled();
      const resolved = fastResolve({ name: "sigstore", ref: bucket.id, list: ["x", { id: bucket.id }] }, options);
      expect(spy).toHaveBeenCalledTimes(2);
      expect(resolved).toEqual({ name: "sigstore", ref: "${google_storage_bucket.b.id}", list: ["x", { id: "${google_storage_bucket.b.id}" }] });
    } finally {
      spy.mockRestore();
    }
  });

  it("walks object literals made in another realm itself too, and still hands class instances to cdktf", () => {
    const spy = jest.spyOn(Tokenization, "resolve");
    try {
      const options = { scope: stack, preparing: false, resolver };
      const foreign = vm.runInNewContext('({ name: "sigstore", labels: { a: "b" }, bare: Object.create(null), list: [{ y: 1 }] })');
      expect(Object.getPrototypeOf(foreign)).not.toBe(Object.prototype);
      expect(fastResolve(foreign, options)).toEqual({ name: "sigstore", labels: { a: "b" }, bare: {}, list: [{ y: 1 }] });
      expect(spy).not.toHaveBeenCalled();
      const instance = vm.runInNewContext("new (class Point { constructor() { this.x = 1; } })()");
      fastResolve({ instance }, options);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});
