// Jest transform: TypeScript (and jose's ESM) to CommonJS with esbuild.
// Type-stripping only, like any fast transform; `npm run typecheck` checks types.
// (A native swc transform is not installable from every registry mirror: its
// platform packages are optional and some mirrors lack them, breaking `npm ci`.)
const { transformSync } = require("esbuild");

module.exports = {
  process(source, filename) {
    const result = transformSync(source, {
      loader: filename.endsWith(".ts") ? "ts" : "js",
      format: "cjs",
      target: "node20",
      sourcefile: filename,
      sourcemap: "inline",
    });
    return { code: result.code };
  },
};
