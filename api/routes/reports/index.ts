/**
 * Reports: CSV exports of cases, tasks and events for a period, and the funders' indicators, both
 * limited to the actor's areas (and, for tasks, services). Exports stream: a year of a region's
 * events never sits in memory. They carry codes, dates and pseudonymous ids only — no form value,
 * hence no special-category field, ever leaves through them.
 */
import { stringify } from 'csv-stringify';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pipeline, Readable } from 'node:stream';
import { exportCases, exportEvents, exportTasks, funderIndicators, type Period } from '../../../infra/db/report-repository';
import { readScopeOf } from '../../auth/permissions';
import { actorOf } from '../../plugins/auth';
import { bearerSecurity } from '../../schemas/common';
import { problemResponses } from '../../schemas/problem';
import { csvExportSchema, funderIndicatorsSchema, indicatorsQuerySchema, periodQuerySchema, reportTimezoneName, startOfLocalDay } from '../../schemas/reports';

const exports = {
  cases: { rows: exportCases, summary: 'Cases active during the period' },
  tasks: { rows: exportTasks, summary: 'Tasks raised during the period' },
  events: { rows: exportEvents, summary: 'Timeline events of the period (without details)' },
} as const;

function periodOf(query: { from: string; to: string }): Period {
  return { from: startOfLocalDay(query.from), to: startOfLocalDay(query.to) };
}

function sendCsv(reply: FastifyReply, name: string, query: { from: string; to: string }, rows: AsyncIterable<object>): FastifyReply {
  const csv = stringify({ header: true, cast: { boolean: (value) => String(value), date: (value) => value.toISOString() } });
  // A failure mid-export (the database gone) destroys the response instead of ending it: the client
  // sees a broken transfer, never a complete-looking, truncated file.
  pipeline(Readable.from(rows), csv, (error) => {
    if (error) reply.log.warn({ err: { message: error.message } }, 'export aborted');
  });
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}-${query.from}-${query.to}.csv"`)
    .header('cache-control', 'no-store')
    .send(csv);
}

const reportRoutes: FastifyPluginAsyncZod = async (fastify) => {
  for (const [name, { rows, summary }] of Object.entries(exports)) {
    fastify.get(`/reports/${name}.csv`, {
      // Case-level rows (pseudonymous): who exported what and when goes to the audit log.
      config: { action: 'reports.export', audit: 'read' },
      schema: {
        tags: ['reports'],
        summary: `${summary}, as CSV (your areas)`,
        description: 'Codes, dates and pseudonymous ids only: no form values, so no special-category field. Periods are local days in Europe/Rome.',
        security: bearerSecurity,
        produces: ['text/csv'],
        querystring: periodQuerySchema,
        response: { 200: csvExportSchema, ...problemResponses(400, 401, 403) },
      },
      handler: async (request, reply) => {
        const actor = actorOf(request);
        return sendCsv(reply, name, request.query, rows(fastify.db, readScopeOf(actor), periodOf(request.query)));
      },
    });
  }

  fastify.get('/reports/indicators', {
    config: { action: 'reports.export' },
    schema: {
      tags: ['reports'],
      summary: "Funders' indicators for a period (your areas)",
      security: bearerSecurity,
      querystring: indicatorsQuerySchema,
      response: { 200: funderIndicatorsSchema, ...problemResponses(400, 401, 403) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const { from, to, areaId } = request.query;
      const figures = await funderIndicators(fastify.db, readScopeOf(actor), periodOf({ from, to }), areaId);
      return { period: { from, to, timezone: reportTimezoneName }, ...figures };
    },
  });
};

export default reportRoutes;
