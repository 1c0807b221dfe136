/**
 * Preloaded into every workflow thread's shared V8 context (workers/worker.ts) before the SDK
 * freezes its built-ins. The SDK captures a stack trace for every promise a workflow creates (for
 * the `__stack_trace` query, a debugging aid we do not use); a cold replay creates thousands, and the
 * capture was the largest cost of a replay. With no frames to capture the hook costs little.
 */
Error.stackTraceLimit = 0;
export {};
