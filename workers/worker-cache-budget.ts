/**
 * How many case workflows one worker keeps in its cache: as many as its memory budget holds, at
 * the per-case cost `npm run bench:capacity` measures. A worker whose cache is full evicts the
 * least recently used case and replays it from history when it is needed again, so the budget
 * bounds the worker's memory whatever the caseload; only the latency of cold cases grows.
 */
import v8 from 'node:v8';

/** Worker RSS with an empty cache (runtime, bundler leftovers, SDK core, pools, dispatcher): 485 MB measured. */
export const WORKER_BASE_MB = 500;
/**
 * RSS per cached open case, in MB: `npm run bench:capacity` measured 0.205 MB over 4,900 cases of the
 * reference pathway; twice that leaves room for larger pathways and longer case states.
 */
export const CACHED_CASE_MB = 0.4;
/** Below this the worker would spend its time replaying; Temporal needs at least 2. */
export const MIN_CACHED_WORKFLOWS = 10;
/**
 * Workflow tasks run at once. The workflow thread is one (reuseV8Context), so more slots only queue
 * inside the worker while each holds a decoded history in memory.
 */
export const MAX_CONCURRENT_WORKFLOW_TASKS = 20;

/** Default budget: the V8 heap limit of this process (`--max-old-space-size`), in MB. */
function defaultMemoryBudgetMb(heapSizeLimitBytes: number): number {
  return Math.floor(heapSizeLimitBytes / 2 ** 20);
}

/** The cache size for a memory budget: what is left after the worker's base, divided by the cost of one case. */
export function maxCachedWorkflowsFor(budgetMb: number): number {
  return Math.max(MIN_CACHED_WORKFLOWS, Math.floor((budgetMb - WORKER_BASE_MB) / CACHED_CASE_MB));
}

/** The smallest budget whose cache holds `cases` (the benchmark uses it to size a worker's cache). */
export function memoryBudgetForCases(cases: number): number {
  return Math.ceil(WORKER_BASE_MB + cases * CACHED_CASE_MB);
}

/**
 * Share of the workflow-task pollers on the task queue's normal (non-sticky) partition. The SDK's
 * 0.2 suits a worker holding every case; past its cache most tasks are cold cases and new cases, which
 * only that partition hands out: with 2 of 10 pollers there, a loaded server's slow polls let a soak's
 * backlog of first tasks drain at about 1 per second while the worker idled.
 */
export const NON_STICKY_POLL_RATIO = 0.5;

/** Worker options that follow from a budget: the cache, no more concurrent tasks than the cache holds, and pollers for them. */
export function workflowCacheOptions(budgetMb: number): {
  maxCachedWorkflows: number;
  maxConcurrentWorkflowTaskExecutions: number;
  maxConcurrentWorkflowTaskPolls: number;
  nonStickyToStickyPollRatio: number;
} {
  const maxCachedWorkflows = maxCachedWorkflowsFor(budgetMb);
  const maxConcurrentWorkflowTaskExecutions = Math.max(2, Math.min(MAX_CONCURRENT_WORKFLOW_TASKS, maxCachedWorkflows));
  // Temporal's guidance starts at half the task slots; polls of a loaded server are slow, so most of them.
  return {
    maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions,
    maxConcurrentWorkflowTaskPolls: Math.max(2, Math.ceil(maxConcurrentWorkflowTaskExecutions * 0.8)),
    nonStickyToStickyPollRatio: NON_STICKY_POLL_RATIO,
  };
}

/**
 * The cache and task slots for a budget (default: the V8 heap limit), never above that limit: the
 * cached cases live in the heap, so a larger budget would end in an out-of-memory crash, not in evictions.
 */
export function workerCacheSettings(memoryBudgetMb: number | undefined, heapSizeLimitBytes = v8.getHeapStatistics().heap_size_limit) {
  const heapMb = defaultMemoryBudgetMb(heapSizeLimitBytes);
  const budgetMb = Math.min(memoryBudgetMb ?? heapMb, heapMb);
  return { budgetMb, clampedToHeap: memoryBudgetMb !== undefined && memoryBudgetMb > heapMb, ...workflowCacheOptions(budgetMb) };
}
