/**
 * Logs as the API server writes them (its pino options, level info), captured from a real run with
 * a worker: every line of a request carries its request id, a case command's lines carry the
 * workflow id, and neither form values nor credentials ever appear.
 */
import { Writable } from 'node:stream';
import type { CaseDetail } from '../support/api-types';
import { json, startApiHarness, type ApiHarness } from './harness';

jest.setTimeout(60_000);

const lines: Array<Record<string, unknown>> = [];
const raw: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      raw.push(line);
      lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  },
});

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness({ worker: true, logStream: capture });
}, 180_000);

afterAll(async () => {
  await api?.close();
});

it('logs the request id on every line and the workflow id of case commands, never form values', async () => {
  const place = 'CANARY-Via-Garibaldi-12-Livorno';
  const started = await api.request('outreach-operator-livorno', {
    method: 'POST',
    url: '/cases',
    headers: { 'idempotency-key': 'logs-1', 'x-request-id': 'gateway-start-0001' },
    payload: { pathwayKey: 'oss-integrated-pathway', areaId: 'livorno', data: { targetGroup: 'homeless' } },
  });
  expect(started.statusCode).toBe(201);
  const detail = json<CaseDetail>(started);
  const [task] = detail.openTasks;
  const refused = await api.request('outreach-operator-livorno', {
    method: 'POST',
    url: `/tasks/${task.taskId}/complete`,
    headers: { 'x-request-id': 'gateway-refused-0002' },
    payload: { data: { source: 'moon', place } },
  });
  expect(refused.statusCode).toBe(422);
  const done = await api.request('outreach-operator-livorno', {
    method: 'POST',
    url: `/tasks/${task.taskId}/complete`,
    headers: { 'x-request-id': 'gateway-complete-0003', 'idempotency-key': 'logs-done' },
    payload: { data: { source: 'street', place, urgent: false } },
  });
  expect(done.statusCode).toBe(200);

  const workflowId = `case-${detail.caseId}`;
  const applied = lines.find((line) => line.msg === 'case command applied');
  expect(applied).toMatchObject({ reqId: 'gateway-complete-0003', workflowId, command: 'completeTask' });
  const refusal = lines.find((line) => line.msg === 'case command refused');
  expect(refusal).toMatchObject({ reqId: 'gateway-refused-0002', workflowId, command: 'completeTask', refused: 'invalid_data' });
  // Fastify's own request lines carry the same ids.
  for (const reqId of ['gateway-start-0001', 'gateway-refused-0002', 'gateway-complete-0003']) {
    expect(lines.filter((line) => line.reqId === reqId && (line.msg === 'incoming request' || line.msg === 'request completed'))).toHaveLength(2);
  }
  const everything = raw.join('\n');
  expect(everything).not.toContain(place);
  expect(everything).not.toMatch(/Bearer [A-Za-z0-9_-]+\./);
});

it("keeps the console's sign-in callback code out of the logs, and logs other query strings as sent", async () => {
  const code = 'CANARY-authorization-code-4f1c';
  await api.request(null, { method: 'GET', url: `/console/callback?code=${code}&state=%2Fconsole%2Finbox` });
  await api.request(null, { method: 'GET', url: '/healthz?probe=CANARY-visible' });
  expect(raw.join('\n')).not.toContain(code);
  const urls = lines.map((line) => (line.req as { url?: string } | undefined)?.url).filter((url): url is string => url !== undefined);
  expect(urls).toContain('/console/callback?[redacted]');
  expect(urls).toContain('/healthz?probe=CANARY-visible');
});
