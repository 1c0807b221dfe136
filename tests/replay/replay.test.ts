/**
 * Replays recorded case histories against today's workflow code: a change that would break cases
 * already running in production fails here first.
 */
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { workflowBundlerOptions } from '../../workers/worker';

// Stored as proto3 JSON (historyToJSON); the replay worker parses it. Four recorded by
// tests/replay/record-history.ts (the reference pathway to the joint plan; the second since search
// attributes index only stable values; the third since commands carry their sent time, the last
// code to ask each patch in a new run; the fourth since a new run asks one patch for all of them),
// one by tests/replay/record-supervision-history.ts
// (interventions, a referral, a migration, a transfer).
const histories = [
  'oss-reference-to-joint-plan.json',
  'oss-reference-stable-search-attributes.json',
  'oss-reference-commands-at-sent-time.json',
  'oss-reference-patches-of-2026-12.json',
  'supervision-interventions-referral-migration.json',
].map((file) => ({
  file,
  history: JSON.parse(readFileSync(path.join(__dirname, 'histories', file), 'utf8')) as unknown,
}));

beforeAll(() => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
});

describe('recorded histories', () => {
  let current: WorkflowBundleWithSourceMap;
  let incompatible: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    current = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('ERROR'), ...workflowBundlerOptions });
    incompatible = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/incompatible-workflow'), logger: new DefaultLogger('ERROR') });
  }, 120_000);

  it.each(histories)('$file replays without nondeterminism on the current workflow code', async ({ file, history }) => {
    await expect(Worker.runReplayHistory({ workflowBundle: current }, history, `recorded-${file}`)).resolves.toBeUndefined();
  }, 60_000);

  it.each(histories)('$file fails with a determinism violation on an incompatible change (the test can fail)', async ({ file, history }) => {
    await expect(Worker.runReplayHistory({ workflowBundle: incompatible }, history, `recorded-${file}`)).rejects.toBeInstanceOf(DeterminismViolationError);
  }, 60_000);
});
