/**
 * Migration of running cases to a newer published version of their pathway, with a step mapping.
 * The dry run asks each case's workflow (a query running the same check as the migrateCase
 * update's validator) whether it can move and why not; the real run is a durable job sending one
 * migrateCase update per case, with its progress at `GET /interventions/{jobId}`.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { CaseCommandEnvelope } from '../../../domain/case-commands';
import { caseWorkflowId, migrationCheckQuery } from '../../../domain/case-messages';
import type { MigrateCaseCommand } from '../../../domain/case-migration';
import { caseHasEnded, type Actor } from '../../../domain/case-state';
import { findMigrationCandidates, selectMigrationCandidates, type MigrationCandidate } from '../../../infra/db/intervention-repository';
import { findVersion, listVersions } from '../../../infra/db/pathway-repository';
import { readScopeOf } from '../../auth/permissions';
import { actorOf } from '../../plugins/auth';
import { problem } from '../../plugins/problems';
import { bearerSecurity } from '../../schemas/common';
import {
  MAX_BULK_ITEMS,
  migrationAcceptedSchema,
  migrationBodySchema,
  migrationDryRunSchema,
  migrationParamsSchema,
  type migrationCaseReportSchema,
} from '../../schemas/interventions';
import { problemResponses, problemTypes, type ProblemIssue } from '../../schemas/problem';
import { mapWithLimit, submitInterventionJob } from '../interventions/jobs';

type CaseReport = z.infer<typeof migrationCaseReportSchema>;

/** Cases queried at once during a dry run. */
const DRY_RUN_PARALLELISM = 8;

const invalid = (detail: string, issues: ProblemIssue[]) => problem.unprocessable(problemTypes.invalidData, detail, issues);

const migrationRoutes: FastifyPluginAsyncZod = async (fastify) => {
  /** What the read model alone already says against moving a case (so its workflow need not be asked). */
  function readModelProblems(candidate: MigrationCandidate, key: string, fromVersion: number): CaseReport['problems'] {
    if (caseHasEnded(candidate.status)) return [{ code: 'case_not_active', stepId: null, message: `the case is ${candidate.status}` }];
    if (candidate.pathwayKey !== key) return [{ code: 'version_mismatch', stepId: null, message: `the case follows pathway "${candidate.pathwayKey}"` }];
    if (candidate.pathwayVersion !== fromVersion) {
      return [{ code: 'version_mismatch', stepId: null, message: `the case is on version ${candidate.pathwayVersion}, not ${fromVersion}` }];
    }
    return [];
  }

  async function askCase(actor: Actor, candidate: MigrationCandidate, command: MigrateCaseCommand): Promise<CaseReport> {
    const report = { caseId: candidate.caseId, reference: candidate.reference, areaId: candidate.areaId };
    const envelope: CaseCommandEnvelope<MigrateCaseCommand> = {
      actor: { id: actor.id, kind: actor.kind, roles: actor.roles, areas: actor.areas, services: actor.services },
      command,
    };
    const notRunning = { ...report, canMove: false, problems: [{ code: 'case_not_running' as const, stepId: null, message: 'the case has no running workflow' }] };
    const handle = fastify.temporal.workflow.getHandle(caseWorkflowId(candidate.caseId));
    try {
      // A closed run (terminated, failed) still answers queries, but refuses the update: the real run would fail it.
      const { status } = await fastify.withTemporalDeadline(() => handle.describe());
      if (status.name !== 'RUNNING') return notRunning;
      const check = await fastify.withTemporalDeadline(() => handle.query(migrationCheckQuery, envelope));
      return { ...report, ...check };
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      return notRunning;
    }
  }

  fastify.post('/pathways/:key/migrations', {
    config: { action: 'cases.migrate', audit: 'write' },
    schema: {
      tags: ['pathways'],
      summary: 'Move running cases to a newer published version of the pathway, with a step mapping (dry run first)',
      description:
        'The dry run (`dryRun: true`, 200) reports for each case whether it can move and why not: an open step with no mapping, a mapped step missing or of another kind, ' +
        'collected data the new fields would misread, a partly signed plan the new step cannot finish, a case not active or on another version. ' +
        'The real run answers 202 with a job that sends one migrateCase update per case; each case re-checks and keeps its history, data and deadlines.',
      security: bearerSecurity,
      params: migrationParamsSchema,
      body: migrationBodySchema,
      response: { 200: migrationDryRunSchema, 202: migrationAcceptedSchema, ...problemResponses(400, 401, 403, 404, 422, 503) },
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const { key } = request.params;
      const { fromVersion, toVersion, stepMapping, caseIds, reason, dryRun } = request.body;
      const versions = await listVersions(fastify.db, key);
      if (versions.length === 0) throw problem.notFound(`no pathway ${key}`);
      const from = await findVersion(fastify.db, key, fromVersion);
      if (!from) throw invalid('unknown version', [{ path: ['fromVersion'], message: `pathway ${key} has no version ${fromVersion}`, location: 'body' }]);
      const to = await findVersion(fastify.db, key, toVersion);
      if (!to) throw invalid('unknown version', [{ path: ['toVersion'], message: `pathway ${key} has no version ${toVersion}`, location: 'body' }]);
      if (toVersion <= fromVersion) throw invalid('the target version must be newer', [{ path: ['toVersion'], message: `must be greater than ${fromVersion}`, location: 'body' }]);
      if (to.status !== 'published') throw invalid('the target version is retired', [{ path: ['toVersion'], message: `version ${toVersion} is ${to.status}`, location: 'body' }]);
      const unknownSteps = Object.keys(stepMapping).filter((stepId) => !from.definition.steps[stepId]);
      if (unknownSteps.length > 0) {
        throw invalid(
          'the mapping names steps that are not in the old version',
          unknownSteps.map((stepId) => ({ path: ['stepMapping', stepId], message: `no step "${stepId}" in version ${fromVersion}`, location: 'body' as const })),
        );
      }
      // A target missing from the new version is a typo for every case, not only for those standing on the step.
      const unknownTargets = Object.entries(stepMapping).filter(([, target]) => !to.definition.steps[target]);
      if (unknownTargets.length > 0) {
        throw invalid(
          'the mapping names steps that are not in the new version',
          unknownTargets.map(([stepId, target]) => ({ path: ['stepMapping', stepId], message: `no step "${target}" in version ${toVersion}`, location: 'body' as const })),
        );
      }

      const scope = readScopeOf(actor);
      let candidates: MigrationCandidate[];
      const reports: CaseReport[] = [];
      if (caseIds) {
        const unique = [...new Set(caseIds)];
        candidates = await findMigrationCandidates(fastify.db, scope, unique);
        const found = new Set(candidates.map((candidate) => candidate.caseId));
        for (const caseId of unique) {
          if (!found.has(caseId)) reports.push({ caseId, reference: null, areaId: null, canMove: false, problems: [{ code: 'not_found', stepId: null, message: `no case ${caseId}` }] });
        }
      } else {
        candidates = await selectMigrationCandidates(fastify.db, scope, key, fromVersion, MAX_BULK_ITEMS);
        if (candidates.length > MAX_BULK_ITEMS) {
          throw invalid(`more than ${MAX_BULK_ITEMS} cases run on version ${fromVersion}`, [
            { path: ['caseIds'], message: `name the cases, at most ${MAX_BULK_ITEMS} per migration`, location: 'body' },
          ]);
        }
      }
      const sendable: MigrationCandidate[] = [];
      for (const candidate of candidates) {
        const problems = readModelProblems(candidate, key, fromVersion);
        if (problems.length > 0) reports.push({ caseId: candidate.caseId, reference: candidate.reference, areaId: candidate.areaId, canMove: false, problems });
        else sendable.push(candidate);
      }

      if (dryRun) {
        const command: MigrateCaseCommand = { kind: 'migrateCase', fromVersion, toVersion, definition: to.definition, stepMapping, reason };
        reports.push(...(await mapWithLimit(sendable, DRY_RUN_PARALLELISM, (candidate) => askCase(actor, candidate, command))));
        return reply.code(200).send({
          dryRun: true as const,
          pathwayKey: key,
          fromVersion,
          toVersion,
          total: reports.length,
          movable: reports.filter((report) => report.canMove).length,
          cases: reports,
        });
      }
      const job = await submitInterventionJob(fastify, actor, {
        kind: 'migrate_cases',
        reason,
        parameters: { pathwayKey: key, fromVersion, toVersion, stepMapping, ...(caseIds ? { caseIds } : {}) },
        items: sendable.map((candidate) => ({
          caseId: candidate.caseId,
          taskId: null,
          // The definition is looked up when the item runs (published versions never change).
          command: { kind: 'migrateCase', pathwayKey: key, fromVersion, toVersion, stepMapping, reason },
        })),
      });
      return reply.code(202).header('location', job.location).send({ ...job, skipped: reports });
    },
  });
};

export default migrationRoutes;
