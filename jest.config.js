// ESM jest config: test files are TypeScript compiled by ts-jest in ESM mode.
/** @type {import('jest').Config} */
export default {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: { "^.+\\.ts$": ["ts-jest", { useESM: true, tsconfig: "test/tsconfig.json" }] },
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  testTimeout: 60000,
  globalSetup: "<rootDir>/test/helpers/global-setup.js",
  setupFilesAfterEnv: ["<rootDir>/test/helpers/setup.ts"],
};
