import { loadConfig } from '../../infra/config';
import {
  CACHED_CASE_MB,
  MAX_CONCURRENT_WORKFLOW_TASKS,
  MIN_CACHED_WORKFLOWS,
  WORKER_BASE_MB,
  maxCachedWorkflowsFor,
  memoryBudgetForCases,
  workerCacheSettings,
  workflowCacheOptions,
} from '../../workers/worker-cache-budget';

const MB = 2 ** 20;

describe('worker cache sized from its memory budget', () => {
  it('holds what the budget leaves after the base, at the measured cost per case', () => {
    expect(maxCachedWorkflowsFor(2048)).toBe(Math.floor((2048 - WORKER_BASE_MB) / CACHED_CASE_MB));
    // A worker at its full cache stays within its budget.
    for (const budget of [512, 1024, 4096, 16_384]) {
      expect(WORKER_BASE_MB + maxCachedWorkflowsFor(budget) * CACHED_CASE_MB).toBeLessThanOrEqual(budget);
    }
  });

  it('never goes below a working minimum, however small the budget', () => {
    expect(maxCachedWorkflowsFor(WORKER_BASE_MB)).toBe(MIN_CACHED_WORKFLOWS);
    expect(maxCachedWorkflowsFor(128)).toBe(MIN_CACHED_WORKFLOWS);
  });

  it('gives the budget that holds a caseload (the benchmark sizes its workers with it)', () => {
    for (const cases of [100, 1_250, 5_000, 20_000]) {
      expect(maxCachedWorkflowsFor(memoryBudgetForCases(cases))).toBeGreaterThanOrEqual(cases);
      expect(maxCachedWorkflowsFor(memoryBudgetForCases(cases) - 1)).toBeLessThan(cases);
    }
  });

  it('runs no more workflow tasks at once than the cache holds, nor more than the single workflow thread can use', () => {
    expect(workflowCacheOptions(4096).maxConcurrentWorkflowTaskExecutions).toBe(MAX_CONCURRENT_WORKFLOW_TASKS);
    expect(workflowCacheOptions(128)).toEqual({ maxCachedWorkflows: MIN_CACHED_WORKFLOWS, maxConcurrentWorkflowTaskExecutions: MIN_CACHED_WORKFLOWS });
  });

  it('defaults to the V8 heap limit and never exceeds it', () => {
    expect(workerCacheSettings(undefined, 4096 * MB)).toMatchObject({ budgetMb: 4096, clampedToHeap: false, maxCachedWorkflows: maxCachedWorkflowsFor(4096) });
    expect(workerCacheSettings(1024, 4096 * MB)).toMatchObject({ budgetMb: 1024, clampedToHeap: false });
    expect(workerCacheSettings(8192, 4096 * MB)).toMatchObject({ budgetMb: 4096, clampedToHeap: true });
  });

  it('reads WORKER_MEMORY_BUDGET_MB from the environment, refusing nonsense', () => {
    expect(loadConfig({ WORKER_MEMORY_BUDGET_MB: '2048' }).workerMemoryBudgetMb).toBe(2048);
    expect(loadConfig({}).workerMemoryBudgetMb).toBeUndefined();
    expect(() => loadConfig({ WORKER_MEMORY_BUDGET_MB: '64' })).toThrow(/WORKER_MEMORY_BUDGET_MB: must be at least 128/);
    expect(() => loadConfig({ WORKER_MEMORY_BUDGET_MB: 'lots' })).toThrow(/WORKER_MEMORY_BUDGET_MB/);
  });
});
