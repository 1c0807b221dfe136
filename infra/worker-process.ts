/**
 * The environment a worker process starts with, beside its configuration. glibc gives each thread
 * that allocates its own malloc arena (up to 8 per core), and the SDK's core adds native threads to
 * Node's: arenas that fragment and hold freed memory. Two arenas kept the soak worker's RSS about
 * 40 MB lower at the same load (peak 505 against 549 MB, 4,000 cases, 350 cached). `npm run worker`
 * and `npm start` set the same; a deployment sets it in the worker's environment.
 */
export const WORKER_PROCESS_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
