/**
 * Per-person keys against the real stack (PostgreSQL, Temporal dev server, case workers):
 * - erasure: every payload of the erased person's workflow histories becomes undecodable, everyone
 *   else's still decodes; their read-model rows hold no personal data; counts by area survive;
 * - master key rotation on a running case: new data uses the new key, the old one still decodes;
 * - retention: a case closed longer ago than the retention period is anonymised by the scheduled
 *   workflow, and a person left with nothing personal is erased.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type pg from 'pg';
import { caseWorkflowId, workflowTypes } from '../../domain/case-messages';
import { parseKeyRing } from '../../infra/codec/key-ring';
import { EncryptionCodec, ENCRYPTED_ENCODING, keyIdOf } from '../../infra/codec/payload-codec';
import { PersonErasedError, PersonKeyStore } from '../../infra/codec/person-key-store';
import { executeCaseCommand } from '../../infra/case-commands';
import { attachPersonKeys } from '../../infra/codec/personal-data';
import { createPool } from '../../infra/db/pool';
import { connectTemporalClient } from '../../infra/temporal-connection';
import { createCaseWorker } from '../../workers/worker';
import { ensureRetentionSchedule, retentionScheduleId } from '../../workers/retention-schedule';
import { expectProblem, startApiHarness, type ApiHarness } from '../api/harness';
import type { CaseDetail } from '../support/api-types';
import { caseWithCanary, newCanary } from '../support/canary-journey';
import { encodingOf, isSdkBookkeeping, payloadsInHistory } from '../support/temporal-payloads';

const key = () => randomBytes(32).toString('base64');
const firstRing = `r1:${key()}`;
const rotatedRing = `r2:${key()},${firstRing}`;

let api: ApiHarness;
let workerConnection: NativeConnection;
const running: Array<{ worker: Worker; done: Promise<void> }> = [];
const extraPools: pg.Pool[] = [];
const extraClients: Client[] = [];

/** A case worker on the harness's task queue and database, with its own pool and key ring. */
async function startWorker(ringSpec: string, retentionDays = 3650): Promise<{ pool: pg.Pool; keys: PersonKeyStore; stop(): Promise<void> }> {
  const pool = createPool(api.config.databaseUrl as string);
  extraPools.push(pool);
  const keys = new PersonKeyStore(pool, parseKeyRing(ringSpec));
  attachPersonKeys(pool, keys);
  const worker = await createCaseWorker({ connection: workerConnection, namespace: 'default', taskQueue: api.config.taskQueue, pool, keys, retentionDays });
  const entry = { worker, done: worker.run() };
  running.push(entry);
  return {
    pool,
    keys,
    async stop() {
      worker.shutdown();
      await entry.done;
    },
  };
}

/** Decodes every encrypted payload of the workflows' histories with a key store that has no cache. */
async function decodability(caseIds: string[], ringSpec: string): Promise<{ encrypted: number; decodable: number; clearNonBookkeeping: number }> {
  const codec = new EncryptionCodec(new PersonKeyStore(api.pool, parseKeyRing(ringSpec)));
  const result = { encrypted: 0, decodable: 0, clearNonBookkeeping: 0 };
  for (const caseId of caseIds) {
    for (const item of await payloadsInHistory(api.temporal, caseWorkflowId(caseId))) {
      if (item.searchAttribute) continue;
      if (encodingOf(item.payload) !== ENCRYPTED_ENCODING) {
        if (!isSdkBookkeeping(item)) result.clearNonBookkeeping += 1;
        continue;
      }
      result.encrypted += 1;
      if ((await codec.tryDecode(item.payload)) !== 'undecodable') result.decodable += 1;
    }
  }
  return result;
}

async function countsByArea(): Promise<Record<string, number>> {
  const { rows } = await api.pool.query<{ area_id: string; n: number }>('SELECT area_id, count(*)::int AS n FROM cases GROUP BY area_id ORDER BY area_id');
  return Object.fromEntries(rows.map((row) => [row.area_id, row.n]));
}

/** Every row about these cases in the read model, as text (to search for canaries). */
async function readModelText(caseIds: string[]): Promise<string> {
  const tables = ['cases', 'case_events', 'tasks', 'case_start_requests', 'referrals'];
  const parts = await Promise.all(
    tables.map(async (table) => JSON.stringify((await api.pool.query(`SELECT * FROM ${table} t WHERE t.case_id = ANY($1)`, [caseIds])).rows)),
  );
  return parts.join('\n');
}

beforeAll(async () => {
  api = await startApiHarness({ env: { RETICULATE_CODEC_KEYS: firstRing } });
  workerConnection = await NativeConnection.connect({ address: api.config.temporal.address });
}, 120_000);

afterAll(async () => {
  for (const entry of running) {
    if (entry.worker.getState() === 'RUNNING') entry.worker.shutdown();
    await entry.done.catch(() => undefined);
  }
  await workerConnection?.close();
  for (const client of extraClients) await client.connection.close();
  for (const pool of extraPools) await pool.end();
  await api?.close();
});

describe('per-person keys', () => {
  it("erases one person: their payloads stop decoding, everyone else's still decode, aggregates survive", async () => {
    const worker = await startWorker(firstRing);
    const canaries = { a1: newCanary('erased'), a2: newCanary('erased'), b: newCanary('kept'), c: newCanary('kept') };
    const a1 = await caseWithCanary(api, { areaId: 'livorno', canary: canaries.a1 });
    const a2 = await caseWithCanary(api, { areaId: 'livorno', canary: canaries.a2, personId: a1.personId });
    const b = await caseWithCanary(api, { areaId: 'grosseto', canary: canaries.b });
    const c = await caseWithCanary(api, { areaId: 'livorno', canary: canaries.c });
    expect(a2.personId).toBe(a1.personId);
    expect(new Set([a1.personId, b.personId, c.personId]).size).toBe(3);
    const before = await countsByArea();
    const aCases = [a1.caseId, a2.caseId];
    const othersCases = [b.caseId, c.caseId];
    const readable = await decodability(aCases, firstRing);
    expect(readable.decodable).toBe(readable.encrypted);

    const erase = (user: string, personId: string, payload: unknown = { reason: 'data_subject_request' }) =>
      api.request(user, { method: 'POST', url: `/persons/${personId}/erasure`, payload });
    expectProblem(await erase('supervisor-livorno', a1.personId), 403, 'forbidden');
    expectProblem(await erase('admin', a1.personId, { reason: 'because' }), 400, 'validation_error');
    expectProblem(await erase('admin', '00000000-0000-4000-8000-000000000000'), 404, 'not_found');
    const erased = await erase('admin', a1.personId);
    expect(erased.statusCode).toBe(200);
    expect(erased.json()).toMatchObject({
      personId: a1.personId,
      erasedBy: 'admin',
      reason: 'data_subject_request',
      cases: 2,
      keysDestroyed: 1,
      workflows: { terminated: 2, notRunning: 0, failed: 0 },
    });
    expectProblem(await erase('admin', a1.personId), 409, 'conflict');

    const erasedPayloads = await decodability(aCases, firstRing);
    const otherPayloads = await decodability(othersCases, firstRing);
    console.log(
      `erasure: erased person payloads decodable=${erasedPayloads.decodable}/${erasedPayloads.encrypted}; ` +
        `other persons payloads decodable=${otherPayloads.decodable}/${otherPayloads.encrypted}; clear payloads other than SDK bookkeeping=${erasedPayloads.clearNonBookkeeping + otherPayloads.clearNonBookkeeping}`,
    );
    expect(erasedPayloads.encrypted).toBeGreaterThan(10);
    expect(erasedPayloads.decodable).toBe(0);
    expect(otherPayloads.encrypted).toBeGreaterThan(10);
    expect(otherPayloads.decodable).toBe(otherPayloads.encrypted);
    expect(erasedPayloads.clearNonBookkeeping + otherPayloads.clearNonBookkeeping).toBe(0);

    // The codec endpoint hands an erased person's payloads back as they are: still encrypted.
    const [first] = (await payloadsInHistory(api.temporal, caseWorkflowId(a1.caseId))).filter((item) => keyIdOf(item.payload) !== null);
    const asJson = {
      metadata: Object.fromEntries(Object.entries(first.payload.metadata ?? {}).map(([name, value]) => [name, Buffer.from(value).toString('base64')])),
      data: Buffer.from(first.payload.data ?? new Uint8Array()).toString('base64'),
    };
    const viaEndpoint = await api.request('admin', { method: 'POST', url: '/codec/decode', payload: { payloads: [asJson] } });
    expect(viaEndpoint.json<{ payloads: unknown[] }>().payloads).toEqual([asJson]);

    // The read model: nothing personal left about the erased person, in clear or sealed; the others' still readable.
    const erasedRows = await readModelText(aCases);
    expect(erasedRows).not.toContain(canaries.a1);
    expect(erasedRows).not.toContain('$sealed');
    const { rows: caseRows } = await api.pool.query<{ data: unknown; status: string; anonymised_at: Date | null }>('SELECT data, status, anonymised_at FROM cases WHERE case_id = ANY($1)', [aCases]);
    expect(caseRows.every((row) => JSON.stringify(row.data) === '{}' && row.status === 'cancelled' && row.anonymised_at !== null)).toBe(true);
    const detail = await api.request('admin', { method: 'GET', url: `/cases/${a1.caseId}` });
    expect(detail.json<CaseDetail>()).toMatchObject({ data: {}, status: 'cancelled', outcome: 'erased', openTasks: [] });
    const kept = await api.request('admin', { method: 'GET', url: `/cases/${b.caseId}` });
    expect(JSON.stringify(kept.json<CaseDetail>().data)).toContain(canaries.b);
    expect(await readModelText(othersCases)).not.toContain(canaries.b);
    const after = await countsByArea();
    console.log(`erasure: cases by area before=${JSON.stringify(before)} after=${JSON.stringify(after)}`);
    expect(after).toEqual(before);

    // Commands on the erased person's cases are refused: nothing can be written for them any more.
    const note = await api.request('supervisor-livorno', { method: 'POST', url: `/cases/${a1.caseId}/notes`, payload: { text: 'after erasure' } });
    expectProblem(note, 409, 'case_not_active');
    // Even straight to Temporal (bypassing the read model's status), the codec refuses to encrypt for them.
    const supervisor = { id: 'supervisor-livorno', kind: 'user' as const, roles: ['supervisor' as const], areas: ['livorno'], services: [] };
    await expect(executeCaseCommand({ temporal: api.temporal, db: api.pool }, a1.caseId, supervisor, { kind: 'addNote', text: 'after erasure' })).rejects.toBeInstanceOf(PersonErasedError);

    // No new case for an erased person.
    const again = await api.request('outreach-operator-livorno', {
      method: 'POST',
      url: '/cases',
      headers: { 'idempotency-key': newCanary('key') },
      payload: { pathwayKey: 'oss-integrated-pathway', areaId: 'livorno', data: { targetGroup: 'homeless' }, personId: a1.personId },
    });
    expect(expectProblem(again, 422, 'invalid_data').issues?.[0]?.path).toEqual(['personId']);

    // A repeated start (same key, same body) is the same case about the same person, and leaves no stray person behind.
    const key = newCanary('key');
    const start = () =>
      api.request('outreach-operator-livorno', {
        method: 'POST',
        url: '/cases',
        headers: { 'idempotency-key': key },
        payload: { pathwayKey: 'oss-integrated-pathway', areaId: 'livorno', data: { targetGroup: 'homeless' } },
      });
    const [once, twice] = [(await start()).json<CaseDetail>(), (await start()).json<CaseDetail>()];
    expect([twice.caseId, twice.personId]).toEqual([once.caseId, once.personId]);
    const { rows: stray } = await api.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM persons p WHERE NOT EXISTS (SELECT 1 FROM case_start_requests r WHERE r.person_id = p.person_id)',
    );
    expect(stray[0].n).toBe(0);
    await worker.stop();
  });

  it('rotates the master key under a running case: new data uses the new key, old data still decodes', async () => {
    const before = await startWorker(firstRing);
    const canary = newCanary('rotation');
    const started = await caseWithCanary(api, { areaId: 'grosseto', canary });
    const { rows: wrapped } = await api.pool.query<{ wrapping_key_id: string }>('SELECT wrapping_key_id FROM person_keys WHERE person_id = $1', [started.personId]);
    expect(wrapped).toEqual([{ wrapping_key_id: 'r1' }]);
    const masterPayload = before.keys.masterKey();
    const oldMasterSealed = new EncryptionCodec(before.keys).encryptWithMasterKey([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"old"') }]);
    expect(masterPayload.keyId).toBe('r1');
    await before.stop();

    // Restart with the rotated ring: a fresh worker replays the case from its history (decoding old payloads).
    const after = await startWorker(rotatedRing);
    const client = await connectTemporalClient(api.config, after.keys);
    extraClients.push(client);
    const intake = (await api.request('oss-operator-grosseto', { method: 'GET', url: `/cases/${started.caseId}` })).json<CaseDetail>().openTasks[0];
    const actor = { id: 'oss-operator-grosseto', kind: 'user' as const, roles: ['operator' as const], areas: ['grosseto'], services: ['oss'] };
    const rotationCanary = newCanary('rotated');
    await executeCaseCommand({ temporal: client, db: api.pool }, started.caseId, actor, { kind: 'claimTask', taskId: intake.taskId });
    await executeCaseCommand({ temporal: client, db: api.pool }, started.caseId, actor, {
      kind: 'completeTask',
      taskId: intake.taskId,
      data: { alias: rotationCanary, householdType: 'single', minors: false, language: 'it', privacyNoticeGiven: true },
    });
    const detail = (await api.request('admin', { method: 'GET', url: `/cases/${started.caseId}` })).json<CaseDetail>();
    expect(JSON.stringify(detail.data)).toContain(rotationCanary);
    expect(JSON.stringify(detail.data)).toContain(canary);

    const newPerson = await after.keys.createPerson();
    const { rows: newWrapped } = await api.pool.query<{ wrapping_key_id: string }>('SELECT wrapping_key_id FROM person_keys WHERE person_id = $1', [newPerson]);
    const rotatedCodec = new EncryptionCodec(after.keys);
    const newMaster = rotatedCodec.encryptWithMasterKey([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"new"') }]);
    const decodedOld = await rotatedCodec.decode(oldMasterSealed);
    const history = await decodability([started.caseId], rotatedRing);
    console.log(
      `rotation: new person key wrapped with=${newWrapped[0].wrapping_key_id}; new master payload key=${keyIdOf(newMaster[0])}; ` +
        `old master payload decodes=${Buffer.from(decodedOld[0].data ?? []).toString()}; running case payloads decodable=${history.decodable}/${history.encrypted}`,
    );
    expect(newWrapped[0].wrapping_key_id).toBe('r2');
    expect(keyIdOf(newMaster[0])).toBe('r2');
    expect(Buffer.from(decodedOld[0].data ?? []).toString()).toBe('"old"');
    expect(history.decodable).toBe(history.encrypted);
    // Without the old master key, the person key it wraps is lost: rotation must keep old keys in the ring.
    await expect(new PersonKeyStore(api.pool, parseKeyRing(rotatedRing.split(',')[0])).keyOfPerson(started.personId)).rejects.toThrow(/not in the key ring/);
    await after.stop();
  });

  it('anonymises cases closed longer ago than the retention period, from a scheduled workflow', async () => {
    const retention = await startWorker(rotatedRing, 0);
    const client = await connectTemporalClient(api.config, retention.keys);
    extraClients.push(client);
    const closedCanary = newCanary('retention');
    const closed = await caseWithCanary(api, { areaId: 'pistoia', canary: closedCanary });
    const open = await caseWithCanary(api, { areaId: 'pistoia', canary: newCanary('open') });
    const cancelled = await api.request('supervisor-pistoia', { method: 'POST', url: `/cases/${closed.caseId}/cancel`, payload: { reason: 'moved away' } });
    expect(cancelled.statusCode).toBe(200);
    const before = await countsByArea();

    // The worker creates the schedule at start (idempotently); here the run is triggered at once instead of in a day.
    expect(await ensureRetentionSchedule(client, api.config.taskQueue)).toBe(true);
    expect(await ensureRetentionSchedule(client, api.config.taskQueue)).toBe(false);
    const schedule = await client.schedule.getHandle(retentionScheduleId(api.config.taskQueue)).describe();
    expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retentionSweep' });
    const result = await client.workflow.execute(workflowTypes.retentionSweep, { taskQueue: api.config.taskQueue, workflowId: `retention-test-${closed.caseId}`, args: [] });
    console.log(`retention (0 days): anonymised cases=${(result as { cases: number }).cases} erased persons=${(result as { persons: number }).persons}`);
    expect(result).toMatchObject({ cases: expect.any(Number), persons: expect.any(Number) });

    const { rows } = await api.pool.query<{ case_id: string; anonymised_at: Date | null }>('SELECT case_id, anonymised_at FROM cases WHERE case_id = ANY($1)', [[closed.caseId, open.caseId]]);
    const anonymised = Object.fromEntries(rows.map((row) => [row.case_id, row.anonymised_at !== null]));
    expect(anonymised).toEqual({ [closed.caseId]: true, [open.caseId]: false });
    expect(await readModelText([closed.caseId])).not.toContain('$sealed');
    const { rows: person } = await api.pool.query('SELECT erased_by, erasure_reason FROM persons WHERE person_id = $1', [closed.personId]);
    expect(person).toEqual([{ erased_by: 'system:retention', erasure_reason: 'retention_expired' }]);
    expect(await decodability([closed.caseId], rotatedRing)).toMatchObject({ decodable: 0 });
    const stillOpen = (await api.request('admin', { method: 'GET', url: `/cases/${open.caseId}` })).json<CaseDetail>();
    expect(JSON.stringify(stillOpen.data)).toContain('open-');
    expect(await countsByArea()).toEqual(before);
    await retention.stop();
  });
});
