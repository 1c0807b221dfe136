/**
 * Dashboards for supervisors and coordinators: one route per figure, each scoped to the actor's
 * areas (admins: every area) and narrowed by optional area, pathway and period filters.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ageingBuckets,
  countsByAreaStepStatus,
  onTimeRateByStep,
  openEscalationsByLevel,
  openTaskAgeing,
  timeToSignedPlan,
  trendTimezone,
  weeklyTrend,
  type DashboardPeriod,
} from '../../../infra/db/dashboard-repository';
import { readScopeOf } from '../../auth/permissions';
import { actorOf } from '../../plugins/auth';
import { problem } from '../../plugins/problems';
import { bearerSecurity } from '../../schemas/common';
import {
  ageingSchema,
  countsSchema,
  dashboardFilterSchema,
  dashboardPeriodQuerySchema,
  escalationsSchema,
  maxPeriodDays,
  onTimeSchema,
  planTimeSchema,
  weeklyTrendSchema,
} from '../../schemas/dashboards';
import { problemResponses } from '../../schemas/problem';

const defaultPeriodDays = 90;

function periodOf(query: { from?: string; to?: string }, now: Date): DashboardPeriod {
  const to = query.to === undefined ? now : new Date(query.to);
  const from = query.from === undefined ? new Date(to.getTime() - defaultPeriodDays * 86_400_000) : new Date(query.from);
  // The schema checks a period given in full; here one end may be a default.
  const span = to.getTime() - from.getTime();
  if (span <= 0 || span > maxPeriodDays * 86_400_000) {
    const message = span <= 0 ? 'the period must end after it starts' : `the period may span at most ${maxPeriodDays} days`;
    throw problem.badRequest(message, [{ path: [query.from === undefined ? 'to' : 'from'], message, location: 'querystring' }]);
  }
  return { from, to };
}

const periodView = (period: DashboardPeriod) => ({ from: period.from.toISOString(), to: period.to.toISOString() });

const dashboardRoutes: FastifyPluginAsyncZod = async (fastify) => {
  const common = { tags: ['dashboards'], security: bearerSecurity };
  const config = { action: 'supervision.read' as const };

  fastify.get('/dashboards/counts', {
    config,
    schema: {
      ...common,
      summary: 'Open tasks and open cases by area × step × status',
      querystring: dashboardFilterSchema,
      response: { 200: countsSchema, ...problemResponses(400, 401, 403, 503) },
    },
    handler: async (request) => countsByAreaStepStatus(fastify.db, readScopeOf(actorOf(request)), request.query),
  });

  fastify.get('/dashboards/ageing', {
    config,
    schema: {
      ...common,
      summary: 'Open tasks by area and age (0–2, 3–7, 8–30, >30 days since creation)',
      querystring: dashboardFilterSchema,
      response: { 200: ageingSchema, ...problemResponses(400, 401, 403, 503) },
    },
    handler: async (request) => ({
      buckets: [...ageingBuckets],
      items: await openTaskAgeing(fastify.db, readScopeOf(actorOf(request)), request.query, fastify.now()),
    }),
  });

  fastify.get('/dashboards/on-time', {
    config,
    schema: {
      ...common,
      summary: 'On-time rate per step: tasks completed in the period on or before their due date ÷ those completed with a due date',
      querystring: dashboardPeriodQuerySchema,
      response: { 200: onTimeSchema, ...problemResponses(400, 401, 403, 503) },
    },
    handler: async (request) => {
      const period = periodOf(request.query, fastify.now());
      return { period: periodView(period), items: await onTimeRateByStep(fastify.db, readScopeOf(actorOf(request)), request.query, period) };
    },
  });

  fastify.get('/dashboards/plan-time', {
    config,
    schema: {
      ...common,
      summary: 'Days from first contact to a signed joint plan per area (median and 90th percentile), for plans signed in the period',
      querystring: dashboardPeriodQuerySchema,
      response: { 200: planTimeSchema, ...problemResponses(400, 401, 403, 503) },
    },
    handler: async (request) => {
      const period = periodOf(request.query, fastify.now());
      return { period: periodView(period), items: await timeToSignedPlan(fastify.db, readScopeOf(actorOf(request)), request.query, period) };
    },
  });

  fastify.get('/dashboards/escalations', {
    config,
    schema: {
      ...common,
      summary: 'Open escalations (tasks and pending referrals) by area × level',
      querystring: dashboardFilterSchema,
      response: { 200: escalationsSchema, ...problemResponses(400, 401, 403, 503) },
    },
    handler: async (request) => ({ items: await openEscalationsByLevel(fastify.db, readScopeOf(actorOf(request)), request.query) }),
  });

  fastify.get('/dashboards/weekly-trend', {
    config,
    schema: {
      ...common,
      summary: 'New, closed, cancelled and stalled cases per week (Europe/Rome weeks overlapping the period)',
      description:
        'Stalled in week W: cases that had a task whose deadline fell in W and that was not completed by its deadline (still open, or completed late; ' +
        'cancelled tasks do not count), i.e. the cases that went overdue that week. Weeks start on Monday 00:00 Europe/Rome and are counted whole.',
      querystring: dashboardPeriodQuerySchema,
      response: { 200: weeklyTrendSchema, ...problemResponses(400, 401, 403, 503) },
    },
    handler: async (request) => {
      const period = periodOf(request.query, fastify.now());
      return {
        period: periodView(period),
        timezone: trendTimezone,
        items: await weeklyTrend(fastify.db, readScopeOf(actorOf(request)), request.query, period),
      };
    },
  });
};

export default dashboardRoutes;
