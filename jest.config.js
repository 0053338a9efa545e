/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.(t|j)sx?$": "<rootDir>/jest.transform.js" },
  // jose ships ESM only; transform it to CommonJS for jest's module system.
  transformIgnorePatterns: ["/node_modules/(?!jose/)"],
  // Synthesizing stacks is CPU-bound; two workers match the two cores we target.
  maxWorkers: 2,
  testTimeout: 60000,
  // Longest suites first (known ones even on a fresh clone, without jest's timings).
  testSequencer: "<rootDir>/__tests__/helpers/sequencer.js",
  // Builds the prebuilt function zips the library reads when missing or stale,
  // and makes a per-run cache of synthesized deployments shared by the workers.
  globalSetup: "<rootDir>/__tests__/helpers/global-setup.js",
  globalTeardown: "<rootDir>/__tests__/helpers/global-teardown.js",
  setupFiles: ["<rootDir>/__tests__/helpers/setup.ts"],
  // cdktf, constructs, the providers, zod and yaml loaded once per worker, not per test file.
  runtime: "<rootDir>/__tests__/helpers/shared-modules-runtime.js",
};
