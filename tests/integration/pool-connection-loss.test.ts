/**
 * A connection lost while a client is checked out and idle (inside a transaction, between two
 * queries) must fail that transaction, not the process: node-postgres emits 'error' on such a
 * client, and an 'error' event nobody listens to is an uncaught exception. The chaos test lost its
 * worker process this way during a PostgreSQL kill, and with it every case until a restart.
 */
import { createPool, inTransaction } from '../../infra/db/pool';
import { createTestDatabase } from '../support/stack';

let database: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

describe('a connection lost inside a transaction', () => {
  it('fails the transaction, keeps the process, and the pool serves the next query', async () => {
    const pool = createPool(database.url);
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const transaction = inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        // Another connection ends this one while it waits, idle, on other work (as when PostgreSQL dies).
        await pool.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
        await new Promise((resolve) => setTimeout(resolve, 300));
        return client.query('SELECT 1');
      });
      await expect(transaction).rejects.toThrow();
      expect(uncaught).toEqual([]);
      const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
      expect(rows[0].one).toBe(1);
    } finally {
      process.off('uncaughtException', onUncaught);
      await pool.end();
    }
  });
});
