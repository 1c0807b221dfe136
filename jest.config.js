/* global module -- CommonJS config read by jest */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': ['@swc/jest'] },
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  testTimeout: 60_000,
  // One PostgreSQL and one Temporal dev server for the whole run (skipped when TEST_DATABASE_URL /
  // TEMPORAL_TEST_ADDRESS already point at servers); test files reach them via tests/support/stack.ts.
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
  // Temporal's native bridge and embedded PostgreSQL are real processes: give them time to stop.
  openHandlesTimeout: 5_000,
};
