/**
 * Canary personal data in 100 cases must reach neither Temporal's database file, nor any log (API,
 * worker, Temporal server), nor search attributes, and must still be readable through the API.
 * The test runs its own Temporal dev server on a fresh SQLite file and the API and worker in this
 * process with their logs captured at `info` (the production default), worker SDK logs at DEBUG.
 * A control string sent by a client *without* the codec proves the file search finds what is there.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import Fastify, { type FastifyInstance } from 'fastify';
import type pg from 'pg';
import buildApp, { options } from '../../api/app';
import { loggerOptions } from '../../api/server';
import { ensurePersonKeys } from '../../infra/codec/personal-data';
import { runMigrations } from '../../infra/db/migrate';
import { createPool } from '../../infra/db/pool';
import { openLocalIssuer } from '../../infra/local-issuer';
import { startTemporalDevServer, type TemporalDevServer } from '../../infra/temporal-dev-server';
import { connectTemporalClient } from '../../infra/temporal-connection';
import { seedDemoData } from '../../scripts/seed';
import { runCaseWorker } from '../../workers/worker';
import type { CaseDetail } from '../support/api-types';
import { caseWithCanary, type Request } from '../support/canary-journey';
import { freePort } from '../support/processes';
import { createTestDatabase, testConfig, uniqueName } from '../support/stack';

const CASES = 100;
// Every canary starts with this run's label: one search per file finds any of them.
const label = `cnry${randomBytes(6).toString('hex')}`;
const canaries = Array.from({ length: CASES }, (_, index) => `${label}-${index}-${randomBytes(8).toString('hex')}`);
const control = `ctrl${randomBytes(8).toString('hex')}`;

const logs: string[] = [];
let dir: string;
let server: TemporalDevServer;
let database: { url: string; drop(): Promise<void> };
let pool: pg.Pool;
let app: FastifyInstance;
let client: Client;
let worker: { shutdown(): Promise<void> } | undefined;
let request: Request;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('DEBUG', (entry) => logs.push(`${entry.level} ${entry.message} ${loggedMeta(entry.meta)}`)) });
  dir = await mkdtemp(path.join(tmpdir(), 'reticulate-canary-'));
  [server, database] = await Promise.all([
    startTemporalDevServer({ dbFile: path.join(dir, 'temporal.db'), port: await freePort(), logFile: path.join(dir, 'temporal.log'), ownProcessGroup: false }),
    createTestDatabase(),
  ]);
  await runMigrations(database.url);
  pool = createPool(database.url);
  await seedDemoData(pool);
  const config = testConfig({ DATABASE_URL: database.url, TEMPORAL_ADDRESS: server.address, TEMPORAL_TASK_QUEUE: uniqueName('canary'), LOG_LEVEL: 'info', RATE_LIMIT_MAX: '1000000' });
  client = await connectTemporalClient(config, ensurePersonKeys(pool, config));
  worker = await runCaseWorker({ config, pool });
  app = Fastify({ ...options, logger: { ...(loggerOptions('info') as object), stream: { write: (line: string) => logs.push(line) } } });
  await app.register(buildApp, { pool, temporal: client, config, taskQueue: config.taskQueue });
  await app.ready();
  const issuer = await openLocalIssuer(config);
  request = async (userId, { method, url, headers = {}, payload }) => {
    const response = await app.inject({
      method,
      url,
      headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...(userId ? { authorization: `Bearer ${await issuer.issueUserToken(userId)}` } : {}), ...headers },
      payload: payload === undefined ? undefined : JSON.stringify(payload),
    });
    return { statusCode: response.statusCode, body: response.body, json: <T>() => JSON.parse(response.body) as T };
  };
}, 180_000);

afterAll(async () => {
  await app?.close();
  await worker?.shutdown();
  await client?.connection.close();
  await pool?.end();
  await server?.stop();
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * A worker log entry's metadata as text, with every byte array written out as its bytes (not as
 * `inspect`'s truncated list of numbers), so a payload logged in clear would be found.
 */
function loggedMeta(meta: unknown): string {
  try {
    return JSON.stringify(meta ?? {}, (_key, value: unknown) => {
      if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
      const json = value as { type?: unknown; data?: unknown };
      if (json && json.type === 'Buffer' && Array.isArray(json.data)) return Buffer.from(json.data as number[]).toString('latin1');
      return typeof value === 'bigint' ? String(value) : value;
    });
  } catch {
    return inspect(meta, { depth: 6, maxArrayLength: null, maxStringLength: null });
  }
}

/** The forms a string takes when bytes holding it are hex, base64 or base64url encoded (each alignment), or itself. */
function encodedForms(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const forms = new Set([text, bytes.toString('hex')]);
  for (let offset = 0; offset < 3; offset += 1) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    // Only the base64 groups made of the text's bytes alone are the same wherever the text sits.
    const stable = padded.toString('base64').slice(offset === 0 ? 0 : 4, Math.floor(padded.length / 3) * 4);
    forms.add(stable);
    forms.add(stable.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...forms];
}

/** Byte arrays a JSON log line may carry as numbers (pino writes a Buffer as {"type":"Buffer","data":[…]}). */
function numericByteArrays(text: string): Buffer {
  const found = [...text.matchAll(/"data":\[([0-9,\s]+)\]/g)].map((match) => Buffer.from(match[1].split(',').map(Number)));
  return Buffer.concat(found);
}

/** How many canaries occur in the text or bytes, in clear or hex/base64 encoded. */
function hits(haystack: Buffer | string): number {
  const raw = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
  const bytes = Buffer.concat([raw, Buffer.from('\n'), numericByteArrays(raw.toString('latin1'))]);
  const labelForms = encodedForms(label);
  if (!labelForms.some((form) => bytes.includes(form))) return 0;
  return canaries.filter((canary) => encodedForms(canary).some((form) => bytes.includes(form))).length;
}

describe('canary personal data', () => {
  it('finds a canary however a log or a file would hold it (the search itself can fail)', () => {
    const canary = canaries[7];
    const plain = Buffer.from(`{"x":"${canary} place"}`);
    for (let offset = 0; offset < 3; offset += 1) {
      const shifted = Buffer.concat([Buffer.alloc(offset, 0x41), plain]);
      expect(hits(`payload ${shifted.toString('base64')} end`)).toBe(1);
      expect(hits(`payload ${shifted.toString('base64url')} end`)).toBe(1);
    }
    expect(hits(`data=${plain.toString('hex')}`)).toBe(1);
    expect(hits(JSON.stringify({ msg: 'x', payload: plain }))).toBe(1);
    expect(hits(loggedMeta({ payload: { data: new Uint8Array(plain) } }))).toBe(1);
    expect(hits(Buffer.concat([Buffer.from([0, 1, 2]), plain]))).toBe(1);
    expect(hits(`${label}-0-but-not-a-canary`)).toBe(0);
  });

  it('never reaches the Temporal database, logs or search attributes, and is readable through the API', async () => {
    const areas = ['grosseto', 'pistoia', 'livorno', 'lucca'];
    const cases: Array<{ caseId: string; canary: string }> = [];
    // Four clients at a time, as several operators would.
    for (let start = 0; start < CASES; start += 4) {
      const batch = canaries.slice(start, start + 4);
      cases.push(
        ...(await Promise.all(batch.map(async (canary, offset) => ({ canary, ...(await caseWithCanary({ request }, { areaId: areas[(start + offset) % 4], canary })) })))),
      );
    }

    // Stored: the API gives every canary back to an authorised reader.
    let readable = 0;
    for (const { caseId, canary } of cases) {
      const detail = await request('admin', { method: 'GET', url: `/cases/${caseId}` });
      const timeline = await request('admin', { method: 'GET', url: `/cases/${caseId}/timeline` });
      if (JSON.stringify(detail.json<CaseDetail>().data).includes(`${canary} place`) && timeline.body.includes(`${canary} note`)) readable += 1;
      // A refused command carrying the canary: its failure (message, details) must not leak either.
      const intake = detail.json<CaseDetail>().openTasks[0];
      const refused = await request('admin', {
        method: 'POST',
        url: `/tasks/${intake.taskId}/complete`,
        headers: { 'idempotency-key': `${canary}-refused` },
        payload: { data: { alias: `${canary} alias`, language: canary, minors: canary } },
      });
      expect(refused.statusCode).toBeGreaterThanOrEqual(400);
      expect(refused.statusCode).toBeLessThan(500);
    }

    // Search attributes (and memos) of every workflow, as Temporal's visibility returns them.
    let visibility = '';
    for await (const execution of client.workflow.list()) {
      visibility += JSON.stringify({ id: execution.workflowId, type: execution.type, sa: execution.searchAttributes, memo: execution.memo });
    }
    const described = await client.workflow.getHandle(`case-${cases[0].caseId}`).describe();
    visibility += JSON.stringify(described.searchAttributes);

    // The control: a payload sent without the codec must be found where we look.
    const plainConnection = await Connection.connect({ address: server.address });
    await new Client({ connection: plainConnection }).workflow.start('controlWorkflow', { taskQueue: uniqueName('nobody-polls'), workflowId: uniqueName('control'), args: [{ control }] });
    await plainConnection.close();

    await app.close();
    await worker?.shutdown();
    worker = undefined;
    // Stopping the server checkpoints SQLite's write-ahead log into the database file; all its files are read anyway.
    await server.stop();
    const files = (await readdir(dir)).filter((name) => name.startsWith('temporal.db'));
    const dbBytes = Buffer.concat(await Promise.all(files.map((name) => readFile(path.join(dir, name)))));
    // The server log must exist: a missing file would make its part of the search find nothing.
    const serverLog = await readFile(path.join(dir, 'temporal.log'), 'utf8');
    expect(serverLog.length).toBeGreaterThan(0);
    const appLogs = logs.join('\n');

    const figures = { temporalDb: hits(dbBytes), logs: hits(appLogs) + hits(serverLog), searchAttributes: hits(visibility) };
    console.log(`canary hits: temporal-db=${figures.temporalDb} logs=${figures.logs} search-attributes=${figures.searchAttributes} (cases=${cases.length}, readable via API=${readable}, db files=${files.join('+')} ${dbBytes.length} bytes, log lines=${logs.length}, control found in db=${dbBytes.includes(control)})`);
    expect(dbBytes.includes(control)).toBe(true);
    expect(logs.length).toBeGreaterThan(CASES);
    expect(visibility).toContain('ReticulateArea');
    expect(readable).toBe(CASES);
    expect(figures).toEqual({ temporalDb: 0, logs: 0, searchAttributes: 0 });
  }, 600_000);
});
