// ESM jest config: test files are TypeScript compiled by ts-jest in ESM mode.
/** @type {import('jest').Config} */
export default {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: { "^.+\\.ts$": ["ts-jest", { useESM: true, tsconfig: "test/tsconfig.json" }] },
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  // Scratch space (git-ignored) may hold copies of the package; jest must see only this one.
  modulePathIgnorePatterns: ["<rootDir>/tmp/"],
  testTimeout: 60000,
  globalSetup: "<rootDir>/test/helpers/global-setup.js",
  setupFilesAfterEnv: ["<rootDir>/test/helpers/setup.ts"],
};
