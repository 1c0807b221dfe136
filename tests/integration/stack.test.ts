import { accessSync, constants } from 'node:fs';
import { Connection } from '@temporalio/client';
import { Client } from 'pg';
import { searchAttributeRegistrations } from '../../domain/search-attributes';
import { createTestDatabase, testTemporalAddress, timeSkippingServerPath } from '../support/stack';

describe('test stack', () => {
  it('gives each test file its own PostgreSQL database, gone after drop()', async () => {
    const database = await createTestDatabase();
    const client = new Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ one: number; db: string }>('SELECT 1 AS one, current_database() AS db');
    expect(rows[0].one).toBe(1);
    // Left open on purpose: drop() must still succeed while a test forgot to close its pool.
    client.on('error', () => undefined);
    await database.drop();

    const again = new Client({ connectionString: database.url });
    await expect(again.connect()).rejects.toThrow(/does not exist/);
    await client.end().catch(() => undefined);
  });

  it('serves Temporal with every case search attribute registered', async () => {
    const connection = await Connection.connect({ address: testTemporalAddress() });
    try {
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.serverVersion).toBeTruthy();
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(searchAttributeRegistrations.map(({ name }) => name)));
    } finally {
      await connection.close();
    }
  });

  it('points at an executable time-skipping test server', () => {
    expect(() => accessSync(timeSkippingServerPath(), constants.X_OK)).not.toThrow();
  });
});
