/**
 * The text cdktf writes for a stack, `json-stable-stringify(value, { space: 2 })`
 * (version 1.3.0, as cdktf 0.21.0 pins it), byte for byte and several times
 * faster: keys in default sort order, two-space indentation, `toJSON` honoured,
 * `undefined` and functions left out of objects and `null` in arrays, an empty
 * object or array written with its line break (`{\n}`), as that library does.
 * Used only on the opt-in fast path (fast-synthesis.ts); a test compares the
 * two on whole deployments and on edge cases.
 */
export function stableJson(value: unknown): string {
  const indents: string[] = [];
  const indentOf = (level: number): string => (indents[level] ??= `\n${"  ".repeat(level)}`);
  const seen = new Set<object>();
  const write = (node: unknown, level: number): string | undefined => {
    if (node && typeof (node as { toJSON?: unknown }).toJSON === "function") node = (node as { toJSON: () => unknown }).toJSON();
    if (node === undefined) return undefined;
    if (typeof node !== "object" || node === null) return JSON.stringify(node);
    const indent = indentOf(level);
    const inner = indentOf(level + 1);
    let out = "";
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        out += `${i === 0 ? "" : ","}${inner}${write(node[i], level + 1) || "null"}`;
      }
      return `[${out}${indent}]`;
    }
    if (seen.has(node)) throw new TypeError("Converting circular structure to JSON");
    seen.add(node);
    const keys = Object.keys(node).sort();
    let first = true;
    for (const key of keys) {
      const text = write((node as Record<string, unknown>)[key], level + 1);
      if (!text) continue;
      out += `${first ? "" : ","}${inner}${JSON.stringify(key)}: ${text}`;
      first = false;
    }
    seen.delete(node);
    return `{${out}${indent}}`;
  };
  return write(value, 0) as string;
}
