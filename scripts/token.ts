/**
 * Prints a bearer token for a demo user, signed by the embedded issuer (the key file under the data
 * dir, or RETICULATE_ISSUER_KEY_FILE, shared with the API): `npm run token -- <user id>`. Users come
 * from the database (DATABASE_URL) when it is reachable, else from the demo-user list.
 * `npm run token -- --rotate-key` rotates the issuer's signing key (previous keys stay published).
 * Service accounts get their tokens from POST /oauth/token instead.
 */
import pg from 'pg';
import { loadConfig } from '../infra/config';
import { openLocalIssuer, rotateIssuerKey } from '../infra/local-issuer';
import { demoUsers } from './demo-users';

async function knownUserIds(databaseUrl: string | undefined): Promise<{ ids: string[]; source: string }> {
  if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      // People only: a service account's token comes from the client-credentials exchange.
      const { rows } = await client.query<{ id: string }>("SELECT id FROM users WHERE active AND kind = 'user' ORDER BY id");
      return { ids: rows.map((row) => row.id), source: 'the database' };
    } catch {
      // No database reachable (or not migrated): the demo list is what `npm start` seeds.
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return { ids: demoUsers.map((user) => user.id), source: 'the demo users' };
}

async function main(): Promise<void> {
  const argument = process.argv[2];
  const config = loadConfig();
  if (argument === '--rotate-key') {
    const kid = await rotateIssuerKey(config.localIssuer.keyFile);
    console.error(`new signing key ${kid} in ${config.localIssuer.keyFile}; running APIs pick it up at their next token, JWKS or verification of a new-key token`);
    return;
  }
  const { ids, source } = await knownUserIds(config.databaseUrl);
  if (!argument || !ids.includes(argument)) {
    const problem = argument ? `unknown user "${argument}"` : 'usage: npm run token -- <user id>   (or --rotate-key)';
    const valid = ids.length > 0 ? `valid ids (from ${source}): ${ids.join(', ')}` : `${source} has no active users: run npm run seed`;
    console.error(`${problem}; ${valid}`);
    process.exit(1);
  }
  const issuer = await openLocalIssuer(config);
  console.log(await issuer.issueUserToken(argument));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
