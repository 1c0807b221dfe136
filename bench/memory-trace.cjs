/**
 * A preload for a measured process (`NODE_OPTIONS=--require ./bench/memory-trace.cjs`), in every
 * thread it starts: every 5 s a line with the thread's heap and the process's RSS, array buffers and
 * external memory, after a forced full GC every sixth line (`gc`), so a growing live heap can be told
 * from V8 using its headroom and from memory outside the JS heaps. bench/soak.ts uses it with
 * SOAK_TRACE_MEMORY=1.
 */
const v8 = require('node:v8');
const vm = require('node:vm');
const { threadId } = require('node:worker_threads');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const mb = (bytes) => Math.round(bytes / 1048576);
let lines = 0;
setInterval(() => {
  lines += 1;
  const collected = lines % 6 === 0;
  if (collected) gc();
  const m = process.memoryUsage();
  console.log(
    `MEM thread ${threadId}${collected ? ' gc' : ''} rss ${mb(m.rss)} heapUsed ${mb(m.heapUsed)} heapTotal ${mb(m.heapTotal)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)}`,
  );
}, 5_000).unref();
