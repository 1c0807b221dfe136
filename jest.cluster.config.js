/* global module, require -- CommonJS config read by jest */
// `npm run test:cluster`: tests that start a whole Temporal cluster (infra/cluster-stack.ts) with the
// server built by `npm run setup:cluster`. Their files end in .cluster-test.ts so that `npm test`
// (jest.config.js, *.test.ts) never starts a cluster. They start their own PostgreSQL and Temporal:
// no global setup.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest reads CommonJS configs
const { globalSetup: _setup, globalTeardown: _teardown, ...base } = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/tests/cluster/**/*.cluster-test.ts'],
  testTimeout: 300_000,
};
