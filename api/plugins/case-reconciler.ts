/**
 * Heals the one gap a crash can leave in the read model: a case command that became durable in its
 * workflow while the process that sent it died before writing its result. Every API instance sweeps
 * the command intents older than a few seconds (infra/db/command-intent-repository.ts; leases keep
 * instances off each other's), asks each case's workflow for everything the read model may lack and
 * writes it. An intent is dropped once its case has caught up and no late Update can still reach it.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import fp from 'fastify-plugin';
import { reconcileCase } from '../../infra/case-commands';
import { PersonErasedError } from '../../infra/codec/person-key-store';
import { claimStaleCommandIntents, forgetCommandIntent, type StaleCommandIntent } from '../../infra/db/command-intent-repository';
import { sweepPeriodically } from './periodic-sweep';
import { loggable } from './problems';

/** How often each API instance sweeps (ms). */
const everyMs = 1_000;
/** Intents younger than this are most likely still in flight with their own request (ms). */
const staleAfterMs = 3_000;
/** A claimed intent is looked at again after this long, if it is still there (ms). */
const leaseMs = 2_000;
/**
 * An Update's request lives at most the API's Temporal deadline (15 s) and a retried activity's
 * attempt; past this age an intent whose case has caught up can no longer be followed by its command.
 */
const lateArrivalHorizonMs = 60_000;
/**
 * An intent its case could not be reconciled for this long (say, a payload nobody can decode any
 * more) is given up with an error in the log rather than retried for ever.
 */
const giveUpAfterMs = 60 * 60_000;
const batchSize = 50;

export default fp(
  async function caseReconciler(fastify) {
    const deps = { temporal: fastify.temporal, db: fastify.db };

    /** Brings one case up to date; drops its intents that are old enough once it has caught up. */
    const settle = async (caseId: string, intents: StaleCommandIntent[]): Promise<void> => {
      let forget = intents;
      try {
        const { seq, readModelSeq } = await fastify.withTemporalDeadline(() => reconcileCase(deps, caseId));
        forget = readModelSeq >= seq ? intents.filter((intent) => Date.now() - intent.createdAt.getTime() > lateArrivalHorizonMs) : [];
      } catch (error) {
        // No workflow (never started, or gone) or an erased person: nothing of theirs may be written.
        if (!(error instanceof WorkflowNotFoundError || error instanceof PersonErasedError)) {
          forget = intents.filter((intent) => Date.now() - intent.createdAt.getTime() > giveUpAfterMs);
          if (forget.length > 0) fastify.log.error({ caseId, err: loggable(error) }, 'case reconciliation given up after an hour of failures');
          else fastify.log.warn({ caseId, err: loggable(error) }, 'case reconciliation failed; will retry');
        }
      }
      for (const intent of forget) await forgetCommandIntent(fastify.db, intent.updateId);
    };

    sweepPeriodically(fastify, everyMs, 'case reconciliation sweep', async () => {
      const intents = await claimStaleCommandIntents(fastify.db, staleAfterMs, leaseMs, batchSize);
      // One query per case, whatever the number of its intents.
      const byCase = new Map<string, StaleCommandIntent[]>();
      for (const intent of intents) byCase.set(intent.caseId, [...(byCase.get(intent.caseId) ?? []), intent]);
      for (const [caseId, caseIntents] of byCase) await settle(caseId, caseIntents);
    });
  },
  { name: 'case-reconciler', dependencies: ['dependencies'] },
);
