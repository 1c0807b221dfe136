/**
 * Bad input on the supervision routes (referrals, contacts, interventions, migrations,
 * notifications, reports) answers a precise 4xx problem, never a 500: out-of-range numbers, ids with
 * control characters, malformed cursors and dates.
 */
import { startApiHarness, type ApiHarness, type ApiRequest } from './harness';

jest.setTimeout(120_000);

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness();
}, 180_000);

afterAll(async () => {
  await api?.close();
});

const NUL = '%00';
const huge = 3_000_000_000;
const reason = 'Copertura assenza';

const requests: Array<[string, string, ApiRequest]> = [
  ['supervisor-grosseto', 'referral with a NUL id', { method: 'GET', url: `/referrals/r${NUL}x` }],
  ['supervisor-grosseto', 'referral answer with a NUL id', { method: 'POST', url: `/referrals/r${NUL}x/accept` }],
  ['supervisor-grosseto', 'referral inbox with a garbage cursor', { method: 'GET', url: '/referrals?cursor=%7B%7D' }],
  ['supervisor-grosseto', 'referral inbox with a NUL filter', { method: 'GET', url: `/referrals?toService=a${NUL}b` }],
  ['supervisor-grosseto', 'contact on a NUL case id', { method: 'POST', url: `/cases/c${NUL}/contacts`, payload: { outcome: 'reached', channel: 'phone', at: '2026-01-01T00:00:00Z' } }],
  ['supervisor-grosseto', 'bulk reassign on a huge version', { method: 'POST', url: '/interventions/bulk-reassign', payload: { filter: { areaId: 'grosseto', pathwayVersion: huge }, assigneeId: null, reason, dryRun: true } }],
  ['supervisor-grosseto', 'bulk reassign with a NUL filter', { method: 'POST', url: '/interventions/bulk-reassign', payload: { filter: { areaId: 'grosseto', stepId: 'a\u0000b' }, assigneeId: null, reason, dryRun: true } }],
  ['supervisor-grosseto', 'bulk reassign to a NUL user', { method: 'POST', url: '/interventions/bulk-reassign', payload: { filter: { areaId: 'grosseto' }, assigneeId: 'x\u0000', reason, dryRun: true } }],
  ['supervisor-grosseto', 'bulk extend by a huge amount', { method: 'POST', url: '/interventions/bulk-extend', payload: { filter: { areaId: 'grosseto' }, by: { amount: huge, unit: 'workingDays' }, reason, dryRun: true } }],
  ['supervisor-grosseto', 'job with a NUL id', { method: 'GET', url: `/interventions/j${NUL}` }],
  ['supervisor-grosseto', 'job with a garbage cursor', { method: 'GET', url: '/interventions/00000000-0000-4000-8000-000000000000?cursor=zzz' }],
  ['coordinator-grosseto', 'migration from a huge version', { method: 'POST', url: '/pathways/oss-integrated-pathway/migrations', payload: { fromVersion: huge, toVersion: huge + 1, stepMapping: {}, reason, dryRun: true } }],
  ['coordinator-grosseto', 'migration of a NUL pathway', { method: 'POST', url: `/pathways/a${NUL}/migrations`, payload: { fromVersion: 1, toVersion: 2, stepMapping: {}, reason, dryRun: true } }],
  ['coordinator-grosseto', 'migration of NUL case ids', { method: 'POST', url: '/pathways/oss-integrated-pathway/migrations', payload: { fromVersion: 1, toVersion: 2, stepMapping: {}, caseIds: ['a\u0000'], reason, dryRun: true } }],
  ['admin', 'subscription with a NUL user', { method: 'POST', url: '/notifications/subscriptions', payload: { channel: 'email', userId: 'a\u0000', kinds: ['referral'] } }],
  ['admin', 'subscription with a NUL area', { method: 'POST', url: '/notifications/subscriptions', payload: { channel: 'email', address: 'a@b.invalid', areaId: 'a\u0000', kinds: ['referral'] } }],
  ['admin', 'dead letters with a NUL subscription', { method: 'GET', url: `/notifications/dead-letters?subscriptionId=a${NUL}` }],
  ['admin', 'dead letters with a garbage cursor', { method: 'GET', url: '/notifications/dead-letters?cursor=%7B%22x%22%3A1%7D' }],
  ['admin', 'delete a NUL subscription', { method: 'DELETE', url: `/notifications/subscriptions/a${NUL}` }],
  ['supervisor-grosseto', 'export from year 0', { method: 'GET', url: '/reports/cases.csv?from=0000-01-01&to=0000-02-01' }],
  ['supervisor-grosseto', 'export from year 9999 on', { method: 'GET', url: '/reports/events.csv?from=9999-12-01&to=9999-12-31' }],
  ['supervisor-grosseto', 'indicators for a NUL area', { method: 'GET', url: `/reports/indicators?from=2026-01-01&to=2026-02-01&areaId=a${NUL}` }],
  ['supervisor-grosseto', 'indicators with an impossible date', { method: 'GET', url: '/reports/indicators?from=2026-02-30&to=2026-03-01' }],
];

describe('bad input on supervision routes', () => {
  it.each(requests)('%s: %s answers a 4xx problem, never 5xx', async (user, _what, request) => {
    const response = await api.request(user, request);
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});
