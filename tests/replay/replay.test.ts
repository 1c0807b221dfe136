/**
 * Replays recorded case histories against today's workflow code: a change that would break cases
 * already running in production fails here first.
 */
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const recorded = path.join(__dirname, 'histories', 'oss-reference-to-joint-plan.json');
// Stored as proto3 JSON (historyToJSON); the replay worker parses it.
const history: unknown = JSON.parse(readFileSync(recorded, 'utf8'));

beforeAll(() => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
});

describe('recorded histories', () => {
  it('replay without nondeterminism on the current workflow code', async () => {
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('ERROR') });
    await expect(Worker.runReplayHistory({ workflowBundle }, history, 'recorded-oss-case')).resolves.toBeUndefined();
  }, 60_000);

  it('fail with a determinism violation on an incompatible change (the test can fail)', async () => {
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/incompatible-workflow'), logger: new DefaultLogger('ERROR') });
    await expect(Worker.runReplayHistory({ workflowBundle }, history, 'recorded-oss-case')).rejects.toBeInstanceOf(DeterminismViolationError);
  }, 60_000);
});
