/**
 * The notification dispatcher, run inside each worker process: it turns newly committed case events
 * into deliveries (through the durable cursor) and sends due deliveries, retrying with backoff until
 * they succeed or go to the dead letters. Safe with any number of workers: the cursor and every
 * delivery are claimed with SKIP LOCKED, so no event is queued twice and no delivery is sent by two
 * workers at once.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { workflowTypes } from '../domain/case-messages';
import { claimDueDeliveries, markCancelled, markDelivered, markFailed, type ClaimedDelivery } from '../infra/db/notification-delivery-repository';
import { dispatchCaseEvents } from '../infra/db/notification-event-cursor';
import { isExhausted, retryDelayMs, type RetryPolicy } from '../infra/notifications/backoff';
import { DeliveryError, createNotificationChannels, type NotificationChannels, type OutgoingDelivery } from '../infra/notifications/channels';
import type { NotificationSettings } from '../infra/notifications/settings';
import type { PersonKeyStore } from '../infra/codec/person-key-store';
import { personKeysOf } from '../infra/codec/personal-data';

const EVENT_BATCH = 500;
const SEND_BATCH = 20;

export interface NotificationDispatcher {
  /** Runs one round now (tests; after a replay) and resolves when it is done. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

export interface DispatcherOptions {
  pool: Pool;
  settings: NotificationSettings;
  /** Where round failures are reported (codes and messages only); default: console.warn. */
  onError?: (error: unknown) => void;
  /** Injected channels (default: webhook + SMTP from the settings). */
  channels?: NotificationChannels;
  /** Keys that open the events' sealed details; default: the ones attached to `pool` (the worker attaches them). */
  keys?: PersonKeyStore;
}

function outgoing(delivery: ClaimedDelivery): OutgoingDelivery | string {
  if (delivery.channel === 'webhook') {
    return delivery.webhook ? { deliveryId: delivery.deliveryId, channel: 'webhook', ...delivery.webhook, message: delivery.message } : 'the subscription has no webhook target';
  }
  return delivery.emailTo ? { deliveryId: delivery.deliveryId, channel: 'email', to: delivery.emailTo, locale: delivery.locale, message: delivery.message, names: delivery.names } : 'the recipient has no email address or is inactive';
}

/** Starts the dispatcher loop; it polls every `settings.pollIntervalMs`. */
export function startNotificationDispatcher({ pool, settings, onError, channels: injected, keys: givenKeys }: DispatcherOptions): NotificationDispatcher {
  // Fails at start, not at every round, when the pool has no keys: sealed details would read as absent.
  const keys = givenKeys ?? personKeysOf(pool);
  const channels = injected ?? createNotificationChannels(settings);
  const policy: RetryPolicy = { maxAttempts: settings.maxAttempts, baseMs: settings.retryBaseMs, maxMs: settings.retryMaxMs };
  // Longer than any attempt can take, so a live sender never loses its claim.
  const leaseMs = settings.sendTimeoutMs * 2 + 30_000;
  const report =
    onError ??
    ((error: unknown) => {
      console.warn(`notification dispatcher: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;

  async function sendOne(delivery: ClaimedDelivery): Promise<void> {
    if (delivery.subscriptionDeleted) {
      await markCancelled(pool, delivery.deliveryId, delivery.attempts);
      return;
    }
    const target = outgoing(delivery);
    try {
      if (typeof target === 'string') throw new DeliveryError(target);
      await channels.send(target);
    } catch (error) {
      const message = error instanceof DeliveryError ? error.message : 'unexpected error while sending';
      const retryAt = isExhausted(policy, delivery.attempts) ? null : new Date(Date.now() + retryDelayMs(policy, delivery.attempts));
      await markFailed(pool, delivery.deliveryId, delivery.attempts, message, retryAt);
      return;
    }
    await markDelivered(pool, delivery.deliveryId, delivery.attempts);
  }

  async function round(): Promise<void> {
    // Queue first, so an event's deliveries go out in the same round.
    for (;;) {
      const dispatched = await dispatchCaseEvents(pool, { batchSize: EVENT_BATCH, linkBaseUrl: settings.linkBaseUrl, keys, defaultEmails: settings.smtpUrl !== undefined });
      if (!dispatched || dispatched.events < EVENT_BATCH || stopped) break;
    }
    for (;;) {
      const claimed = await claimDueDeliveries(pool, { limit: SEND_BATCH, leaseMs });
      await Promise.all(claimed.map((delivery) => sendOne(delivery).catch(report)));
      if (claimed.length < SEND_BATCH || stopped) break;
    }
  }

  function runRound(): Promise<void> {
    // One round at a time per process; a caller arriving mid-round waits for a fresh one.
    const previous = current ?? Promise.resolve();
    const next = previous.then(() => round().catch(report));
    current = next;
    void next.finally(() => {
      if (current === next) current = undefined;
    });
    return next;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void runRound().finally(schedule);
    }, settings.pollIntervalMs);
  }
  schedule();

  return {
    runOnce: runRound,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
      channels.close();
    },
  };
}

/** Supervisors' working day: the digest's cron is read in this time zone. */
export const DIGEST_TIMEZONE = 'Europe/Rome';

/** One schedule per task queue, so deployments sharing a namespace do not share it. */
export function digestScheduleId(taskQueue: string): string {
  return `reticulate-supervisor-digest-${taskQueue}`;
}

/**
 * Creates the daily digest schedule, or brings an existing one to the configured cron; safe when
 * several workers start together. "off" leaves any existing schedule alone.
 */
export async function ensureDigestSchedule(client: Client, taskQueue: string, cron: string): Promise<'created' | 'updated' | 'unchanged' | 'off'> {
  if (cron === 'off') return 'off';
  const scheduleId = digestScheduleId(taskQueue);
  // The note records the cron as configured: the server keeps the spec only in its parsed form.
  const note = `cron ${cron} ${DIGEST_TIMEZONE}`;
  const spec = { cronExpressions: [cron], timezone: DIGEST_TIMEZONE };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action: { type: 'startWorkflow', workflowType: workflowTypes.supervisorDigest, taskQueue, args: [], workflowId: `supervisor-digest-${taskQueue}` },
      // A digest late by more than an hour is no longer this morning's digest.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
      state: { note },
    });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  const handle = client.schedule.getHandle(scheduleId);
  const description = await handle.describe();
  if (description.state.note === note) return 'unchanged';
  await handle.update((previous) => ({ ...previous, spec, state: { ...previous.state, note } }));
  return 'updated';
}
