/**
 * The PostgreSQL connection pool shared by repositories, the API and projection activities.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';

// Read-model queries are short; a stuck one must fail the request, not hold a connection forever.
const statementTimeoutMs = 15_000;

/** Creates a pool for the database; the caller owns it and ends it on shutdown. */
export function createPool(databaseUrl: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    statement_timeout: statementTimeoutMs,
    application_name: 'reticulate',
    // Every query here is short and latency-bound: starting parallel workers costs more than it saves
    // and makes tails spiky under concurrency (measured by bench/dashboards.ts).
    options: '-c max_parallel_workers_per_gather=0',
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Nor may a checked-out client that loses it between two queries (inside a transaction, waiting on
  // other work): node-postgres then emits 'error' on the client itself, where an unheard 'error' is an
  // uncaught exception. The client's next query fails instead, and the transaction with it.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}

/** Connection-level error codes (Node's and PostgreSQL's): the server is down, restarting, full or unreachable. */
const unavailableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08006']);

/** Whether `error` (not its causes) means PostgreSQL cannot be reached right now, so a retry later may succeed. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && unavailableCodes.has(code)) return true;
  return /timeout exceeded when trying to connect|Connection terminated/i.test(error.message);
}

/**
 * A query prepared once per connection, under a name derived from its text (the one way statements
 * are named here, so two texts can never share a name): PostgreSQL then keeps its plan (after five
 * runs it settles on the generic plan unless that one is estimated costlier) instead of planning it
 * on every call. For the statements of every command, projection and inbox read: under
 * bench (d), reading a task and reading the inbox each spent 0.39–0.41 ms planning against
 * 0.06–0.07 ms executing (pg_stat_statements). Only for texts from a bounded set of shapes, values
 * always as parameters: every distinct text is a statement kept on every connection.
 */
export function prepared(text: string, values: unknown[]): pg.QueryConfig {
  return { name: `q-${createHash('sha1').update(text).digest('base64url')}`, text, values };
}

/** Anything repositories can query: the pool, or a client (borrowed from it, or standalone). */
export type Queryable = pg.Pool | pg.ClientBase;

/** Whether `db` is a pool (a client must be borrowed from it) rather than a client. */
export function isPool(db: Queryable): db is pg.Pool {
  return 'idleCount' in db;
}

/** Runs `work` in one transaction: on a pool it borrows a client, on a client it uses that client. */
export async function inTransaction<T>(db: Queryable, work: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  const pooled = isPool(db) ? await db.connect() : undefined;
  const client = pooled ?? (db as pg.ClientBase);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    pooled?.release();
    return result;
  } catch (error) {
    const rolledBack = await client.query('ROLLBACK').then(() => true, () => false);
    // A client whose connection broke must not go back to the pool.
    pooled?.release(rolledBack ? undefined : (error as Error));
    throw error;
  }
}
