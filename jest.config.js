/* global module -- CommonJS config read by jest */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$|^.+\\.mjs$': ['@swc/jest'] },
  // jose 6, cookie 2 (light-my-request, behind app.inject) and content-disposition 3 (@fastify/static, under swagger-ui) ship
  // ESM only; jest's CommonJS sandbox cannot load them untransformed, so swc compiles them like our code.
  transformIgnorePatterns: ['/node_modules/(?!(cookie|content-disposition|jose)/)'],
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  testTimeout: 60_000,
  // One PostgreSQL and one Temporal dev server for the whole run (skipped when TEST_DATABASE_URL /
  // TEMPORAL_TEST_ADDRESS already point at servers); test files reach them via tests/support/stack.ts.
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
  // Temporal's native bridge and embedded PostgreSQL are real processes: give them time to stop.
  openHandlesTimeout: 5_000,
};
