/**
 * What the capacity benchmark and the soak test share: a case worker process whose RSS and CPU
 * can be read from /proc, an HTTP client of the API with keep-alive, and case creation and
 * commands through the API (real workflows, real codec, real read model).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { freePort, spawnScript, waitFor, type StackProcess } from '../tests/support/processes';
import { WORKER_PROCESS_ENV } from '../infra/worker-process';
import { caseWorkflowId } from '../domain/case-messages';

export { forEachLimited } from '../infra/for-each-limited';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ is 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** A worker process under measurement. */
export interface MeasuredWorker {
  proc: StackProcess;
  pid: number;
  /** Resident set size now, in MB. */
  rssMb(): number;
  /** User + system CPU the process has used so far, in ms (10 ms resolution). */
  cpuMs(): number;
  /** A Temporal worker metric (summed over its label sets), or undefined when not exported. */
  metric(name: string): Promise<number | undefined>;
  stop(): Promise<void>;
}

/** Resident set size of a process in MB, from /proc. */
export function rssMbOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces), from state (field 3) on. */
function statFields(pid: number | string): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** User + system CPU of a process in ms, from /proc (all its threads). */
export function cpuMsOf(pid: number): number {
  const fields = statFields(pid);
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/**
 * CPU of a process and its children in ms: its own, its exited children's (which it waited for)
 * and its live children's. For PostgreSQL's postmaster, whose backends do the work.
 */
export function treeCpuMsOf(pid: number): number {
  const fields = statFields(pid);
  let ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const child = statFields(entry);
      if (Number(child[1]) === pid) ticks += Number(child[11]) + Number(child[12]);
    } catch {
      // Exited meanwhile: its time is in the parent's children counters once reaped.
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** A Temporal metric of the worker serving Prometheus at `metricsAddress` (summed over its label sets), or undefined when not exported. */
export async function workerMetric(metricsAddress: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(`http://${metricsAddress}/metrics`)).text();
  let total: number | undefined;
  for (const line of text.split('\n')) {
    // Counters carry a _total suffix in Prometheus' text format.
    const series = line.slice(0, line.search(/[{ ]/));
    if (series === name || series === `${name}_total`) total = (total ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** Starts `workers/worker.ts` with the stack's settings plus `extra`, and waits until it runs (its own log line, not a stale poller). */
export async function startMeasuredWorker(env: Record<string, string>, extra: Record<string, string>): Promise<MeasuredWorker> {
  const metricsAddress = `127.0.0.1:${await freePort()}`;
  const proc = spawnScript('workers/worker.ts', { ...WORKER_PROCESS_ENV, ...env, TEMPORAL_WORKER_METRICS_ADDRESS: metricsAddress, ...extra });
  await waitFor(async () => proc.output().includes('RUNNING'), 'worker running', 120_000, proc);
  const pid = proc.child.pid;
  if (pid === undefined) throw new Error('the worker has no pid');
  return {
    proc,
    pid,
    rssMb: () => rssMbOf(pid),
    cpuMs: () => cpuMsOf(pid),
    metric: (name) => workerMetric(metricsAddress, name),
    stop: () => proc.stop(),
  };
}

/** Waits until the worker's RSS stops moving (within 1 % over `quietMs`), and returns it. */
export async function settledRssMb(worker: MeasuredWorker, quietMs = 3_000): Promise<number> {
  let previous = worker.rssMb();
  for (let round = 0; round < 20; round++) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = worker.rssMb();
    if (Math.abs(now - previous) <= previous * 0.01) return now;
    previous = now;
  }
  return previous;
}

/** A JSON-over-HTTP client of the API with keep-alive (fetch adds about a millisecond per call). */
export function apiClient(baseUrl: string, maxSockets: number) {
  const agent = new HttpAgent({ keepAlive: true, maxSockets });
  const call = (method: string, url: string, auth: string, body?: unknown, headers: Record<string, string> = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const request = httpRequest(
        `${baseUrl}${url}`,
        {
          method,
          agent,
          headers: { authorization: auth, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...headers },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = response.statusCode ?? 0;
            if (status < 200 || status >= 300) reject(new Error(`${method} ${url} → ${status}: ${text}`));
            else resolve(JSON.parse(text) as Record<string, unknown>);
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  return {
    /** Any JSON request: resolves with the body of a 2xx answer, rejects with the status and body otherwise. */
    call,
    /** Starts a case on the reference pathway in Grosseto (its workflow starts after the answer). */
    startCase: async (auth: string) =>
      ((await call('POST', '/cases', auth, { pathwayKey: 'oss-integrated-pathway', areaId: 'grosseto', data: { targetGroup: 'homeless' } }, { 'idempotency-key': randomUUID() })) as { caseId: string }).caseId,
    /** Adds a note: one Update through the API (executeCaseCommand), answered once projected. */
    addNote: (auth: string, caseId: string, text: string) => call('POST', `/cases/${caseId}/notes`, auth, { text }, { 'idempotency-key': randomUUID() }),
    close: () => agent.destroy(),
  };
}

/** A pathway of `steps` one-field tasks for the front desk, one after another: completions back to back on one case. */
export function chainPathway(key: string, steps: number) {
  const t = (it: string) => ({ it, en: it });
  const all: Record<string, unknown> = { done: { kind: 'end', title: t('Fine'), outcome: 'autonomy' } };
  for (let i = 1; i <= steps; i++) {
    all[`s${i}`] = {
      kind: 'task',
      title: t(`Passo ${i}`),
      assignee: { service: 'oss' },
      form: { fields: [{ key: 'note', label: t('Nota'), type: 'text' }] },
      deadline: { amount: 5, unit: 'calendarDays' },
      next: i < steps ? `s${i + 1}` : 'done',
    };
  }
  return { key, title: t('Catena di passi'), start: 's1', steps: all };
}

const { EventType } = temporal.api.enums.v1;

/** For each update a history records: the time from its workflow task's start to that task's completion (ms). */
export function updateTaskTimes(history: temporal.api.history.v1.IHistory): number[] {
  const millis = (event: temporal.api.history.v1.IHistoryEvent) => Number(event.eventTime?.seconds ?? 0) * 1000 + (event.eventTime?.nanos ?? 0) / 1e6;
  const times: number[] = [];
  let started: number | undefined;
  let completed: number | undefined;
  for (const event of history.events ?? []) {
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) started = millis(event);
    else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) completed = millis(event);
    // The accepted update follows the completion of the task that ran its handler.
    else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED && started !== undefined && completed !== undefined) {
      times.push(completed - started);
      started = undefined;
    }
  }
  return times;
}

/** Waits (untimed, up to five minutes) until the case's workflow exists and has completed its first workflow task. */
export async function caseWorkflowReady(client: Client, caseId: string): Promise<void> {
  // Minutes: after (c) thousands of new cases may still wait for their workflow (the API's start sweep
  // takes them oldest first), and the worker for their first tasks.
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    try {
      // Started, scheduled, started, completed: the first workflow task is done.
      if ((await client.workflow.getHandle(caseWorkflowId(caseId)).describe()).historyLength >= 4) return;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`the workflow of case ${caseId} did not start`);
}

/** Milliseconds since a `process.hrtime.bigint()` reading. */
export const msSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** Percentile of sorted values (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** p50, p99 and count of a set of samples. */
export interface Stats {
  p50: number;
  p99: number;
  n: number;
}

/** p50 and p99 of unsorted samples. */
export function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
}

