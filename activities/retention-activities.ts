/**
 * Side effects of the retention workflow: anonymising the read model of cases closed longer ago than
 * the retention period, in batches, and erasing the persons they leave without personal data.
 */
import type { Pool } from 'pg';
import type { PersonKeyStore } from '../infra/codec/person-key-store';
import { anonymiseExpiredCases } from '../infra/db/person-repository';

export interface RetentionActivityDeps {
  pool: Pool;
  keys: PersonKeyStore;
  /** Days a closed case keeps its personal data (RETICULATE_RETENTION_DAYS). */
  retentionDays: number;
  now?: () => Date;
}

const batchSize = 500;
const dayMs = 86_400_000;

/** Creates the activities the retention workflow calls. */
export function createRetentionActivities({ pool, keys, retentionDays, now = () => new Date() }: RetentionActivityDeps) {
  return {
    /** Anonymises one batch of expired cases; `more` is true when the batch was full. */
    async anonymiseExpiredCases(): Promise<{ cases: number; persons: number; more: boolean }> {
      const at = now();
      const result = await anonymiseExpiredCases(pool, keys, { cutoff: new Date(at.getTime() - retentionDays * dayMs), now: at, limit: batchSize });
      return { ...result, more: result.cases === batchSize };
    },
  };
}
