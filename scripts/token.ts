/**
 * Prints a bearer token for a demo user: `npm run token -- <user id>`. Users come from the
 * database (DATABASE_URL) when it is reachable, else from the demo-user list.
 */
import pg from 'pg';
import { issueAccessToken } from '../api/auth/tokens';
import { loadConfig } from '../infra/config';
import { listUsers } from '../infra/db/directory-repository';
import { demoUsers } from './demo-users';

async function knownUserIds(databaseUrl: string | undefined): Promise<{ ids: string[]; source: string }> {
  if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      const users = await listUsers(client);
      return { ids: users.filter((user) => user.active).map((user) => user.id), source: 'the database' };
    } catch {
      // No database reachable (or not migrated): the demo list is what `npm start` seeds.
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return { ids: demoUsers.map((user) => user.id), source: 'the demo users' };
}

async function main(): Promise<void> {
  const userId = process.argv[2];
  const config = loadConfig();
  const { ids, source } = await knownUserIds(config.databaseUrl);
  if (!userId || !ids.includes(userId)) {
    const problem = userId ? `unknown user "${userId}"` : 'usage: npm run token -- <user id>';
    const valid = ids.length > 0 ? `valid ids (from ${source}): ${ids.join(', ')}` : `${source} has no active users: run npm run seed`;
    console.error(`${problem}; ${valid}`);
    process.exit(1);
  }
  console.log(await issueAccessToken(config.authSecret, userId));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
