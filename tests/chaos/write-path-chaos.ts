/**
 * Chaos test of the write path, on any `ChaosStack` (the embedded stack of chaos-stack.ts, the
 * cluster of cluster-chaos-stack.ts). Commands of every kind (start, claim, complete, reassign,
 * extend, referral accept and outcome, contact, suspend, resume) are sent in bursts, spread over the
 * stack's API instances; at a random instant of each burst the stack's next victim (a worker, an API
 * instance, a Temporal service or server, PostgreSQL, or several at once) is killed with SIGKILL,
 * left down while the cases' one-minute timers fall due, and restarted. A command that got no answer
 * is sent to another API instance with its idempotency key, as a load balancer would. After the
 * restart every case's read model (open tasks, case row, timeline) is compared with its workflow's
 * own state until they agree, with no further command: the time that takes is the convergence time
 * (counted from the restart's start, the time to recover). Then commands that still have no answer
 * are retried with their keys until they have a definite one, as a client would, a keyed repeat of
 * an answered command must answer as the first did, and agreement is checked again.
 *
 * Counted as failures: an acknowledged command whose effect is missing (lost), a transition recorded
 * twice or a timeline with a gap or an extra event (duplicated), a read model that never agrees with
 * its workflow (diverged), and a keyed retry of an answered command answering differently.
 */
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CaseSnapshot } from '../../domain/case-state';
import { caseSnapshotQuery, caseWorkflowId, openTasksQuery } from '../../domain/case-messages';
import type { ChaosStack } from './chaos-stack';

const AREA = 'livorno';
const PATHWAY = 'chaos-pathway';
const users = {
  outreach: `outreach-operator-${AREA}`,
  oss: `oss-operator-${AREA}`,
  social: `social-worker-${AREA}`,
  cpi: `cpi-counsellor-${AREA}`,
  supervisor: `supervisor-${AREA}`,
  coordinator: `coordinator-${AREA}`,
} as const;
type UserId = (typeof users)[keyof typeof users];

const t = (it: string) => ({ it, en: it });
const minutes = (amount: number) => ({ amount, unit: 'minutes' });

/** A short pathway whose clocks run in minutes, so reminders and escalations fall due during outages. */
export const chaosPathway = {
  key: PATHWAY,
  title: t('Percorso di prova del caos'),
  start: 'intake',
  steps: {
    intake: {
      kind: 'task',
      title: t('Accoglienza'),
      assignee: { service: 'oss' },
      form: { fields: [{ key: 'note', label: t('Nota'), type: 'text' }] },
      deadline: minutes(1),
      escalation: [
        { after: minutes(1), role: 'supervisor' },
        { after: minutes(2), role: 'supervisor' },
      ],
      next: 'refer',
    },
    refer: {
      kind: 'referral',
      title: t('Invio al centro per l’impiego'),
      from: 'oss',
      to: { service: 'employment' },
      deadline: minutes(1),
      escalation: [{ after: minutes(1), role: 'supervisor' }],
      rejectionReasons: [{ code: 'not_activable', label: t('Non attivabile') }],
      outcomes: [{ code: 'did_signed', label: t('DID sottoscritta') }],
      next: 'review',
    },
    review: {
      kind: 'task',
      title: t('Riesame'),
      assignee: { service: 'social' },
      deadline: minutes(2),
      reminders: [{ before: minutes(1) }],
      escalation: [{ after: minutes(1), role: 'supervisor' }],
      next: 'done',
    },
    done: { kind: 'end', title: t('Fine'), outcome: 'autonomy' },
  },
};

type CommandKind = 'start' | 'claim' | 'complete' | 'reassign' | 'extend' | 'accept' | 'outcome' | 'contact' | 'suspend' | 'resume';

interface SentCommand {
  kind: CommandKind;
  key: string;
  user: UserId;
  url: string;
  body: unknown;
  caseId: string | null;
  /** The task or referral it acts on. */
  targetId: string | null;
  /** The first definite answer (status), or null while it has none (no answer, or a 5xx). */
  status: number | null;
  answer: unknown;
  /** When each attempt was sent (ISO), for the evidence of a failed run. */
  attempts: string[];
}

export interface ChaosOptions {
  iterations: number;
  /** Cases kept running at once. */
  cases?: number;
  /** Commands in flight at each kill. */
  burst?: number;
  log?: (line: string) => void;
  /** Seconds to wait for a read model to agree with its workflow before calling it diverged. */
  convergenceTimeoutSeconds?: number;
}

/** One iteration's outage and how long the stack took to be whole again. */
export interface ChaosRecovery {
  /** What was killed (`all` when every part was). */
  victim: string;
  /** From the restart's start until the killed parts served again. */
  restartSeconds: number;
  /** From the restart's start until every read model agreed with its workflow, on its own (before any retry). */
  recoverSeconds: number;
}

export interface ChaosReport {
  /** What ran (the stack's description). */
  stack: string;
  iterations: number;
  kills: Record<string, number>;
  commandsInFlightAtKills: number;
  acknowledged: number;
  retried: number;
  /** Commands that got no answer from one API instance and were sent to another with the same key. */
  failedOver: number;
  /** Commands that never got a definite answer, even after the restart (retried until the convergence timeout). */
  unanswered: number;
  timerEventsDuringOutages: number;
  lost: string[];
  duplicated: string[];
  diverged: string[];
  answeredDifferently: string[];
  unexpectedStatuses: Record<string, number>;
  /** The API's own log lines of requests it answered 500 (the first few). */
  serverErrors: string[];
  /** Definite answers by command kind and status, e.g. `complete 200`. */
  answers: Record<string, number>;
  convergenceSeconds: number[];
  recoveries: ChaosRecovery[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

/**
 * Runs the chaos test on `stack` and returns what it counted; never throws for a finding, only for a
 * broken harness. The caller starts the stack and closes it.
 */
export async function runWritePathChaos(stack: ChaosStack, options: ChaosOptions): Promise<ChaosReport> {
  const { iterations, cases: caseCount = 12, burst = 10, log = () => undefined, convergenceTimeoutSeconds = 90 } = options;
  const report: ChaosReport = {
    stack: stack.description,
    iterations: 0,
    kills: {},
    commandsInFlightAtKills: 0,
    acknowledged: 0,
    retried: 0,
    failedOver: 0,
    unanswered: 0,
    timerEventsDuringOutages: 0,
    lost: [],
    duplicated: [],
    diverged: [],
    answeredDifferently: [],
    unexpectedStatuses: {},
    answers: {},
    serverErrors: [],
    convergenceSeconds: [],
    recoveries: [],
  };
  const tokens = new Map<UserId, string>();
  for (const user of Object.values(users)) tokens.set(user, await stack.token(user));
  type Answer = { status: number; body: unknown };
  const sendTo = async (baseUrl: string, command: Pick<SentCommand, 'user' | 'url' | 'body' | 'key'>): Promise<Answer | null> => {
    try {
      const response = await fetch(`${baseUrl}${command.url}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.get(command.user)}`, 'content-type': 'application/json', 'idempotency-key': command.key },
        body: JSON.stringify(command.body ?? {}),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
    } catch {
      return null; // No answer: the connection died with the API, or it timed out.
    }
  };
  let nextInstance = 0;
  /** Round robin over the API instances; no answer from one sends the command to the next, as a load balancer would. */
  const send = async (command: Pick<SentCommand, 'user' | 'url' | 'body' | 'key'> & { attempts?: string[] }): Promise<Answer | null> => {
    command.attempts?.push(new Date().toISOString());
    const first = nextInstance;
    nextInstance = (nextInstance + 1) % stack.apiUrls.length;
    for (let attempt = 0; attempt < stack.apiUrls.length; attempt += 1) {
      if (attempt > 0) report.failedOver += 1;
      const answer = await sendTo(stack.apiUrls[(first + attempt) % stack.apiUrls.length], command);
      // A 5xx comes from a live instance that could not do it now: retried after the restart like any unanswered command.
      if (answer) return answer;
    }
    return null;
  };
  /** Sends until a definite (non-5xx) answer, as a client would after an outage; null if none came before `deadline`. */
  const sendUntilAnswered = async (command: Pick<SentCommand, 'user' | 'url' | 'body' | 'key'>, deadline: number): Promise<Answer | null> => {
    for (;;) {
      const answer = await send(command);
      if ((answer && answer.status < 500) || Date.now() > deadline) return answer;
      if (answer) report.unexpectedStatuses[answer.status] = (report.unexpectedStatuses[answer.status] ?? 0) + 1;
      await sleep(250);
    }
  };

  const publish = await send({ user: users.coordinator, url: '/pathways', body: chaosPathway, key: randomUUID() });
  if (publish?.status !== 201) throw new Error(`could not create the chaos pathway: ${JSON.stringify(publish)}`);
  const published = await send({ user: users.coordinator, url: `/pathways/${PATHWAY}/draft/publish`, body: {}, key: randomUUID() });
  if (published?.status !== 201) throw new Error(`could not publish the chaos pathway: ${JSON.stringify(published)}`);

  const commands: SentCommand[] = [];
  const caseIds = new Set<string>();
  const outages: Array<{ from: Date; to: Date }> = [];

  const record = (command: SentCommand, answer: { status: number; body: unknown } | null) => {
    if (!answer || answer.status >= 500) {
      if (answer) report.unexpectedStatuses[answer.status] = (report.unexpectedStatuses[answer.status] ?? 0) + 1;
      return;
    }
    command.status = answer.status;
    command.answer = answer.body;
    const answerKey = `${command.kind} ${answer.status}`;
    report.answers[answerKey] = (report.answers[answerKey] ?? 0) + 1;
    if (answer.status >= 400 && process.env.CHAOS_DEBUG) console.log(command.kind, command.url, answer.status, JSON.stringify(answer.body).slice(0, 300));
    if (command.kind === 'start' && (answer.status === 201 || answer.status === 200)) {
      command.caseId = (answer.body as { caseId: string }).caseId;
      caseIds.add(command.caseId);
    }
  };

  /** Commands that fit what the read model shows of the case now (a stale view only earns a 4xx). */
  const nextCommands = async (): Promise<SentCommand[]> => {
    const planned: SentCommand[] = [];
    const make = (kind: CommandKind, user: UserId, url: string, body: unknown, caseId: string | null, targetId: string | null): SentCommand => ({
      kind, key: randomUUID(), user, url, body, caseId, targetId, status: null, answer: null, attempts: [],
    });
    const startCase = () => make('start', users.outreach, '/cases', { pathwayKey: PATHWAY, areaId: AREA, data: {} }, null, null);
    const open = [...caseIds];
    const { rows: tasks } = await stack.pool.query<{ task_id: string; case_id: string; step_id: string; status: string; assignee_id: string | null }>(
      `SELECT task_id, case_id, step_id, status, assignee_id FROM tasks WHERE case_id = ANY($1) AND status IN ('open', 'claimed')`,
      [open],
    );
    const { rows: referrals } = await stack.pool.query<{ referral_id: string; case_id: string; status: string }>(
      `SELECT referral_id, case_id, status FROM referrals WHERE case_id = ANY($1) AND status IN ('pending', 'accepted')`,
      [open],
    );
    const { rows: active } = await stack.pool.query<{ case_id: string; status: string }>(`SELECT case_id, status FROM cases WHERE case_id = ANY($1) AND status IN ('active', 'suspended')`, [open]);
    if (active.length < caseCount) planned.push(startCase());
    while (planned.length < burst) {
      const roll = Math.random();
      if (roll < 0.45 && tasks.length > 0) {
        const task = pick(tasks);
        const worker = task.step_id === 'intake' ? users.oss : users.social;
        const url = `/tasks/${task.task_id}`;
        const kind = pick(['claim', 'complete', 'complete', 'reassign', 'extend'] as const);
        if (kind === 'claim') planned.push(make('claim', worker, `${url}/claim`, {}, task.case_id, task.task_id));
        if (kind === 'complete') planned.push(make('complete', worker, `${url}/complete`, { data: task.step_id === 'intake' ? { note: 'ok' } : {} }, task.case_id, task.task_id));
        if (kind === 'reassign') planned.push(make('reassign', users.supervisor, `${url}/reassign`, { assigneeId: worker, reason: 'copertura assenza' }, task.case_id, task.task_id));
        if (kind === 'extend') planned.push(make('extend', users.supervisor, `${url}/extend`, { by: minutes(1), reason: 'in attesa di documenti' }, task.case_id, task.task_id));
      } else if (roll < 0.65 && referrals.length > 0) {
        const referral = pick(referrals);
        const url = `/referrals/${referral.referral_id}`;
        if (referral.status === 'pending') planned.push(make('accept', users.cpi, `${url}/accept`, {}, referral.case_id, referral.referral_id));
        else planned.push(make('outcome', users.cpi, `${url}/outcome`, { outcome: 'did_signed' }, referral.case_id, referral.referral_id));
      } else if (roll < 0.9 && active.length > 0) {
        const kase = pick(active);
        const url = `/cases/${kase.case_id}`;
        const kind = pick(['contact', 'contact', 'suspend', 'resume'] as const);
        if (kind === 'contact') planned.push(make('contact', users.oss, `${url}/contacts`, { outcome: pick(['reached', 'failed_attempt']), channel: 'phone', at: new Date().toISOString() }, kase.case_id, null));
        if (kind === 'suspend') planned.push(make('suspend', users.oss, `${url}/suspend`, { reason: 'irreperibile' }, kase.case_id, null));
        if (kind === 'resume') planned.push(make('resume', users.oss, `${url}/resume`, {}, kase.case_id, null));
      } else {
        planned.push(startCase());
      }
    }
    return planned;
  };

  // A first population, in quiet conditions.
  for (let i = 0; i < caseCount; i += 1) {
    const command = (await nextCommands()).find((c) => c.kind === 'start') ?? null;
    if (!command) break;
    commands.push(command);
    record(command, await send(command));
  }

  for (let iteration = 0; iteration < iterations; iteration += 1) {
    const victim = stack.victims[iteration % stack.victims.length];
    const label = victim.length > 1 && victim.length === stack.parts.length ? 'all' : victim.join('+');
    const planned = await nextCommands();
    commands.push(...planned);
    let settled = 0;
    const inFlight = planned.map((command) =>
      send(command).then((answer) => {
        settled += 1;
        record(command, answer);
      }),
    );
    // The worst instant is any instant: somewhere inside the burst.
    await sleep(Math.random() * 150);
    const inFlightAtKill = planned.length - settled;
    report.commandsInFlightAtKills += inFlightAtKill;
    const downFrom = new Date();
    await stack.kill(victim);
    report.kills[label] = (report.kills[label] ?? 0) + 1;
    await Promise.all(inFlight);
    // Down long enough, often, for one-minute clocks to fall due meanwhile (longest when everything is down).
    await sleep(label === 'all' ? 5_000 + Math.random() * 10_000 : 500 + Math.random() * 3_000);
    const restartFrom = Date.now();
    await stack.restart();
    const restartedAt = Date.now();
    outages.push({ from: downFrom, to: new Date() });

    // First without any further command: the read model must converge on its own (the reconciler,
    // the workflows' own activities); that is the convergence time.
    const unaided = await waitForConvergence(stack, [...caseIds], convergenceTimeoutSeconds);
    const convergedAt = Date.now();
    if (unaided.length > 0) report.diverged.push(...unaided.map((line) => `iteration ${iteration + 1} (${label}), before any retry: ${line}`));
    await keepEvidence(stack, unaided, commands);

    // Commands with no definite answer are retried with their keys, as a client would, until they have one.
    const answerBy = Date.now() + convergenceTimeoutSeconds * 1000;
    for (const command of planned.filter((c) => c.status === null)) {
      report.retried += 1;
      record(command, await sendUntilAnswered(command, answerBy));
      if (command.status === null) report.unanswered += 1;
    }
    // A keyed repeat of an answered command answers as the first did.
    const answered = commands.filter((c) => c.status !== null && c.status < 300 && c.kind !== 'start');
    if (answered.length > 0) {
      const first = pick(answered);
      const again = await sendUntilAnswered(first, answerBy);
      if (!again || again.status !== first.status || !sameAnswer(first, again.body)) {
        report.answeredDifferently.push(`${first.kind} ${first.key}: first ${first.status}, repeat ${again?.status ?? 'no answer'}`);
      }
    }

    // And again after the retries and the repeat.
    const divergence = [...unaided, ...(await waitForConvergence(stack, [...caseIds], convergenceTimeoutSeconds))];
    if (divergence.length > unaided.length) report.diverged.push(...divergence.slice(unaided.length).map((line) => `iteration ${iteration + 1} (${label}): ${line}`));
    await keepEvidence(stack, divergence.slice(unaided.length), commands);
    if (unaided.length === 0) {
      report.convergenceSeconds.push((convergedAt - restartedAt) / 1000);
      report.recoveries.push({ victim: label, restartSeconds: (restartedAt - restartFrom) / 1000, recoverSeconds: (convergedAt - restartFrom) / 1000 });
    }
    report.iterations += 1;
    const recovery = report.recoveries.at(-1);
    log(
      `iteration ${iteration + 1}/${iterations}: killed ${label} with ${inFlightAtKill} of ${planned.length} commands in flight; ` +
        (divergence.length > 0
          ? `DIVERGED (${divergence.length} cases)`
          : `converged in ${report.convergenceSeconds.at(-1)?.toFixed(2)} s` + (recovery ? ` (restarted in ${recovery.restartSeconds.toFixed(2)} s, recovered in ${recovery.recoverSeconds.toFixed(2)} s)` : '')),
    );
  }

  report.acknowledged = commands.filter((c) => c.status !== null && c.status < 300).length;
  await checkEffects(stack, commands, report);
  report.timerEventsDuringOutages = await timerEventsDuring(stack, [...caseIds], outages);
  report.serverErrors = stack
    .apiOutput()
    .split('\n')
    .filter((line) => line.includes('"request failed"'))
    .slice(0, 5);
  return report;
}

/** Whether a repeat's answer shows the same outcome as the first (same object, same resulting status). */
function sameAnswer(first: SentCommand, repeat: unknown): boolean {
  const a = first.answer as Record<string, unknown> | null;
  const b = repeat as Record<string, unknown> | null;
  if (!a || !b) return a === b;
  if (first.kind === 'complete') return a.taskId === b.taskId && a.status === b.status;
  if (first.kind === 'accept' || first.kind === 'outcome') return a.referralId === b.referralId;
  if ('taskId' in a) return a.taskId === b.taskId;
  return a.caseId === b.caseId;
}

interface ReadModelCase {
  version: number;
  status: string;
  open_step_ids: string[];
  next_deadline: Date | null;
  escalation_level: number;
  last_contact_at: Date | null;
  suspended_at: Date | null;
  last_progress_at: Date;
}

const iso = (value: Date | string | null | undefined) => (value ? new Date(value).toISOString() : null);

/** What differs between the read model of a case and its workflow's state (empty when they agree). */
async function differences(stack: ChaosStack, caseId: string): Promise<string[]> {
  const handle = stack.temporal.workflow.getHandle(caseWorkflowId(caseId));
  const [snapshot, openTasks] = await Promise.all([handle.query(caseSnapshotQuery), handle.query(openTasksQuery)]);
  const found: string[] = [];
  const { rows: [row] } = await stack.pool.query<ReadModelCase>(
    'SELECT version, status, open_step_ids, next_deadline, escalation_level, last_contact_at, suspended_at, last_progress_at FROM cases WHERE case_id = $1',
    [caseId],
  );
  if (!row) return ['no case row'];
  const expectCase = (what: string, readModel: unknown, workflow: unknown) => {
    if (JSON.stringify(readModel) !== JSON.stringify(workflow)) found.push(`${what}: read model ${JSON.stringify(readModel)}, workflow ${JSON.stringify(workflow)}`);
  };
  const wf: CaseSnapshot = snapshot;
  expectCase('version', row.version, wf.version);
  expectCase('status', row.status, wf.status);
  expectCase('open steps', row.open_step_ids, wf.openStepIds);
  expectCase('next deadline', iso(row.next_deadline), iso(wf.nextDeadline));
  expectCase('escalation level', row.escalation_level, wf.escalationLevel);
  expectCase('last contact', iso(row.last_contact_at), iso(wf.lastContactAt));
  expectCase('suspended at', iso(row.suspended_at), iso(wf.suspendedAt));
  expectCase('last progress', iso(row.last_progress_at), iso(wf.lastProgressAt));

  const { rows: tasks } = await stack.pool.query<{ task_id: string; status: string; assignee_id: string | null; due_at: Date | null; escalation_level: number; version: number }>(
    `SELECT task_id, status, assignee_id, due_at, escalation_level, version FROM tasks WHERE case_id = $1 AND status IN ('open', 'claimed') ORDER BY task_id`,
    [caseId],
  );
  const wfTasks = [...openTasks].sort((x, y) => (x.id < y.id ? -1 : 1));
  expectCase(
    'open tasks',
    tasks.map((task) => [task.task_id, task.status, task.assignee_id, iso(task.due_at), task.escalation_level, task.version]),
    wfTasks.map((task) => [task.id, task.status, task.assigneeId, iso(task.dueAt), task.escalationLevel, task.version]),
  );

  const { rows: events } = await stack.pool.query<{ seq: number }>('SELECT seq FROM case_events WHERE case_id = $1 ORDER BY seq', [caseId]);
  const seqs = events.map((event) => event.seq);
  const expected = Array.from({ length: wf.version }, (_, i) => i + 1);
  if (JSON.stringify(seqs) !== JSON.stringify(expected)) found.push(`timeline holds events ${compact(seqs)}, workflow has 1..${wf.version}`);
  return found;
}

function compact(seqs: number[]): string {
  return seqs.length > 12 ? `${seqs.slice(0, 5).join(',')},…,${seqs.slice(-5).join(',')} (${seqs.length})` : seqs.join(',');
}

/** Where a failed run leaves what it found, beside chaos-worker.log: the stack's folder is removed when it closes. */
const evidenceDir = 'chaos-evidence';

/**
 * For each case in `lines` (waitForConvergence's), keeps its workflow history, its read model's task
 * rows and events, and the commands sent to it with the time of each attempt: enough to tell which
 * command or clock made the two disagree. Best effort: the run's verdict does not depend on it.
 */
async function keepEvidence(stack: ChaosStack, lines: string[], commands: SentCommand[]): Promise<void> {
  for (const caseId of new Set(lines.map((line) => /^case (\S+):/.exec(line)?.[1]).filter((id): id is string => id !== undefined))) {
    try {
      mkdirSync(evidenceDir, { recursive: true });
      const history = await stack.temporal.workflow.getHandle(caseWorkflowId(caseId)).fetchHistory();
      writeFileSync(path.join(evidenceDir, `${caseId}.history.json`), historyToJSON(history));
      const { rows: tasks } = await stack.pool.query('SELECT task_id, status, due_at, created_at, version, projected_at FROM tasks WHERE case_id = $1 ORDER BY task_id', [caseId]);
      const { rows: events } = await stack.pool.query('SELECT seq, type, at, task_id FROM case_events WHERE case_id = $1 ORDER BY seq', [caseId]);
      const sent = commands.filter((command) => command.caseId === caseId).map(({ kind, key, url, targetId, status, attempts }) => ({ kind, key, url, targetId, status, attempts }));
      writeFileSync(path.join(evidenceDir, `${caseId}.read-model.json`), JSON.stringify({ tasks, events, commands: sent }, null, 1));
      console.log(`evidence of case ${caseId} kept in ${evidenceDir}/`);
    } catch (error) {
      console.log(`could not keep the evidence of case ${caseId}: ${(error as Error).message}`);
    }
  }
}

/** Polls every case until its read model agrees with its workflow; returns what still differs at the timeout. */
async function waitForConvergence(stack: ChaosStack, caseIds: string[], timeoutSeconds: number): Promise<string[]> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let pending = caseIds;
  for (;;) {
    const results = await Promise.all(pending.map(async (caseId) => ({ caseId, diff: await differences(stack, caseId).catch((error: unknown) => [`unreadable: ${(error as Error).message}`]) })));
    pending = results.filter((result) => result.diff.length > 0).map((result) => result.caseId);
    const last = results.filter((result) => result.diff.length > 0).map((result) => `case ${result.caseId}: ${result.diff.join('; ')}`);
    if (pending.length === 0) return [];
    if (Date.now() > deadline) return last;
    await sleep(250);
  }
}

/** Every acknowledged command has its effect; no transition is recorded twice. */
async function checkEffects(stack: ChaosStack, commands: SentCommand[], report: ChaosReport): Promise<void> {
  const { rows: events } = await stack.pool.query<{ case_id: string; seq: number; type: string; task_id: string | null; actor_id: string }>(
    'SELECT case_id, seq, type, task_id, actor_id FROM case_events ORDER BY case_id, seq',
  );
  const count = (predicate: (event: (typeof events)[number]) => boolean) => events.filter(predicate).length;
  // Transitions that may happen once per object.
  const once = new Map<string, number>();
  for (const event of events) {
    if (['case_started', 'task_created', 'task_completed', 'case_closed'].includes(event.type)) {
      const id = `${event.type} ${event.case_id} ${event.task_id ?? ''}`;
      once.set(id, (once.get(id) ?? 0) + 1);
    }
  }
  for (const [id, n] of once) if (n > 1) report.duplicated.push(`${id} recorded ${n} times`);
  // Keyed commands without a per-object limit each make exactly one event when applied: per case, no
  // fewer events than commands acknowledged (else one was lost), no more than distinct keys sent (else doubled).
  for (const [kind, type] of [['contact', 'contact_recorded'], ['suspend', 'case_suspended'], ['resume', 'case_resumed']] as const) {
    const sentByCase = new Map<string, { sent: number; acknowledged: number }>();
    for (const command of commands.filter((c) => c.kind === kind && c.caseId)) {
      const tally = sentByCase.get(command.caseId!) ?? { sent: 0, acknowledged: 0 };
      tally.sent += 1;
      if (command.status !== null && command.status < 300) tally.acknowledged += 1;
      sentByCase.set(command.caseId!, tally);
    }
    for (const [caseId, { sent, acknowledged }] of sentByCase) {
      const recorded = count((e) => e.case_id === caseId && e.type === type);
      if (recorded > sent) report.duplicated.push(`${type} on case ${caseId}: ${recorded} events for ${sent} commands`);
      if (recorded < acknowledged) report.lost.push(`${type} on case ${caseId}: ${recorded} events for ${acknowledged} acknowledged commands`);
    }
  }

  const { rows: referrals } = await stack.pool.query<{ referral_id: string; status: string }>('SELECT referral_id, status FROM referrals');
  const referralStatus = new Map(referrals.map((r) => [r.referral_id, r.status]));
  const { rows: cases } = await stack.pool.query<{ case_id: string }>('SELECT case_id FROM cases');
  const known = new Set(cases.map((c) => c.case_id));
  for (const command of commands.filter((c) => c.status !== null && c.status < 300)) {
    const has = (type: string, byAnyone = false) => count((e) => e.type === type && e.task_id === command.targetId && (byAnyone || e.actor_id === command.user)) > 0;
    const missing =
      (command.kind === 'start' && !(command.caseId && known.has(command.caseId))) ||
      // A claim by the task's assignee changes nothing (answered 200, no event): a supervisor gave it to them first.
      (command.kind === 'claim' && !has('task_claimed') && !has('task_reassigned', true)) ||
      // A keyed repeat of a completion is answered 200 without a second event.
      (command.kind === 'complete' && !has('task_completed', true)) ||
      (command.kind === 'reassign' && !has('task_reassigned')) ||
      (command.kind === 'extend' && !has('deadline_extended')) ||
      (command.kind === 'accept' && !['accepted', 'completed'].includes(referralStatus.get(command.targetId ?? '') ?? '')) ||
      (command.kind === 'outcome' && referralStatus.get(command.targetId ?? '') !== 'completed');
    if (missing) report.lost.push(`${command.kind} ${command.url} (answered ${command.status})`);
  }
}

/** Reminders and escalations whose clock fell due while a part of the stack was down (all are in the read model by now). */
async function timerEventsDuring(stack: ChaosStack, caseIds: string[], outages: Array<{ from: Date; to: Date }>): Promise<number> {
  const { rows } = await stack.pool.query<{ at: Date }>(
    `SELECT at FROM case_events WHERE case_id = ANY($1) AND type IN ('reminder_due', 'task_escalated', 'referral_reminder_due', 'referral_escalated')`,
    [caseIds],
  );
  return rows.filter((row) => outages.some((outage) => row.at >= outage.from && row.at <= outage.to)).length;
}

/** Whether the run found nothing lost, duplicated, diverged or answered differently: the one verdict every runner prints and exits on. */
export function writePathHeld(report: ChaosReport): boolean {
  return report.lost.length + report.duplicated.length + report.diverged.length + report.answeredDifferently.length === 0;
}

/** The report as printed lines; the last says whether the write path held. */
export function formatChaosReport(report: ChaosReport): string[] {
  const quantiles = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
    return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN };
  };
  const figures = (values: number[]) => {
    const q = quantiles(values);
    return `p50 ${q.p50.toFixed(2)} s, p99 ${q.p99.toFixed(2)} s, max ${q.max.toFixed(2)} s`;
  };
  const convergence = quantiles(report.convergenceSeconds);
  const byVictim = new Map<string, number[]>();
  for (const { victim, recoverSeconds } of report.recoveries) byVictim.set(victim, [...(byVictim.get(victim) ?? []), recoverSeconds]);
  const ok = writePathHeld(report);
  return [
    `stack: ${report.stack}`,
    `iterations ${report.iterations}; kills ${Object.entries(report.kills).map(([part, n]) => `${part}×${n}`).join(' ')}`,
    `commands in flight at the kills ${report.commandsInFlightAtKills}; acknowledged ${report.acknowledged}; retried with their keys ${report.retried}` +
      ` (sent to another API instance ${report.failedOver}, never answered ${report.unanswered}); 5xx answers ${JSON.stringify(report.unexpectedStatuses)}`,
    `answers ${Object.entries(report.answers).sort().map(([what, n]) => `${what}×${n}`).join(', ')}`,
    `timer events (reminders, escalations) that fell due during an outage: ${report.timerEventsDuringOutages}`,
    `lost ${report.lost.length}, duplicated ${report.duplicated.length}, diverged ${report.diverged.length}, repeats answered differently ${report.answeredDifferently.length}`,
    `convergence after restart: p50 ${convergence.p50.toFixed(2)} s, p99 ${convergence.p99.toFixed(2)} s, max ${convergence.max.toFixed(2)} s`,
    `time to recover (restart of the killed part → it serves and every read model = its workflow, before any retry): ${figures(report.recoveries.map((r) => r.recoverSeconds))}` +
      `; of which the restart ${figures(report.recoveries.map((r) => r.restartSeconds))}`,
    `  by victim: ${[...byVictim].map(([victim, values]) => `${victim} p50 ${quantiles(values).p50.toFixed(2)} s / p99 ${quantiles(values).p99.toFixed(2)} s (n=${values.length})`).join('; ')}`,
    ...[...report.lost, ...report.duplicated, ...report.diverged, ...report.answeredDifferently].slice(0, 20).map((line) => `  ${line}`),
    ...report.serverErrors.map((line) => `  500: ${line.slice(0, 600)}`),
    ok ? 'write path held: nothing lost, duplicated or diverged' : 'WRITE PATH FAILED',
  ];
}
