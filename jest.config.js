/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // swc strips types without type-checking; `npm run typecheck` covers types.
  transform: {
    "^.+\\.(t|j)sx?$": ["@swc/jest", { jsc: { target: "es2022" }, module: { type: "commonjs" } }],
  },
  // jose ships ESM only; let swc turn it into CommonJS for jest's module system.
  transformIgnorePatterns: ["/node_modules/(?!jose/)"],
  // Synthesizing stacks is CPU-bound; two workers match the two cores we target.
  maxWorkers: 2,
  testTimeout: 60000,
};
