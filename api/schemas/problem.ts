/**
 * RFC 9457 problem details: the one error shape of the API. `type` is a stable snake_case code a
 * client can switch on (a relative URI reference, as RFC 9457 allows); `issues` locate each
 * problem by field path.
 */
import { z } from 'zod';

export const problemTypes = {
  validationError: 'validation_error',
  malformedBody: 'malformed_body',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  notFound: 'not_found',
  methodNotAllowed: 'method_not_allowed',
  conflict: 'conflict',
  caseNotActive: 'case_not_active',
  pathwayRetired: 'pathway_retired',
  payloadTooLarge: 'payload_too_large',
  unsupportedMediaType: 'unsupported_media_type',
  invalidPathway: 'invalid_pathway',
  invalidData: 'invalid_data',
  idempotencyKeyReused: 'idempotency_key_reused',
  tooManyRequests: 'too_many_requests',
  serviceUnavailable: 'service_unavailable',
  internalError: 'internal_error',
} as const;
export type ProblemType = (typeof problemTypes)[keyof typeof problemTypes];

export const problemContentType = 'application/problem+json';

export const problemIssueSchema = z
  .object({
    path: z.array(z.union([z.string(), z.number()])).describe('Where the problem is, from the root of `location` (the body unless stated).'),
    message: z.string(),
    code: z.string().optional().describe('Machine-readable code of the issue, when there is one.'),
    messageCode: z.string().optional().describe("A pathway issue's exact message as a stable code (see PathwayIssueMessageCode)."),
    params: z.record(z.string(), z.union([z.string(), z.number()])).optional().describe('The values that message names (see PathwayIssueParams).'),
    location: z.enum(['body', 'querystring', 'params', 'headers']).optional(),
  })
  .meta({ id: 'ProblemIssue' });
export type ProblemIssue = z.infer<typeof problemIssueSchema>;

export const problemSchema = z
  .looseObject({
    type: z.string().describe('Stable machine-readable code, e.g. `not_found`, `invalid_data`, `idempotency_key_reused`.'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    issues: z.array(problemIssueSchema).optional(),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof problemSchema>;

const problemTitles: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  500: 'Internal server error',
  429: 'Too many requests',
  503: 'Service unavailable',
};

/** The title of a status code, for problems built outside `ProblemError`. */
export function titleOf(status: number): string {
  return problemTitles[status] ?? 'Error';
}

/** A response entry of a route schema for a problem status: documented and serialised as problem+json. */
export function problemResponse(description: string) {
  return { description, content: { [problemContentType]: { schema: problemSchema } } };
}

const standardDescriptions: Record<number, string> = {
  400: 'The request is malformed or does not match the schema (`validation_error`, `malformed_body`).',
  401: 'Missing, invalid or expired bearer token (`unauthorized`).',
  403: 'The actor may not do this (`forbidden`).',
  404: 'Not found, or outside the actor\'s areas and services (`not_found`).',
  409: 'Conflicts with the current state (`conflict`, `case_not_active`, `pathway_retired`).',
  413: 'The body is too large (`payload_too_large`).',
  415: 'The content type is not accepted (`unsupported_media_type`).',
  422: 'Well-formed but invalid content; `issues` locate each problem (`invalid_data`, `invalid_pathway`, `idempotency_key_reused`).',
  429: 'Over the rate limit; retry after `Retry-After` seconds (`too_many_requests`).',
  503: 'PostgreSQL or Temporal is unavailable; retry later (`service_unavailable`).',
};

type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

/** Problem responses for the given statuses, with standard descriptions. */
export function problemResponses<S extends ProblemStatus>(...statuses: S[]): Record<S, ReturnType<typeof problemResponse>> {
  const responses = {} as Record<S, ReturnType<typeof problemResponse>>;
  for (const status of statuses) responses[status] = problemResponse(standardDescriptions[status]);
  return responses;
}
