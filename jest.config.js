/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': ['@swc/jest'] },
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  testTimeout: 60_000,
  // Temporal's native bridge and embedded PostgreSQL are real processes: give them time to stop.
  openHandlesTimeout: 5_000,
};
