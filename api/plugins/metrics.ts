/**
 * Prometheus metrics at `/metrics`: no personal data, only codes, but operational detail
 * (volumes per area, process internals) that is nobody else's business. `METRICS_TOKEN` asks
 * scrapers for a bearer token; `METRICS_ADDRESS` moves the endpoint off the API port to a listener
 * of its own (server.ts starts it with `metricsHandler` on this instance's `metricsRegistry`).
 *
 * - Per API instance: HTTP latency by method, route template and status, and the Node.js process
 *   metrics. Sum these across instances.
 * - Read-model figures (the same in every instance, read from PostgreSQL at scrape time and cached
 *   for a few seconds): open and overdue tasks by area, open escalations by area and level, cases by
 *   area and status, and the monotonic totals of completed tasks and fired escalations (counted
 *   from the read model, so retries and several API instances never count one twice). Scrape one
 *   instance for them, or aggregate with max().
 *
 * Temporal worker metrics come from the worker process itself (Runtime telemetry, see
 * workers/worker.ts), on its own port.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { readModelGauges, type ReadModelGauges } from '../../infra/db/metrics-repository';
import { problemContentType, problemTypes, titleOf } from '../schemas/problem';

declare module 'fastify' {
  interface FastifyInstance {
    /** This instance's metrics, for a listener of their own (METRICS_ADDRESS). */
    metricsRegistry: Registry;
  }
}

// Gauges read from the database at most this often, however many scrapers there are.
const readModelCacheMs = 5_000;

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Whether an Authorization header carries the token; digests of equal length make the comparison constant-time whatever was sent. */
function bearerMatches(authorization: string | undefined, expected: Buffer): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  return timingSafeEqual(digest(given ?? ''), expected) && given !== undefined;
}

/** The `/metrics` handler over a registry: the text exposition, behind the bearer token when there is one. */
export function metricsHandler(registry: Registry, token: string | undefined) {
  const expected = token === undefined ? undefined : digest(token);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    if (expected && !bearerMatches(request.headers.authorization, expected)) {
      // Answered here rather than thrown: the separate metrics listener has no problem handler.
      const body = { type: problemTypes.unauthorized, title: titleOf(401), status: 401, detail: 'metrics need the scrape token (METRICS_TOKEN) as a bearer token' };
      return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').header('cache-control', 'no-store').type(problemContentType).send(JSON.stringify(body));
    }
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  };
}

export default fp(
  async function metrics(fastify) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });

    const httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });

    let cached: { at: number; gauges: Promise<ReadModelGauges> } | null = null;
    const current = (): Promise<ReadModelGauges> => {
      const now = Date.now();
      if (!cached || now - cached.at > readModelCacheMs) {
        const gauges = readModelGauges(fastify.db, fastify.now());
        cached = { at: now, gauges };
        // A failed read is not cached: the next scrape tries again.
        gauges.catch(() => {
          if (cached?.gauges === gauges) cached = null;
        });
      }
      return cached.gauges;
    };
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], pick: (g: ReadModelGauges) => Array<{ labels: Record<L, string>; value: number }>) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          const rows = pick(await current());
          this.reset();
          for (const row of rows) this.set(row.labels, row.value);
        },
      });
    gauge('reticulate_open_tasks', 'Open or claimed tasks by area', ['area'], (g) => g.openTasks.map((r) => ({ labels: { area: r.areaId }, value: r.count })));
    gauge('reticulate_overdue_tasks', 'Open or claimed tasks past their deadline, by area', ['area'], (g) => g.overdueTasks.map((r) => ({ labels: { area: r.areaId }, value: r.count })));
    gauge('reticulate_open_escalations', 'Open tasks by area and escalation level reached (level ≥ 1)', ['area', 'level'], (g) =>
      g.openEscalations.map((r) => ({ labels: { area: r.areaId, level: String(r.level) }, value: r.count })),
    );
    gauge('reticulate_escalations_fired', 'Escalations of tasks and referrals recorded in the read model, by the case’s current area (monotonic)', ['area'], (g) =>
      g.escalationsFired.map((r) => ({ labels: { area: r.areaId }, value: r.count })),
    );
    gauge('reticulate_tasks_completed', 'Completed tasks by area and service (monotonic)', ['area', 'service'], (g) =>
      g.completedTasks.map((r) => ({ labels: { area: r.areaId, service: r.service }, value: r.count })),
    );
    gauge('reticulate_cases', 'Cases by area and status', ['area', 'status'], (g) => g.cases.map((r) => ({ labels: { area: r.areaId, status: r.status }, value: r.count })));

    fastify.addHook('onResponse', async (request, reply) => {
      // The route template, never the raw URL: ids in paths would explode the label set.
      const route = request.routeOptions.url ?? 'unmatched';
      httpDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });

    fastify.decorate('metricsRegistry', registry);
    const { address, token } = fastify.appConfig.metrics;
    // Served on its own address, the endpoint is absent from the public port (404 like any unknown path).
    if (address === undefined) fastify.get('/metrics', { schema: { hide: true }, logLevel: 'warn' }, metricsHandler(registry, token));
  },
  { name: 'metrics', dependencies: ['dependencies'] },
);
