/**
 * The console signing in with an external OIDC provider (authorization code + PKCE), in a real
 * browser: the API names the provider in /console-config, the console sends the person there,
 * exchanges the code with its verifier at the provider, and calls the API with the provider's
 * access token; the embedded demo sign-in is off.
 */
import { eventually } from '../stack-processes';
import { buildConsole, startConsoleStack, type ConsoleStack } from './console-harness';
import { startTestOidcProvider, type TestOidcProvider } from './oidc-provider';

let provider: TestOidcProvider;
let consoleStack: ConsoleStack;

beforeAll(async () => {
  provider = await startTestOidcProvider({ clientId: 'reticulate-console-test', username: 'social-worker-pistoia', audience: 'reticulate-api' });
  consoleStack = await startConsoleStack({
    consoleDir: buildConsole('/tmp/reticulate-console-oidc'),
    env: {
      NODE_ENV: 'production',
      RETICULATE_CODEC_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
      METRICS_PUBLIC: 'true',
      OIDC_ISSUER: provider.issuer,
      OIDC_USER_CLAIM: 'preferred_username',
      OIDC_CONSOLE_CLIENT_ID: 'reticulate-console-test',
    },
  });
}, 180_000);

afterAll(async () => {
  await consoleStack?.close();
  await provider?.close();
});

it('signs the person in at the provider with PKCE and works with its token', async () => {
  const page = await consoleStack.newPage();
  const apiCalls: string[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(consoleStack.baseUrl) && request.headers().authorization?.startsWith('Bearer ')) apiCalls.push(new URL(request.url()).pathname);
  });
  await page.goto('/console/inbox');
  await page.waitForURL(/\/console\/inbox$/);
  await expect(page.getByTestId('signed-in-as').textContent()).resolves.toContain('Assistente sociale Pistoia');
  expect(provider.seen.authorizations).toEqual([{ clientId: 'reticulate-console-test', method: 'S256' }]);
  expect(provider.seen.exchanges).toBe(1);
  expect(apiCalls).toContain('/me');

  // Signing out ends the provider's session too (a shared office PC), then comes back to the console.
  await page.getByRole('button', { name: 'Esci' }).click();
  await eventually(async () => (provider.seen.authorizations.length === 2 ? true : undefined), 'a new sign-in at the provider after signing out');
  expect(provider.seen.logouts).toBe(1);
  await page.getByTestId('signed-in-as').waitFor();

  // The embedded sign-in page's back end is closed in this configuration.
  const demo = await consoleStack.http('GET', '/oauth/demo-users', '');
  expect(demo.status).toBe(404);
});
