/**
 * The one error handler: every failure leaves as RFC 9457 problem+json. Errors a caller can cause
 * are precise 4xx with field paths; infrastructure outages are 503; anything else is a masked 500
 * that is logged (without bodies or personal data).
 */
import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError, isGrpcServiceError } from '@temporalio/client';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isDatabaseUnavailable } from '../../infra/db/pool';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import {
  problemContentType,
  problemTypes,
  titleOf,
  type Problem,
  type ProblemIssue,
  type ProblemType,
} from '../schemas/problem';

/** An error that becomes a problem response as is. */
export class ProblemError extends Error {
  override name = 'ProblemError';

  constructor(
    readonly status: number,
    readonly type: ProblemType,
    detail: string,
    readonly issues?: ProblemIssue[],
  ) {
    super(detail);
  }
}

/** Shorthands for the problems routes raise. */
export const problem = {
  badRequest: (detail: string, issues?: ProblemIssue[]) => new ProblemError(400, problemTypes.validationError, detail, issues),
  /** A list's `cursor` that no earlier page of that list handed out. */
  /** A 400 for a body refused by a check the handler makes itself (a schema issue's path and message, located in the body). */
  invalidBody: (detail: string, issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }>) =>
    new ProblemError(
      400,
      problemTypes.validationError,
      detail,
      issues.map((issue) => ({ path: issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment))), message: issue.message, location: 'body' as const })),
    ),
  invalidCursor: () =>
    new ProblemError(400, problemTypes.validationError, 'the cursor is not valid for this list', [{ path: ['cursor'], message: 'use nextCursor from a previous page', location: 'querystring' }]),
  unauthorized: (detail: string) => new ProblemError(401, problemTypes.unauthorized, detail),
  forbidden: (detail: string) => new ProblemError(403, problemTypes.forbidden, detail),
  notFound: (detail: string) => new ProblemError(404, problemTypes.notFound, detail),
  conflict: (detail: string, type: ProblemType = problemTypes.conflict) => new ProblemError(409, type, detail),
  unprocessable: (type: ProblemType, detail: string, issues?: ProblemIssue[]) => new ProblemError(422, type, detail, issues),
  unavailable: (detail: string) => new ProblemError(503, problemTypes.serviceUnavailable, detail),
};

type ValidationLocation = NonNullable<ProblemIssue['location']>;

function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === '' || instancePath === '/') return [];
  return instancePath
    .replace(/^\//, '')
    .split('/')
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

/**
 * gRPC codes that mean "not now" from Temporal. ABORTED and INTERNAL are transient failures on the
 * server's side; a keyed retry is safe either way, so the caller is told to retry.
 */
const grpcUnavailableCodes = new Set([4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 10 /* ABORTED */, 13 /* INTERNAL */, 14 /* UNAVAILABLE */]);

/** Whether an error means PostgreSQL or Temporal cannot be reached right now (retryable: 503). */
export function isUnavailableError(error: unknown): boolean {
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth += 1) {
    if (isGrpcServiceError(current) && grpcUnavailableCodes.has(current.code)) return true;
    // Temporal refuses Updates while the case's workflow task keeps failing (its worker down or
    // failing): retryable once a worker serves it again (the chaos test saw it after a worker stopped).
    if (isGrpcServiceError(current) && Number(current.code) === 9 /* FAILED_PRECONDITION */ && /Workflow Task in failed state/i.test(current.details)) return true;
    if (current instanceof ServiceError && /connect|unavailable|deadline/i.test(current.message)) return true;
    // The server drops an Update that no worker took up (the worker restarted with it pending): never
    // applied, so a keyed retry is safe (seen once in the chaos test after a worker kill).
    if (/Workflow Update is rejected because it wasn't processed by worker/i.test(current.message)) return true;
    if (isDatabaseUnavailable(current)) return true;
  }
  return false;
}

function fromFastifyError(error: FastifyError): Problem | undefined {
  const status = error.statusCode;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { type: problemTypes.unsupportedMediaType, title: titleOf(415), status: 415, detail: 'this content type is not accepted here' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { type: problemTypes.payloadTooLarge, title: titleOf(413), status: 413, detail: 'the body is too large' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { type: problemTypes.malformedBody, title: titleOf(400), status: 400, detail: 'the body is empty but the content type says JSON' };
    default:
      break;
  }
  if (status === 400) {
    // Parser messages may quote the body; the caller gets a fixed sentence instead.
    return { type: problemTypes.malformedBody, title: titleOf(400), status: 400, detail: 'the body could not be parsed' };
  }
  const type = status === 404 ? problemTypes.notFound : status === 405 ? problemTypes.methodNotAllowed : problemTypes.malformedBody;
  return { type, title: titleOf(status), status, detail: error.message };
}

/** Maps any error to the problem it means. */
export function toProblem(error: unknown): Problem {
  if (error instanceof ProblemError) {
    return {
      type: error.type,
      title: titleOf(error.status),
      status: error.status,
      detail: error.message,
      ...(error.issues ? { issues: error.issues } : {}),
    };
  }
  const fastifyError = error as FastifyError;
  if (hasZodFastifySchemaValidationErrors(error) || Array.isArray(fastifyError.validation)) {
    const location = ((fastifyError.validationContext as string | undefined) ?? 'body') as ValidationLocation;
    const issues = (fastifyError.validation ?? []).map((issue) => ({
      path: pathOf(issue.instancePath),
      message: issue.message ?? 'invalid',
      code: issue.keyword,
      location,
    }));
    return { type: problemTypes.validationError, title: titleOf(400), status: 400, detail: `the ${location} does not match the schema`, issues };
  }
  if (isUnavailableError(error)) {
    return { type: problemTypes.serviceUnavailable, title: titleOf(503), status: 503, detail: 'a backing service is unavailable; retry later' };
  }
  if (error instanceof Error) {
    const fromFastify = fromFastifyError(fastifyError);
    if (fromFastify) return fromFastify;
  }
  return { type: problemTypes.internalError, title: titleOf(500), status: 500, detail: 'unexpected error' };
}

/** What of an error may be logged: its type, message, code and stack, never the values some errors carry (a PostgreSQL error's `detail`, a failure's payloads). */
export function loggable(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const cause = error.cause instanceof Error ? { type: error.cause.name, message: error.cause.message, code: (error.cause as { code?: unknown }).code } : undefined;
  return { type: error.name, message: error.message, code: (error as { code?: unknown }).code, stack: error.stack, cause };
}

/** Sends a problem response for the request. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, problemBody: Problem): FastifyReply {
  if (problemBody.status === 401) void reply.header('www-authenticate', 'Bearer realm="reticulate-api"');
  if (problemBody.status === 503) void reply.header('retry-after', '5');
  return reply
    .code(problemBody.status)
    .type(problemContentType)
    .send({ ...problemBody, instance: problemBody.instance ?? request.url.split('?')[0] });
}

/**
 * The router's own errors, raised before any route or hook runs (a URL that is not valid
 * percent-encoding, a path parameter over the router's length limit): problems too, not Fastify's
 * default JSON. Set as the server's `frameworkErrors` option.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  void sendProblem(request, reply, {
    type: problemTypes.validationError,
    title: titleOf(tooLong ? 414 : 400),
    status: tooLong ? 414 : 400,
    detail: tooLong ? 'a path segment is longer than any id' : 'the URL is not valid percent-encoding',
  });
}

export default fp(
  async function problemHandling(fastify) {
    fastify.setErrorHandler((error, request, reply) => {
      const body = toProblem(error);
      if (body.status === 503) request.log.warn({ err: loggable(error) }, 'backing service unavailable');
      else if (body.status >= 500) request.log.error({ err: loggable(error) }, 'request failed');
      return sendProblem(request, reply, body);
    });
    fastify.setNotFoundHandler((request, reply) =>
      sendProblem(request, reply, { type: problemTypes.notFound, title: titleOf(404), status: 404, detail: `no route ${request.method} ${request.url.split('?')[0]}` }),
    );
  },
  { name: 'problems' },
);
