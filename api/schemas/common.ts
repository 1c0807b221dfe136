/**
 * Building blocks shared by resource schemas: ids, timestamps, pagination and opaque cursors.
 */
import { z } from 'zod';

export const isoDateTime = z.iso.datetime({ offset: true });

/** NUL characters and lone UTF-16 surrogates: text PostgreSQL cannot store (text or jsonb). */
// eslint-disable-next-line no-control-regex -- finding NUL is the point
export const unstorableText = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** An id inside a cursor: short, and storable. */
const cursorId = z.string().max(200).refine((value) => !unstorableText.test(value));

/** Opaque ids: any short string; one that matches nothing is simply not found. */
export const opaqueId = z.string().min(1).max(200);

export const areaIdSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,40}$/, 'area ids are lower case');

export const limitSchema = z.coerce.number().int().min(1).max(100).default(25).describe('Page size (1–100).');

export const cursorSchema = z
  .string()
  .min(1)
  .max(500)
  .optional()
  .describe('Opaque cursor from `nextCursor` of the previous page.');

export const pageQuerySchema = z.object({ limit: limitSchema, cursor: cursorSchema });

/** A page of items with the cursor of the next page (null at the end). */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** Query-string booleans: `true`/`false` (also 1/0, yes/no). */
export const queryBoolean = z.stringbool();

/** Keyset positions of the case lists (start time, id), the inbox (due date, id) and timelines (sequence). */
// A cursor is opaque but decodable: a forged one must not carry a date PostgreSQL cannot read.
const cursorDate = isoDateTime.refine((value) => {
  const year = new Date(value).getUTCFullYear();
  return year >= 1 && year <= 9999;
});
export const caseCursorSchema = z.object({ s: cursorDate, id: cursorId });
export const taskCursorSchema = z.object({ d: cursorDate.nullable(), id: cursorId });
export const timelineCursorSchema = z.object({ seq: z.number().int().min(0).max(2_147_483_647) });

/** Encodes a keyset position as an opaque, URL-safe cursor. */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/** Decodes a cursor made by `encodeCursor` against the schema of its position; undefined when it is not one. */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** OpenAPI security requirement of protected routes. */
export const bearerSecurity = [{ bearerAuth: [] as string[] }];

/** The optional Idempotency-Key of every case, task and referral command. */
export const idempotencyHeadersSchema = z.looseObject({
  'idempotency-key': z.string().min(1).max(200).optional().describe('Repeat a command safely: it is applied once, and a repeat with the same key returns the first result.'),
});

/** The request's Idempotency-Key header (validated by the route's headers schema), if any. */
export function idempotencyKeyOf(request: { headers: Record<string, string | string[] | undefined> }): string | undefined {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' ? key : undefined;
}
