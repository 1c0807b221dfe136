/**
 * The API in production mode (NODE_ENV=production), against the real PostgreSQL and Temporal:
 *
 * - whatever starts it (`npm start`, `npm run api`, `startApiServer`), it refuses to start without
 *   codec keys, without an OIDC issuer, with /metrics open on the API port, or with the demo
 *   sign-in asked for, naming the variable, before it listens or migrates anything;
 * - the demo sign-in is off;
 * - webhook subscriptions to loopback, private, link-local, CGNAT or unspecified addresses are
 *   refused with 422 and the field path `url`, unless the allowed networks name them;
 * - /metrics asks for the scrape token, or is served on its own address and not on the API port.
 */
import { createConnection } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApiServer } from '../../api/server';
import { freePort, spawnScript } from '../support/processes';
import { testConfig } from '../support/stack';
import { expectProblem, startApiHarness, type ApiHarness } from './harness';

jest.setTimeout(120_000);

const codecKeys = `k1:${Buffer.alloc(32, 11).toString('base64')}`;
const metricsToken = 'scrape-token-0123456789abcdef0123456789';
const production = { NODE_ENV: 'production', RETICULATE_CODEC_KEYS: codecKeys, OIDC_ISSUER: 'https://id.example.test/realms/sds' };

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness({ env: { ...production, METRICS_TOKEN: metricsToken, NOTIFICATION_WEBHOOK_ALLOWED_NETWORKS: '10.20.0.0/16, fd00:20::/32' } });
}, 180_000);

afterAll(async () => {
  await api?.close();
});

/** Whether something accepts TCP connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs an entry point to its exit (killed after a minute: a start that should have been refused must not linger). */
async function runToExit(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const proc = spawnScript(script, env);
  const timer = setTimeout(() => void proc.kill(), 60_000);
  const code = await new Promise<number | null>((resolve) => proc.child.once('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  return { code, output: proc.output() };
}

describe('starting in production', () => {
  it('refuses without an OIDC issuer or with /metrics open, before listening', async () => {
    const port = await freePort();
    const base = { ...production, PORT: String(port), DATABASE_URL: api.config.databaseUrl! };
    const { OIDC_ISSUER: _issuer, ...withoutIssuer } = base;
    await expect(startApiServer({ config: testConfig({ ...withoutIssuer, METRICS_TOKEN: metricsToken }), pool: api.pool })).rejects.toThrow(
      /^Invalid configuration: OIDC_ISSUER: is required when NODE_ENV=production/,
    );
    await expect(startApiServer({ config: testConfig(base), pool: api.pool })).rejects.toThrow(/METRICS_ADDRESS or METRICS_TOKEN: one is required when NODE_ENV=production/);
    expect(await listening(port)).toBe(false);
  });

  it('refuses `npm run api` without codec keys or an issuer, naming each variable, before migrating', async () => {
    const { code, output } = await runToExit('api/server.ts', {
      NODE_ENV: 'production',
      RETICULATE_CODEC_KEYS: '',
      RETICULATE_CODEC_KEYS_FILE: '',
      OIDC_ISSUER: '',
      // An address where nothing listens: a migration attempt would fail differently.
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/Invalid configuration: .*RETICULATE_CODEC_KEYS \(or RETICULATE_CODEC_KEYS_FILE\): is required when NODE_ENV=production/);

    const withKeys = await runToExit('api/server.ts', { NODE_ENV: 'production', RETICULATE_CODEC_KEYS: codecKeys, OIDC_ISSUER: '', METRICS_PUBLIC: 'true', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(withKeys.code).toBe(1);
    expect(withKeys.output).toMatch(/Invalid configuration: OIDC_ISSUER: is required when NODE_ENV=production/);
    expect(withKeys.output).not.toMatch(/ECONNREFUSED/);
  });

  it('refuses the demo sign-in when `npm start` is asked for it, before starting any server', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'reticulate-production-start-'));
    const { code, output } = await runToExit('scripts/start.ts', {
      ...production,
      METRICS_TOKEN: metricsToken,
      CONSOLE_DEMO_SIGN_IN: 'true',
      RETICULATE_DATA_DIR: dataDir,
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/npm start failed: Invalid configuration: CONSOLE_DEMO_SIGN_IN: must not be true when NODE_ENV=production/);
    expect(output).not.toMatch(/PostgreSQL|Temporal (is|dev)/);
  });
});

describe('the demo sign-in', () => {
  it('is off: the console is told so and the sign-in page answers 404', async () => {
    const consoleConfig = await api.request(null, { method: 'GET', url: '/console-config' });
    expect(consoleConfig.json()).toMatchObject({ demoSignIn: false });
    expectProblem(await api.request(null, { method: 'GET', url: '/oauth/demo-users' }), 404, 'not_found');
    // A well-formed request to be signed in as the admin: the page's back end is closed.
    const asAdmin = {
      response_type: 'code',
      client_id: 'reticulate-console',
      redirect_uri: `${api.config.localIssuer.url}/console/callback`,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      user_id: 'admin',
    };
    expectProblem(await api.request(null, { method: 'POST', url: '/oauth/authorize', payload: asAdmin }), 404, 'not_found');
    const discovery = (await api.request(null, { method: 'GET', url: '/.well-known/openid-configuration' })).json();
    expect(discovery).not.toHaveProperty('authorization_endpoint');
  });
});

describe('webhook subscriptions', () => {
  const subscribe = (url: string) => api.request('admin', { method: 'POST', url: '/notifications/subscriptions', payload: { channel: 'webhook', url, kinds: ['task_escalated'] } });

  it.each([
    ['loopback', 'http://127.0.0.1:8080/hook'],
    ['loopback IPv6', 'http://[::1]:8080/hook'],
    ['loopback, written as a number', 'http://2130706433/hook'],
    ['loopback by name', 'http://localhost:8080/hook'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/hook'],
    ['private', 'https://10.0.0.5/hook'],
    ['private 172.16/12', 'https://172.20.1.1/hook'],
    ['private 192.168/16', 'https://192.168.1.10/hook'],
    ['unique local', 'https://[fd12::1]/hook'],
    ['cloud metadata (link-local)', 'http://169.254.169.254/latest/meta-data/'],
    ['link-local IPv6', 'http://[fe80::1]/hook'],
    ['unspecified', 'http://0.0.0.0:8080/hook'],
    ['carrier-grade NAT', 'https://100.64.10.1/hook'],
  ])('refuses %s with 422 at the field url', async (_label, url) => {
    const body = expectProblem(await subscribe(url), 422, 'invalid_data');
    expect(body.issues).toEqual([expect.objectContaining({ path: ['url'], code: 'non_public_address' })]);
    expect(body.issues?.[0]?.message).toMatch(/may not reach/);
  });

  it('accepts public addresses and the allowed networks, and nothing is stored of a refused one', async () => {
    for (const url of ['https://93.184.215.14/hook', 'https://[2a00:1450:4002:402::200e]/hook', 'https://10.20.3.4:8443/hook', 'https://[fd00:20::7]/hook']) {
      const created = await subscribe(url);
      expect({ url, status: created.statusCode }).toEqual({ url, status: 201 });
    }
    const { rows } = await api.pool.query<{ url: string }>(`SELECT url FROM notification_subscriptions WHERE channel = 'webhook' ORDER BY url`);
    expect(rows.map((row) => row.url)).toEqual(['https://10.20.3.4:8443/hook', 'https://93.184.215.14/hook', 'https://[2a00:1450:4002:402::200e]/hook', 'https://[fd00:20::7]/hook']);
  });

  it('refuses a host name that does not resolve', async () => {
    const body = expectProblem(await subscribe('https://no-such-host.invalid/hook'), 422, 'invalid_data');
    expect(body.issues).toEqual([expect.objectContaining({ path: ['url'], code: 'unresolvable_host' })]);
  });
});

describe('/metrics', () => {
  it('asks for the scrape token, compared whole', async () => {
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${metricsToken}x`, `Bearer ${metricsToken.slice(0, -1)}`, `Basic ${metricsToken}`]) {
      const refused = await api.request(null, { method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
      expectProblem(refused, 401, 'unauthorized');
      expect(refused.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(refused.body).not.toContain(metricsToken);
    }
    const scraped = await api.request(null, { method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${metricsToken}` } });
    expect(scraped.statusCode).toBe(200);
    expect(scraped.body).toContain('reticulate_cases');
    expect(scraped.body).toContain('http_request_duration_seconds');
  });

  it('is served on its own address and not on the API port with METRICS_ADDRESS', async () => {
    const server = await startApiServer({
      config: testConfig({ ...production, PORT: '0', METRICS_ADDRESS: '127.0.0.1:0', DATABASE_URL: api.config.databaseUrl!, TEMPORAL_TASK_QUEUE: api.config.taskQueue }),
      pool: api.pool,
    });
    try {
      expect(new URL(server.metricsUrl).port).not.toBe(new URL(server.url).port);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      const onApiPort = await fetch(`${server.url}/metrics`);
      expect(onApiPort.status).toBe(404);
      expect(onApiPort.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const scraped = await fetch(server.metricsUrl);
      expect(scraped.status).toBe(200);
      const text = await scraped.text();
      expect(text).toContain('reticulate_open_tasks');
      // The readiness probe above went through the API port and is counted there.
      expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/readyz"/);
      expect((await fetch(new URL('/healthz', server.metricsUrl))).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('asks for the token on its own address too when both are set', async () => {
    const server = await startApiServer({
      config: testConfig({ ...production, PORT: '0', METRICS_ADDRESS: '127.0.0.1:0', METRICS_TOKEN: metricsToken, DATABASE_URL: api.config.databaseUrl!, TEMPORAL_TASK_QUEUE: api.config.taskQueue }),
      pool: api.pool,
    });
    try {
      expect((await fetch(server.metricsUrl)).status).toBe(401);
      expect((await fetch(server.metricsUrl, { headers: { authorization: `Bearer ${metricsToken}` } })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
