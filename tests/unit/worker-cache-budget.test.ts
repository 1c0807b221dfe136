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
    // 2048 MB less the 500 MB base leaves 1548 MB: 3870 cases at 0.4 MB each.
    expect(maxCachedWorkflowsFor(2048)).toBe(3870);
    // A worker at its full cache stays within its budget.
    for (const budget of [512, 1024, 4096, 16_384]) {
      expect(WORKER_BASE_MB + maxCachedWorkflowsFor(budget) * CACHED_CASE_MB).toBeLessThanOrEqual(budget);
    }
  });

  it('never goes below a working minimum, however small the budget', () => {
    expect(MIN_CACHED_WORKFLOWS).toBe(10);
    expect(maxCachedWorkflowsFor(WORKER_BASE_MB)).toBe(10);
    expect(maxCachedWorkflowsFor(128)).toBe(10);
  });

  it('gives the budget that holds a caseload (the benchmark sizes its workers with it)', () => {
    for (const cases of [100, 1_250, 5_000, 20_000]) {
      expect(maxCachedWorkflowsFor(memoryBudgetForCases(cases))).toBeGreaterThanOrEqual(cases);
      expect(maxCachedWorkflowsFor(memoryBudgetForCases(cases) - 1)).toBeLessThan(cases);
    }
    // 500 MB of base and 5000 cases at 0.4 MB.
    expect(memoryBudgetForCases(5_000)).toBe(2_500);
  });

  it('runs no more workflow tasks at once than the cache holds, nor more than the single workflow thread can use', () => {
    expect(MAX_CONCURRENT_WORKFLOW_TASKS).toBe(20);
    expect(workflowCacheOptions(4096)).toEqual({ maxCachedWorkflows: 8990, maxConcurrentWorkflowTaskExecutions: 20, maxConcurrentWorkflowTaskPolls: 16, nonStickyToStickyPollRatio: 0.5 });
    expect(workflowCacheOptions(128)).toEqual({ maxCachedWorkflows: 10, maxConcurrentWorkflowTaskExecutions: 10, maxConcurrentWorkflowTaskPolls: 8, nonStickyToStickyPollRatio: 0.5 });
  });

  it('defaults to the V8 heap limit and never exceeds it', () => {
    expect(workerCacheSettings(undefined, 4096 * MB)).toEqual({ budgetMb: 4096, clampedToHeap: false, maxCachedWorkflows: 8990, maxConcurrentWorkflowTaskExecutions: 20, maxConcurrentWorkflowTaskPolls: 16, nonStickyToStickyPollRatio: 0.5 });
    expect(workerCacheSettings(1024, 4096 * MB)).toEqual({ budgetMb: 1024, clampedToHeap: false, maxCachedWorkflows: 1310, maxConcurrentWorkflowTaskExecutions: 20, maxConcurrentWorkflowTaskPolls: 16, nonStickyToStickyPollRatio: 0.5 });
    expect(workerCacheSettings(8192, 4096 * MB)).toEqual({ budgetMb: 4096, clampedToHeap: true, maxCachedWorkflows: 8990, maxConcurrentWorkflowTaskExecutions: 20, maxConcurrentWorkflowTaskPolls: 16, nonStickyToStickyPollRatio: 0.5 });
  });

  it('reads WORKER_MEMORY_BUDGET_MB from the environment, refusing nonsense', () => {
    expect(loadConfig({ WORKER_MEMORY_BUDGET_MB: '2048' }).workerMemoryBudgetMb).toBe(2048);
    expect(loadConfig({}).workerMemoryBudgetMb).toBeUndefined();
    expect(() => loadConfig({ WORKER_MEMORY_BUDGET_MB: '64' })).toThrow(/WORKER_MEMORY_BUDGET_MB: must be at least 128/);
    expect(() => loadConfig({ WORKER_MEMORY_BUDGET_MB: 'lots' })).toThrow(/WORKER_MEMORY_BUDGET_MB/);
  });
});
