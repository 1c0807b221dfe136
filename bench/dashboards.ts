/**
 * `npm run bench:dashboards` (also the second half of `npm run bench`): the supervision dashboards
 * and the stalled-case list at scale. It boots its own embedded PostgreSQL in a temporary folder,
 * migrates and seeds the demo data, then writes 100,000 cases, 500,000 tasks and 20,000 referrals
 * straight into the read model with set-based SQL (generate_series), runs VACUUM ANALYZE, and times
 * every dashboard query and the stalled-case query through the repository functions the API calls,
 * many times each, printing p50 and p99 (target p99 ≤ 20 ms). Nothing is asserted or hard-coded.
 *
 * Knobs: BENCH_DASHBOARD_SAMPLES (300), BENCH_DASHBOARD_WARMUP (30), BENCH_CASES (100000),
 * BENCH_EXPLAIN=1 prints EXPLAIN ANALYZE of each query once; BENCH_KEEP=1 prints the database URL
 * once seeded and, after the run, keeps the database up until SIGINT or SIGTERM (for EXPLAIN by hand).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg, { Client } from 'pg';
import { runMigrations } from '../infra/db/migrate';
import { createPool } from '../infra/db/pool';
import type { ReadScope } from '../infra/db/sql-conditions';
import {
  countsByAreaStepStatus,
  onTimeRateByStep,
  openEscalationsByLevel,
  openTaskAgeing,
  timeToSignedPlan,
  weeklyTrend,
} from '../infra/db/dashboard-repository';
import { listStalledCases } from '../infra/db/supervision-repository';
import { startEmbeddedPostgres } from '../infra/embedded-postgres';
import { seedDemoData } from '../scripts/seed';
import { freePort } from '../tests/support/processes';

const samples = Number(process.env.BENCH_DASHBOARD_SAMPLES ?? 300);
const warmup = Number(process.env.BENCH_DASHBOARD_WARMUP ?? 30);
const caseCount = Number(process.env.BENCH_CASES ?? 100_000);
const explain = process.env.BENCH_EXPLAIN === '1';
const keep = process.env.BENCH_KEEP === '1';

const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * The data set, relative to `now`: cases started over two years in four areas and two pathways;
 * recent cases are mostly open, older ones mostly closed. Every case has five tasks (steps in
 * order); an open case's last task is open (about half of them overdue), the others completed,
 * 40 % of completions late. Some open tasks have escalated (levels 1–2); every fifth case has a
 * referral, pending ones with an acceptance deadline. Joint plans are signed in about 40 % of cases.
 */
async function seedScale(pool: pg.ClientBase, now: Date): Promise<void> {
  // Bulk statements outlast the pool's statement timeout, which guards API reads.
  await pool.query(`SET statement_timeout = 0`);
  await pool.query(`SELECT setseed(0.42)`);
  // A second pathway, so rules and streams work over several (area, pathway) groups.
  await pool.query(
    `INSERT INTO pathway_versions (key, version, definition, status, published_by)
     SELECT 'bench-secondary', 1, jsonb_set(definition, '{key}', '"bench-secondary"'), 'published', 'bench'
     FROM pathway_versions WHERE key = 'oss-integrated-pathway' AND version = 1`,
  );
  await pool.query(
    `INSERT INTO cases (case_id, reference, pathway_key, pathway_version, area_id, status, outcome, started_at, updated_at,
       last_progress_at, closed_at, suspended_at, version, data, open_step_ids, next_deadline, escalation_level,
       last_contact_at, target_group, plan_signed_at)
     SELECT 'bench-' || i, 'RT-BN-' || lpad(i::text, 6, '0'),
       CASE WHEN i % 10 = 0 THEN 'bench-secondary' ELSE 'oss-integrated-pathway' END, 1,
       (ARRAY['grosseto', 'pistoia', 'livorno', 'lucca'])[1 + i % 4],
       status, CASE WHEN status = 'closed' THEN 'autonomy' END, started_at, started_at,
       CASE WHEN status = 'active' THEN greatest(started_at, $1::timestamptz - (random() ^ 2) * interval '60 days') ELSE started_at + interval '20 days' END,
       CASE WHEN status IN ('closed', 'cancelled') THEN least($1::timestamptz - interval '1 hour', started_at + (30 + random() * 370) * interval '1 day') END,
       CASE WHEN status = 'suspended' THEN greatest(started_at, $1::timestamptz - random() * interval '90 days') END,
       1, '{}'::jsonb,
       CASE WHEN status IN ('active', 'suspended') THEN ARRAY[(ARRAY['outreach', 'intake', 'eligibility', 'social-assessment', 'joint-plan', 'checkin'])[1 + i % 6]] ELSE '{}' END,
       NULL, 0,
       CASE WHEN random() < 0.7 THEN greatest(started_at, $1::timestamptz - random() * interval '90 days') END,
       CASE WHEN i % 3 = 0 THEN 'family_with_minors' ELSE 'homeless' END,
       CASE WHEN started_at < $1::timestamptz - interval '30 days' AND random() < 0.4
            THEN least($1::timestamptz - interval '1 hour', started_at + (10 + random() * 140) * interval '1 day') END
     FROM (
       SELECT i, started_at,
         CASE WHEN started_at > $1::timestamptz - interval '120 days'
              THEN (CASE WHEN r < 0.70 THEN 'active' WHEN r < 0.78 THEN 'suspended' ELSE 'closed' END)
              ELSE (CASE WHEN r < 0.05 THEN 'active' WHEN r < 0.07 THEN 'suspended' WHEN r < 0.87 THEN 'closed' ELSE 'cancelled' END) END AS status
       FROM (SELECT i, $1::timestamptz - random() * interval '730 days' AS started_at, random() AS r FROM generate_series(1, $2::integer) AS i) s
     ) c`,
    [now, caseCount],
  );
  const steps = `(ARRAY['outreach', 'intake', 'eligibility', 'social-assessment', 'joint-plan'])`;
  const services = `(ARRAY['outreach', 'oss', 'oss', 'social', 'social'])`;
  await pool.query(
    `INSERT INTO tasks (task_id, case_id, step_id, token_id, area_id, service, role, assignee_id, status, created_at, due_at,
       reminders, escalations, escalation_level, completed_at, completed_by, version)
     SELECT c.case_id || '-t' || k, c.case_id,
       CASE WHEN is_open THEN c.open_step_ids[1] ELSE ${steps}[k] END, 'tok-' || k, c.area_id, ${services}[k], 'operator',
       CASE WHEN random() < 0.5 THEN 'operator-' || (k * 7 + length(c.case_id)) % 40 END,
       CASE WHEN is_open THEN (CASE WHEN random() < 0.3 THEN 'claimed' ELSE 'open' END)
            WHEN c.status = 'cancelled' AND k = 5 THEN 'cancelled' ELSE 'completed' END,
       created_at, CASE WHEN random() < 0.9 THEN due_at END, '[]'::jsonb,
       CASE WHEN is_open AND esc >= 1 THEN jsonb_build_array(
              jsonb_build_object('level', 1, 'at', due_at + interval '1 day', 'firedAt', due_at + interval '1 day', 'role', 'supervisor', 'service', 'social', 'reassign', false))
            || CASE WHEN esc >= 2 THEN jsonb_build_array(jsonb_build_object('level', 2, 'at', due_at + interval '5 days', 'firedAt', due_at + interval '5 days',
                 'role', 'coordinator', 'service', 'social', 'reassign', false)) ELSE '[]'::jsonb END
            ELSE '[]'::jsonb END,
       CASE WHEN is_open THEN esc ELSE 0 END,
       CASE WHEN NOT is_open AND NOT (c.status = 'cancelled' AND k = 5) THEN least($1::timestamptz, created_at + random() * interval '12 days') END,
       CASE WHEN NOT is_open THEN 'operator-1' END, 1
     FROM (
       SELECT c.*, k, (c.status IN ('active', 'suspended') AND k = 5) AS is_open,
         CASE WHEN c.status IN ('active', 'suspended') AND k = 5 THEN $1::timestamptz - (random() ^ 2) * interval '45 days'
              ELSE c.started_at + (k - 1) * interval '8 days' END AS created_at
       FROM cases c CROSS JOIN generate_series(1, 5) AS k WHERE c.case_id LIKE 'bench-%'
     ) c
     CROSS JOIN LATERAL (SELECT c.created_at + interval '14 days' AS due_at,
       CASE WHEN c.is_open AND c.created_at < $1::timestamptz - interval '15 days' THEN (CASE WHEN random() < 0.10 THEN 1 WHEN random() < 0.03 THEN 2 ELSE 0 END) ELSE 0 END AS esc) d`,
    [now],
  );
  // The case row carries what the projection derives from its open tasks.
  await pool.query(
    `UPDATE cases c SET next_deadline = t.next_deadline, escalation_level = t.level
     FROM (SELECT case_id, min(due_at) AS next_deadline, max(escalation_level) AS level FROM tasks
           WHERE status IN ('open', 'claimed') GROUP BY case_id) t
     WHERE t.case_id = c.case_id`,
  );
  await pool.query(
    `INSERT INTO referrals (referral_id, case_id, step_id, area_id, from_service, to_service, status, created_at, accept_due_at,
       responded_at, escalation_level, version)
     SELECT x.case_id || '-r1', x.case_id, 'joint-plan', x.area_id, 'social', 'employment', x.ref_status, x.ref_created, x.ref_created + interval '5 days',
       CASE WHEN x.ref_status <> 'pending' THEN x.ref_created + interval '3 days' END,
       CASE WHEN x.ref_status = 'pending' AND x.ref_created < $1::timestamptz - interval '8 days' AND random() < 0.3 THEN 1 ELSE 0 END, 1
     FROM (
       SELECT c.case_id, c.area_id,
         CASE WHEN c.status = 'active' AND random() < 0.4 THEN 'pending' WHEN random() < 0.8 THEN 'accepted' ELSE 'rejected' END AS ref_status,
         CASE WHEN c.status = 'active' THEN $1::timestamptz - random() * interval '30 days' ELSE c.started_at + interval '20 days' END AS ref_created
       FROM cases c WHERE c.case_id LIKE 'bench-%' AND substr(c.case_id, 7)::integer % 5 = 0
     ) x`,
    [now],
  );
  await pool.query(`VACUUM ANALYZE`);
}

interface Measured {
  name: string;
  p50: number;
  p99: number;
  max: number;
  n: number;
  rows: number;
}

async function measure(name: string, run: () => Promise<number>): Promise<Measured> {
  let rows = 0;
  for (let i = 0; i < warmup; i += 1) rows = await run();
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const start = process.hrtime.bigint();
    await run();
    times.push(ms(start));
  }
  times.sort((a, b) => a - b);
  return { name, p50: percentile(times, 50), p99: percentile(times, 99), max: times[times.length - 1], n: times.length, rows };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'reticulate-bench-dashboards-'));
  // Embedded PostgreSQL runs as the postgres user when we are root: it must reach the folder.
  chmodSync(dir, 0o755);
  const postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), ephemeral: true });
  let pool: pg.Pool | undefined;
  try {
    await runMigrations(postgres.url);
    pool = createPool(postgres.url);
    await seedDemoData(pool);
    const now = new Date();
    const seedStart = process.hrtime.bigint();
    const seeder = new Client({ connectionString: postgres.url });
    await seeder.connect();
    try {
      await seedScale(seeder, now);
    } finally {
      await seeder.end();
    }
    const seeded = ms(seedStart);
    if (keep) console.log(`database: ${postgres.url}`);
    const { rows: counts } = await pool.query<{ cases: number; tasks: number; referrals: number; open_tasks: number; active: number; overdue: number; escalated: number }>(
      `SELECT (SELECT count(*) FROM cases)::integer AS cases, (SELECT count(*) FROM tasks)::integer AS tasks,
         (SELECT count(*) FROM referrals)::integer AS referrals,
         (SELECT count(*) FROM tasks WHERE status IN ('open', 'claimed'))::integer AS open_tasks,
         (SELECT count(*) FROM cases WHERE status = 'active')::integer AS active,
         (SELECT count(*) FROM cases WHERE status = 'active' AND next_deadline < now())::integer AS overdue,
         (SELECT count(*) FROM cases WHERE status = 'active' AND escalation_level >= 1)::integer AS escalated`,
    );
    const db = pool;
    const admin: ReadScope = { areas: null, services: null };
    const supervisor: ReadScope = { areas: ['grosseto'], services: null };
    const period = { from: new Date(now.getTime() - 90 * 86_400_000), to: now };
    const year = { from: new Date(now.getTime() - 365 * 86_400_000), to: now };
    // A cursor three pages deep, as a supervisor paging on would send it.
    let deep = await listStalledCases(db, admin, { limit: 25, now });
    for (let page = 0; page < 2 && deep.next; page += 1) deep = await listStalledCases(db, admin, { limit: 25, now, after: deep.next });
    const deepCursor = deep.next ?? undefined;

    const queries: Array<[string, () => Promise<number>]> = [
      ['stalled cases, admin, page 1 (25)', async () => (await listStalledCases(db, admin, { limit: 25, now })).items.length],
      ['stalled cases, admin, page 4 (cursor)', async () => (await listStalledCases(db, admin, { limit: 25, now, after: deepCursor })).items.length],
      ['stalled cases, supervisor (1 area)', async () => (await listStalledCases(db, supervisor, { limit: 25, now })).items.length],
      ['stalled cases, kind=escalated', async () => (await listStalledCases(db, admin, { limit: 25, now, kinds: ['escalated'] })).items.length],
      ['stalled cases, kind=referral_not_accepted', async () => (await listStalledCases(db, admin, { limit: 25, now, kinds: ['referral_not_accepted'] })).items.length],
      ['stalled cases, admin, 100 per page', async () => (await listStalledCases(db, admin, { limit: 100, now })).items.length],
      ['counts area×step×status, admin', async () => (await countsByAreaStepStatus(db, admin, {})).tasks.length],
      ['counts area×step×status, supervisor', async () => (await countsByAreaStepStatus(db, supervisor, {})).tasks.length],
      ['counts, admin, pathway filter', async () => (await countsByAreaStepStatus(db, admin, { pathwayKey: 'bench-secondary' })).tasks.length],
      ['ageing of open tasks, admin', async () => (await openTaskAgeing(db, admin, {}, now)).length],
      ['ageing of open tasks, supervisor', async () => (await openTaskAgeing(db, supervisor, {}, now)).length],
      ['on-time rate per step, admin, 90 d', async () => (await onTimeRateByStep(db, admin, {}, period)).length],
      ['on-time rate per step, supervisor, 90 d', async () => (await onTimeRateByStep(db, supervisor, {}, period)).length],
      ['on-time rate per step, admin, 365 d', async () => (await onTimeRateByStep(db, admin, {}, year)).length],
      ['time to signed plan, admin, 90 d', async () => (await timeToSignedPlan(db, admin, {}, period)).length],
      ['time to signed plan, admin, 365 d', async () => (await timeToSignedPlan(db, admin, {}, year)).length],
      ['open escalations by level, admin', async () => (await openEscalationsByLevel(db, admin, {})).length],
      ['weekly trend, admin, 13 weeks', async () => (await weeklyTrend(db, admin, {}, period)).length],
      ['weekly trend, supervisor, 13 weeks', async () => (await weeklyTrend(db, supervisor, {}, period)).length],
      ['weekly trend, admin, 53 weeks', async () => (await weeklyTrend(db, admin, {}, year)).length],
    ];

    if (explain) {
      // Run each query once under EXPLAIN ANALYZE by wrapping the pool's query.
      const original = db.query.bind(db) as (query: string | pg.QueryConfig, params?: unknown[]) => Promise<pg.QueryResult>;
      for (const [name, run] of queries) {
        (db as unknown as { query: unknown }).query = async (query: string | pg.QueryConfig, params?: unknown[]) => {
          const text = typeof query === 'string' ? query : query.text;
          const values = typeof query === 'string' ? params : query.values;
          if (/^\s*(WITH|SELECT)/i.test(text) && !text.includes('stall_rules) AS rules')) {
            const plan = await original(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values);
            console.log(`\n--- ${name}\n${plan.rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n')}`);
          }
          return original(query, params);
        };
        await run();
      }
      (db as unknown as { query: unknown }).query = original;
    }

    // The trigger-kept rollups (counts, ageing) against the rows they summarise: the pathway-filtered figures
    // are read from the rows, and the two pathways together are every case.
    const sumBy = <T extends { count: number }>(lists: T[][], key: (row: T) => string) => {
      const sums = new Map<string, number>();
      for (const row of lists.flat()) sums.set(key(row), (sums.get(key(row)) ?? 0) + row.count);
      return JSON.stringify([...sums].filter(([, n]) => n > 0).sort());
    };
    const pathways = ['oss-integrated-pathway', 'bench-secondary'];
    const countKey = (row: { areaId: string; stepId: string; status: string }) => `${row.areaId}/${row.stepId}/${row.status}`;
    const ageKey = (row: { areaId: string; bucket: string }) => `${row.areaId}/${row.bucket}`;
    const [countsAll, ...countsPerPathway] = await Promise.all([undefined, ...pathways].map((pathwayKey) => countsByAreaStepStatus(db, admin, { pathwayKey })));
    const [ageingAll, ...ageingPerPathway] = await Promise.all([undefined, ...pathways].map((pathwayKey) => openTaskAgeing(db, admin, { pathwayKey }, now)));
    const rollupsAgree =
      sumBy([countsAll.tasks], countKey) === sumBy(countsPerPathway.map((c) => c.tasks), countKey) &&
      sumBy([countsAll.cases], countKey) === sumBy(countsPerPathway.map((c) => c.cases), countKey) &&
      sumBy([ageingAll], ageKey) === sumBy(ageingPerPathway, ageKey);
    // The all-areas streams of an unfiltered stalled list against the per-group streams of area-filtered lists.
    const stalledKey = (items: Array<{ since: string; case: { caseId: string } }>) => items.map((item) => `${item.since} ${item.case.caseId}`);
    const allAreas = stalledKey((await listStalledCases(db, admin, { limit: 100, now })).items);
    const perArea = (
      await Promise.all(['grosseto', 'pistoia', 'livorno', 'lucca'].map((areaId) => listStalledCases(db, admin, { limit: 100, now, areaId })))
    ).flatMap((page) => stalledKey(page.items));
    const streamsAgree = JSON.stringify(allAreas) === JSON.stringify([...perArea].sort().slice(0, 100));

    const results: Measured[] = [];
    for (const [name, run] of queries) results.push(await measure(name, run));

    const c = counts[0];
    console.log('\nReticulate dashboards and stalled cases at scale');
    console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; node ${process.version}; embedded PostgreSQL, client on loopback`);
    console.log(
      `data: ${c.cases} cases (${c.active} active, ${c.overdue} with an overdue task, ${c.escalated} escalated), ${c.tasks} tasks (${c.open_tasks} open), ${c.referrals} referrals; seeded in ${(seeded / 1000).toFixed(1)} s`,
    );
    console.log(`rollups (counts, ageing) agree with the rows they summarise: ${rollupsAgree ? 'yes' : 'NO'}`);
    console.log(`stalled list over all areas agrees with the per-area lists (first 100): ${streamsAgree ? 'yes' : 'NO'}`);
    console.log(`samples ${samples} after ${warmup} warm-up, sequential, through the repository functions the API calls\n`);
    const width = Math.max(...results.map((r) => r.name.length));
    console.log(`${'query'.padEnd(width)}   ${'p50'.padStart(9)}   ${'p99'.padStart(9)}   ${'max'.padStart(9)}   rows   p99 ≤ 20 ms`);
    for (const r of results) {
      console.log(
        `${r.name.padEnd(width)}   ${r.p50.toFixed(2).padStart(6)} ms   ${r.p99.toFixed(2).padStart(6)} ms   ${r.max.toFixed(2).padStart(6)} ms   ${String(r.rows).padStart(4)}   ${r.p99 <= 20 ? 'yes' : 'NO'}`,
      );
    }
    if (keep) {
      console.log(`\nkeeping ${postgres.url} until SIGINT or SIGTERM`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    }
  } finally {
    await pool?.end();
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
