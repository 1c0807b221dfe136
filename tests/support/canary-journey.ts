/**
 * A case carrying a unique "canary" string in its personal data: started through the API (for a new
 * or an existing person), its first task completed with the canary in a text field, and a note with
 * it. Tests then look for the canary where it must not be (Temporal, logs) and where it must (the API).
 */
import { randomUUID } from 'node:crypto';
import type { CaseDetail } from './api-types';

/** The request function of tests/api/harness.ts (or any with its shape). */
export type Request = (
  userId: string | null,
  request: { method: 'GET' | 'POST'; url: string; headers?: Record<string, string>; payload?: unknown },
) => Promise<{ statusCode: number; body: string; json<T>(): T }>;

export const REFERENCE_PATHWAY = 'oss-integrated-pathway';

/** A string that occurs nowhere unless this test put it there. */
export function newCanary(label = 'canary'): string {
  return `${label}-${randomUUID().replace(/-/g, '')}`;
}

async function ok<T>(what: string, response: { statusCode: number; body: string; json<R>(): R }, status = [200, 201]): Promise<T> {
  if (!status.includes(response.statusCode)) throw new Error(`${what}: HTTP ${response.statusCode} ${response.body}`);
  return response.json<T>();
}

/** Starts a case in `areaId` as its outreach operator and completes the outreach task with the canary. */
export async function caseWithCanary(
  { request }: { request: Request },
  { areaId, canary, personId }: { areaId: string; canary: string; personId?: string },
): Promise<{ caseId: string; personId: string }> {
  const user = `outreach-operator-${areaId}`;
  const started = await ok<CaseDetail>(
    'start case',
    await request(user, {
      method: 'POST',
      url: '/cases',
      headers: { 'idempotency-key': randomUUID() },
      payload: { pathwayKey: REFERENCE_PATHWAY, areaId, data: { targetGroup: 'homeless' }, ...(personId ? { personId } : {}) },
    }),
  );
  const taskId = started.openTasks[0].taskId;
  await ok('claim', await request(user, { method: 'POST', url: `/tasks/${taskId}/claim` }));
  await ok(
    'complete',
    await request(user, {
      method: 'POST',
      url: `/tasks/${taskId}/complete`,
      headers: { 'idempotency-key': randomUUID() },
      payload: { data: { source: 'station', place: `${canary} place`, urgent: false } },
    }),
  );
  await ok('note', await request(user, { method: 'POST', url: `/cases/${started.caseId}/notes`, payload: { text: `${canary} note` } }));
  return { caseId: started.caseId, personId: started.personId as string };
}
