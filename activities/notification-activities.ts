/**
 * Side effects of the supervisor digest workflow: for each supervisor with an email address, the
 * stalled cases of their areas (H4's stalled-case rules, `listStalledCases`), queued as one email
 * delivery that the notification dispatcher sends with the usual retries.
 */
import type { Pool } from 'pg';
import { queueDigestDeliveries } from '../infra/db/notification-delivery-repository';
import { listDigestRecipients } from '../infra/db/notification-recipient-repository';
import { findVersion } from '../infra/db/pathway-repository';
import { listStalledCases, type StalledCaseView } from '../infra/db/supervision-repository';
import type { DigestCase, DigestMessage, StepTitle } from '../infra/notifications/messages';
import { notificationSettingsSchema, type NotificationSettings } from '../infra/notifications/settings';

export interface NotificationActivityDeps {
  pool: Pool;
  /** Links and SMTP; the configuration defaults when absent. */
  settings?: Pick<NotificationSettings, 'linkBaseUrl' | 'smtpUrl'>;
  now?: () => Date;
}

/** A digest lists at most this many cases, most urgent first, and says when there are more. */
export const digestCaseLimit = 100;

/** Step titles by pathway version, read once per digest run (a run's cases share a few versions). */
function stepTitleReader(pool: Pool): (pathwayKey: string, version: number, stepId: string) => Promise<StepTitle | null> {
  const versions = new Map<string, ReturnType<typeof findVersion>>();
  return async (pathwayKey, version, stepId) => {
    const id = `${pathwayKey}@${version}`;
    if (!versions.has(id)) versions.set(id, findVersion(pool, pathwayKey, version));
    const record = await versions.get(id)!;
    return record?.definition.steps[stepId]?.title ?? null;
  };
}

function digestCaseOf(item: StalledCaseView, base: string, openSteps: DigestCase['openSteps']): DigestCase {
  return {
    caseId: item.case.caseId,
    caseReference: item.case.reference,
    areaId: item.case.areaId,
    openStepIds: item.case.openStepIds,
    openSteps,
    // Codes, dates and counts only: the owners (staff ids) stay in the console.
    reasons: item.reasons.map(({ owners: _owners, threshold: _threshold, ...reason }) => {
      if (reason.type === 'no_contact') {
        const { lastContactAt: _last, ...rest } = reason;
        return rest;
      }
      return reason;
    }),
    link: `${base}/cases/${encodeURIComponent(item.case.caseId)}`,
  };
}

/** Creates the activities the digest workflow calls. */
export function createNotificationActivities({ pool, settings = notificationSettingsSchema.parse({}), now = () => new Date() }: NotificationActivityDeps) {
  const base = settings.linkBaseUrl.replace(/\/+$/, '');
  return {
    /**
     * Queues one digest email per supervisor who has stalled cases; idempotent per `runKey` (a retried
     * activity or a repeated run of the same workflow queues nothing twice).
     */
    async queueSupervisorDigests({ runKey }: { runKey: string }): Promise<{ supervisors: number; queued: number; skippedNoSmtp: boolean }> {
      // Without SMTP every digest would only pile up in the dead letters.
      if (!settings.smtpUrl) return { supervisors: 0, queued: 0, skippedNoSmtp: true };
      const at = now();
      const recipients = await listDigestRecipients(pool);
      const stepTitle = stepTitleReader(pool);
      const digests: Array<{ userId: string; message: DigestMessage }> = [];
      for (const recipient of recipients) {
        const scope = { areas: recipient.areas, services: null };
        const page = await listStalledCases(pool, scope, { limit: digestCaseLimit, now: at });
        if (page.items.length === 0) continue;
        digests.push({
          userId: recipient.userId,
          message: {
            kind: 'supervisor_digest',
            generatedAt: at.toISOString(),
            areas: recipient.areas,
            cases: await Promise.all(
              page.items.map(async (item) =>
                digestCaseOf(
                  item,
                  base,
                  await Promise.all(item.case.openStepIds.map(async (stepId) => ({ stepId, title: await stepTitle(item.case.pathwayKey, item.case.pathwayVersion, stepId) }))),
                ),
              ),
            ),
            more: page.next !== null,
            link: `${base}/supervision/stalled`,
          },
        });
      }
      const queued = await queueDigestDeliveries(pool, runKey, digests);
      return { supervisors: digests.length, queued, skippedNoSmtp: false };
    },
  };
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
