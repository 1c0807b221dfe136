/**
 * Every payload stored in a workflow's history, for tests that check what Temporal keeps: walks the
 * raw history (as the server returns it, still encoded) and collects each Payload with where it sits.
 * Search attributes are listed apart: they are indexed in clear by design (codes and dates only).
 */
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';

export interface StoredPayload {
  /** Event type and path inside the event, e.g. `workflowExecutionStartedEventAttributes.input.payloads.0`. */
  where: string;
  payload: Payload;
  searchAttribute: boolean;
}

function isPayload(value: unknown): value is Payload {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return false;
  const metadata = (value as Payload).metadata;
  return typeof metadata === 'object' && metadata !== null && metadata.encoding instanceof Uint8Array;
}

function collect(value: unknown, path: string[], out: StoredPayload[]): void {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return;
  if (isPayload(value)) {
    out.push({ where: path.join('.'), payload: value, searchAttribute: path.some((part) => /searchAttributes/i.test(part)) });
    return;
  }
  for (const [key, child] of Object.entries(value)) collect(child, [...path, key], out);
}

/**
 * The payloads of every event in the workflow's history, across all its runs: from the latest run
 * back through each run it continued as new from (a long case's earlier runs hold data too).
 */
export async function payloadsInHistory(client: Client, workflowId: string): Promise<StoredPayload[]> {
  const out: StoredPayload[] = [];
  let runId: string | undefined;
  const seen = new Set<string>();
  do {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    let previousRunId: string | undefined;
    for (const event of history.events ?? []) {
      const attributes = Object.entries(event).filter(([key, value]) => key.endsWith('Attributes') && value);
      for (const [key, value] of attributes) collect(value, [key], out);
      const continued = event.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
      if (continued) previousRunId = continued;
    }
    if (runId) seen.add(runId);
    runId = previousRunId && !seen.has(previousRunId) ? previousRunId : undefined;
  } while (runId);
  return out;
}

/** `encoding` metadata of a payload as text. */
export function encodingOf(payload: Payload): string {
  return Buffer.from(payload.metadata?.encoding ?? new Uint8Array()).toString('utf8');
}

/**
 * Whether a clear payload is the SDK core's bookkeeping: of a local activity (sequence, attempt,
 * activity id and type, times) or of a patch marker (the patch's id, a constant of our code): written
 * by the core itself, not by our code's data path, and holding no personal data.
 */
export function isSdkBookkeeping(item: StoredPayload): boolean {
  if (!item.where.startsWith('markerRecordedEventAttributes.details.') || encodingOf(item.payload) !== 'json/plain') return false;
  const meta = JSON.parse(Buffer.from(item.payload.data ?? new Uint8Array()).toString('utf8')) as Record<string, unknown>;
  const isPatch = item.where.startsWith('markerRecordedEventAttributes.details.patch-data.') && Object.keys(meta).every((key) => key === 'id' || key === 'deprecated');
  const allowed = new Set(['seq', 'attempt', 'activity_id', 'activity_type', 'complete_time', 'backoff', 'original_schedule_time']);
  return isPatch || (item.where.startsWith('markerRecordedEventAttributes.details.data.') && Object.keys(meta).every((key) => allowed.has(key)));
}
