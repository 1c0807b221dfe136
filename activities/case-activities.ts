/**
 * Side effects of the case workflow. Built by a factory so the worker injects the pool and tests can
 * inject their own database.
 */
import type { Pool } from 'pg';
import type { ProjectionBatch } from '../domain/case-state';
import { applyProjection } from '../infra/db/projection-repository';

export interface CaseActivityDeps {
  pool: Pool;
}

/** Creates the activities the case worker registers. */
export function createCaseActivities({ pool }: CaseActivityDeps) {
  return {
    /** Writes a case's events, tasks and snapshot to the read model; safe to repeat and to reorder. */
    async projectCase(batch: ProjectionBatch): Promise<void> {
      await applyProjection(pool, batch);
    },
  };
}
