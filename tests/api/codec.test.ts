/**
 * The remote codec endpoint the Temporal UI and CLI decode through: only authenticated users with
 * `codec.use` decode; a real case's history is unreadable as stored and readable through it; the
 * Temporal UI's origin passes CORS, preflight included.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { caseWorkflowId } from '../../domain/case-messages';
import { resolveTemporalCli } from '../../infra/temporal-binaries';
import type { Payload } from '@temporalio/common';
import { EncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../infra/codec/payload-codec';
import { caseWithCanary, newCanary } from '../support/canary-journey';
import { encodingOf, isSdkBookkeeping, payloadsInHistory } from '../support/temporal-payloads';
import { expectProblem, startApiHarness, type ApiHarness } from './harness';

let api: ApiHarness;
const execFileAsync = promisify(execFile);

beforeAll(async () => {
  api = await startApiHarness({ worker: true });
});

afterAll(async () => {
  await api?.close();
});

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const text = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('utf8');
type JsonPayload = { metadata?: Record<string, string>; data?: string };
const plain: JsonPayload = { metadata: { encoding: b64('json/plain') }, data: b64('"hello codec"') };
const uiOrigin = 'http://127.0.0.1:8233';

describe('codec endpoint', () => {
  it('answers 401 without a token and 403 without codec.use', async () => {
    for (const url of ['/codec/decode', '/codec/encode']) {
      expectProblem(await api.request(null, { method: 'POST', url, payload: { payloads: [plain] } }), 401, 'unauthorized');
      expectProblem(await api.request('oss-operator-livorno', { method: 'POST', url, payload: { payloads: [plain] } }), 403, 'forbidden');
      expectProblem(await api.request('supervisor-livorno', { method: 'POST', url, payload: { payloads: [plain] } }), 403, 'forbidden');
    }
  });

  it('round-trips payloads for an admin, and refuses another namespace and malformed bodies', async () => {
    const encoded = await api.request('admin', { method: 'POST', url: '/codec/encode', payload: { payloads: [plain] } });
    expect(encoded.statusCode).toBe(200);
    const [sealed] = encoded.json<{ payloads: JsonPayload[] }>().payloads;
    expect(text(sealed.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed.metadata?.[KEY_ID_METADATA])).toBe(api.app.personKeys.ring.activeId);
    expect(text(sealed.data)).not.toContain('hello codec');

    const decoded = await api.request('admin', { method: 'POST', url: '/codec/decode', headers: { 'x-namespace': 'default' }, payload: { payloads: [sealed, plain] } });
    expect(decoded.statusCode).toBe(200);
    expect(decoded.json<{ payloads: JsonPayload[] }>().payloads).toEqual([plain, plain]);

    expectProblem(await api.request('admin', { method: 'POST', url: '/codec/decode', headers: { 'x-namespace': 'other' }, payload: { payloads: [sealed] } }), 404, 'not_found');
    const malformed = expectProblem(await api.request('admin', { method: 'POST', url: '/codec/decode', payload: { payloads: [{ data: 'not base64!' }] } }), 400, 'validation_error');
    expect(malformed.issues?.[0]?.path).toEqual(['payloads', 0, 'data']);
  });

  it("decodes a real case's history, which Temporal stores encrypted with the person's key", async () => {
    const canary = newCanary();
    const { caseId, personId } = await caseWithCanary(api, { areaId: 'livorno', canary });
    const stored = (await payloadsInHistory(api.temporal, caseWorkflowId(caseId))).filter((item) => !item.searchAttribute);
    const encrypted = stored.filter((item) => encodingOf(item.payload) === ENCRYPTED_ENCODING);
    const keyIds = new Set(encrypted.map((item) => Buffer.from(item.payload.metadata?.[KEY_ID_METADATA] ?? new Uint8Array()).toString('utf8')));
    const personKey = (await api.app.personKeys.keyOfPerson(personId)).keyId;
    expect(keyIds).toEqual(new Set([personKey]));
    const asJson = (items: typeof stored) => ({
      payloads: items.map(({ payload }) => ({
        metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
        ...(payload.data ? { data: Buffer.from(payload.data).toString('base64') } : {}),
      })),
    });
    // The rest are the SDK core's marker bookkeeping (local activities' ids and times, patch ids), never through the codec.
    expect(stored.filter((item) => encodingOf(item.payload) !== ENCRYPTED_ENCODING).every(isSdkBookkeeping)).toBe(true);
    const rawText = asJson(stored).payloads.map((payload) => text(payload.data)).join('\n');
    expect(rawText).not.toContain(canary);

    const decoded = await api.request('admin', { method: 'POST', url: '/codec/decode', payload: asJson(encrypted) });
    expect(decoded.statusCode).toBe(200);
    const decodedText = decoded.json<{ payloads: JsonPayload[] }>().payloads.map((payload) => text(payload.data)).join('\n');
    expect(decodedText).toContain(`${canary} place`);
    expect(decodedText).toContain(`${canary} note`);
    // The audit log names whose data the admin revealed (the person, never the content).
    const { rows: audited } = await api.pool.query<{ person_id: string | null; fields: string[] }>(
      `SELECT person_id, fields FROM audit_log WHERE route = '/codec/decode' AND actor_id = 'admin' ORDER BY id DESC LIMIT 1`,
    );
    expect(audited).toEqual([{ person_id: personId, fields: [`person.${personId}`] }]);
    console.log(`codec: case history payloads=${stored.length} encrypted-with-person-key=${encrypted.length} canary-in-stored=0 canary-after-decode=yes`);
  });

  it('sends failure messages encrypted: a refused command carries no clear text back through Temporal', async () => {
    const canary = newCanary();
    const { caseId } = await caseWithCanary(api, { areaId: 'livorno', canary });
    const actor = { id: 'admin', kind: 'user', roles: ['admin'], areas: ['livorno'], services: [] };
    const envelope = { actor, command: { kind: 'claimTask', taskId: `${canary}-task` } };
    // The raw service call, as any gRPC observer (or the server's storage) sees the answer.
    const response = await api.temporal.workflowService.updateWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: caseWorkflowId(caseId) },
      request: {
        meta: { updateId: newCanary('update') },
        input: { name: 'claimTask', args: { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(envelope)) }] } },
      },
      waitPolicy: { lifecycleStage: 3 /* COMPLETED */ },
    });
    const failure = response.outcome?.failure;
    expect(failure?.message).toBe('Encoded failure');
    expect(failure?.applicationFailureInfo?.type).toBe('CommandRejected');
    const encodedAttributes = failure?.encodedAttributes;
    expect(Buffer.from(encodedAttributes?.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
    expect(JSON.stringify(failure)).not.toContain(canary);
    const [attributes] = await new EncryptionCodec(api.app.personKeys).decode([encodedAttributes as Payload]);
    const decoded = JSON.parse(Buffer.from(attributes.data ?? []).toString()) as { message: string };
    console.log(`codec: refused command failure message in transit="${failure?.message}", decoded with the key="${decoded.message.replace(canary, '<canary>')}"`);
    expect(decoded.message).toContain(canary);
  });

  it('serves the Temporal CLI: payloads shown decoded with a codec.use token, encrypted without', async () => {
    const canary = newCanary();
    const { caseId } = await caseWithCanary(api, { areaId: 'lucca', canary });
    const address = await api.app.listen({ port: 0, host: '127.0.0.1' });
    const show = async (auth?: string) => {
      const args = ['workflow', 'show', '--workflow-id', caseWorkflowId(caseId), '--address', api.config.temporal.address, '--output', 'json'];
      args.push('--codec-endpoint', `${address}/codec`, ...(auth ? ['--codec-auth', auth] : []), '--disable-config-env', '--disable-config-file');
      const output = await execFileAsync(resolveTemporalCli(), args, { maxBuffer: 32 * 1024 * 1024 }).then(
        ({ stdout }) => stdout,
        (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
      );
      // The JSON history carries payload data in base64: decode every "data" field to see what a user would.
      return [...output.matchAll(/"data": "([A-Za-z0-9+/=]+)"/g)].map((match) => text(match[1])).join('\n');
    };
    const withToken = await show(`Bearer ${await api.tokenFor('admin')}`);
    const withoutToken = await show();
    const operator = await show(`Bearer ${await api.tokenFor('outreach-operator-lucca')}`);
    console.log(`codec: temporal CLI canary visible with admin token=${withToken.includes(canary)} without token=${withoutToken.includes(canary)} with operator token=${operator.includes(canary)}`);
    expect(withToken).toContain(`${canary} place`);
    expect(withoutToken).not.toContain(canary);
    expect(operator).not.toContain(canary);
  });

  it("lets the Temporal UI's origin through CORS, preflight with Authorization included", async () => {
    const preflight = await api.app.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: { origin: uiOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(uiOrigin);
    expect(String(preflight.headers['access-control-allow-headers'])).toEqual(expect.stringContaining('authorization'));
    expect(String(preflight.headers['access-control-allow-headers'])).toEqual(expect.stringContaining('x-namespace'));
    expect(String(preflight.headers['access-control-allow-methods'])).toContain('POST');

    const foreign = await api.app.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();

    const call = await api.request('admin', { method: 'POST', url: '/codec/decode', headers: { origin: uiOrigin }, payload: { payloads: [plain] } });
    expect(call.statusCode).toBe(200);
    expect(call.headers['access-control-allow-origin']).toBe(uiOrigin);
  });
});
