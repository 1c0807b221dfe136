/**
 * The pure-ish parts of authentication: the embedded issuer's key file (created once even by racing
 * processes, private, rotated with previous public keys kept), client-secret hashing, and the
 * security settings' parsing (never `none` or HS* for OIDC, origins only, durations).
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateClientSecret, hashClientSecret, verifyClientSecret } from '../../api/auth/client-secrets';
import { createTokenVerifier, InvalidTokenError, keySourceProblem, remoteKeySet } from '../../api/auth/tokens';
import { loadConfig } from '../../infra/config';
import { LocalIssuer, loadOrCreateKeyFile, rotateIssuerKey } from '../../infra/local-issuer';

const freshKeyFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'reticulate-issuer-unit-')), 'issuer', 'keys.json');

describe('the embedded issuer key file', () => {
  it('is created once, private, even when several processes start together', async () => {
    const file = freshKeyFile();
    const loaded = await Promise.all(Array.from({ length: 5 }, () => loadOrCreateKeyFile(file)));
    expect(new Set(loaded.map((content) => content.keys[0].kid)).size).toBe(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });

  it('keeps at most three previous public keys after rotations, and only the current private key', async () => {
    const file = freshKeyFile();
    const first = (await loadOrCreateKeyFile(file)).keys[0].kid;
    const rotated: string[] = [];
    for (let i = 0; i < 4; i += 1) rotated.push(await rotateIssuerKey(file));
    const { keys } = await loadOrCreateKeyFile(file);
    expect(keys.map((key) => key.kid)).toEqual([rotated[3], rotated[2], rotated[1], rotated[0]]);
    expect(keys.map((key) => key.privateJwk !== undefined)).toEqual([true, false, false, false]);
    expect(keys.map((key) => key.kid)).not.toContain(first);
    const issuer = await LocalIssuer.open({ url: 'http://issuer.test', audience: 'reticulate-api', keyFile: file });
    expect(issuer.publishedJwks().keys.map((key) => key.kid)).toEqual(keys.map((key) => key.kid));
  });
});

describe('client secrets', () => {
  it('verify against their scrypt hash only', async () => {
    const secret = generateClientSecret();
    const hash = await hashClientSecret(secret);
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(hash).not.toContain(secret);
    expect(await verifyClientSecret(secret, hash)).toBe(true);
    expect(await verifyClientSecret(`${secret}x`, hash)).toBe(false);
    expect(await verifyClientSecret(secret, await hashClientSecret(secret))).toBe(true);
    expect(await verifyClientSecret(secret, null)).toBe(false);
    expect(await verifyClientSecret(secret, 'plain-text')).toBe(false);
  });
});

describe('security settings', () => {
  const parse = (env: Record<string, string>) => () => loadConfig(env);

  it('allows only asymmetric OIDC algorithms', () => {
    expect(parse({ OIDC_ALGORITHMS: 'none' })).toThrow(/OIDC_ALGORITHMS/);
    expect(parse({ OIDC_ALGORITHMS: 'RS256, HS256' })).toThrow(/OIDC_ALGORITHMS/);
    expect(loadConfig({ OIDC_ALGORITHMS: 'PS256,ES384' }).oidc.algorithms).toEqual(['PS256', 'ES384']);
    expect(loadConfig({}).oidc).toEqual({ audience: 'reticulate-api', algorithms: ['RS256', 'ES256'], userClaim: 'sub' });
  });

  it('fetches an OIDC provider\'s keys over https only (plain http on this machine alone)', () => {
    for (const url of ['https://idp.example.org/realms/oss', 'http://127.0.0.1:8080/realm', 'http://localhost:9000', 'http://[::1]:8080/keys']) expect(keySourceProblem(url)).toBeNull();
    for (const url of ['http://idp.example.org/realms/oss', 'http://127.0.0.1.evil.example/keys', 'ftp://idp.example.org', 'file:///etc/keys.json', 'not a url']) {
      expect(keySourceProblem(url)).not.toBeNull();
    }
    expect(() => remoteKeySet({ issuer: 'http://idp.example.org/realms/oss' })).toThrow(/OIDC_ISSUER .*https/);
    expect(() => remoteKeySet({ issuer: 'https://idp.example.org/realms/oss', jwksUrl: 'http://idp.example.org/keys' })).toThrow(/OIDC_JWKS_URL .*https/);
    expect(() => remoteKeySet({ issuer: 'https://idp.example.org/realms/oss' })).not.toThrow();
  });

  it('takes CORS origins, not URLs, and rate windows as durations', () => {
    expect(parse({ CORS_ORIGINS: 'https://app.example/inbox' })).toThrow(/CORS_ORIGINS/);
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example, http://localhost:5173' }).corsOrigins).toEqual(['https://app.example', 'http://localhost:5173']);
    expect(loadConfig({ RATE_LIMIT_WINDOW: '30 s' }).rateLimit.windowMs).toBe(30_000);
    expect(loadConfig({ RATE_LIMIT_WINDOW: '2 minutes' }).rateLimit.windowMs).toBe(120_000);
    expect(loadConfig({ RATE_LIMIT_WINDOW: '90000' }).rateLimit.windowMs).toBe(90_000);
    expect(parse({ RATE_LIMIT_WINDOW: 'soon' })).toThrow(/RATE_LIMIT_WINDOW/);
    expect(parse({ RATE_LIMIT_MAX: '0' })).toThrow(/RATE_LIMIT_MAX/);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(parse({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY/);
  });

  it('opens the demo sign-in only where no identity provider is configured, and never beside the console\'s provider', () => {
    expect(loadConfig({}).console.demoSignIn).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', RETICULATE_CODEC_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}` }).console.demoSignIn).toBe(false);
    // Production mode has no embedded exception any more: codec keys are required whatever starts the process.
    expect(parse({ NODE_ENV: 'production', RETICULATE_EMBEDDED: '1' })).toThrow(/RETICULATE_CODEC_KEYS/);
    expect(loadConfig({ OIDC_ISSUER: 'https://id.example.org/realms/sds' }).console.demoSignIn).toBe(false);
    expect(loadConfig({ OIDC_ISSUER: 'https://id.example.org/realms/sds', OIDC_CONSOLE_CLIENT_ID: 'console' }).console.demoSignIn).toBe(false);
    expect(parse({ OIDC_ISSUER: 'https://id.example.org/realms/sds', OIDC_CONSOLE_CLIENT_ID: 'console', CONSOLE_DEMO_SIGN_IN: 'true' })).toThrow(/CONSOLE_DEMO_SIGN_IN/);
    expect(parse({ OIDC_CONSOLE_CLIENT_ID: 'console' })).toThrow(/OIDC_CONSOLE_CLIENT_ID: needs OIDC_ISSUER/);
    expect(parse({ CONSOLE_DEMO_SIGN_IN: 'yes' })).toThrow(/CONSOLE_DEMO_SIGN_IN: must be true or false/);
  });

  it('names the local issuer by an address clients can reach, and keeps its keys under the data dir', () => {
    const config = loadConfig({ HOST: '0.0.0.0', PORT: '8080', RETICULATE_DATA_DIR: '/srv/reticulate' });
    expect(config.localIssuer).toEqual({ url: 'http://127.0.0.1:8080', keyFile: '/srv/reticulate/issuer/keys.json' });
    expect(loadConfig({ RETICULATE_ISSUER_URL: 'https://api.reticulate.example/' }).localIssuer.url).toBe('https://api.reticulate.example');
  });
});

describe('verified tokens', () => {
  it('are reused without a signature check until they expire, and refused after', async () => {
    const issuer = await LocalIssuer.open({ url: 'http://issuer.test', audience: 'reticulate-api', keyFile: freshKeyFile() });
    let keyLookups = 0;
    const verifier = createTokenVerifier([
      {
        issuer: issuer.url,
        audience: 'reticulate-api',
        algorithms: ['ES256'],
        keys: async (header, token) => {
          keyLookups += 1;
          return issuer.keySet(header, token);
        },
        userClaim: 'sub',
        local: true,
      },
    ]);
    const start = new Date();
    const token = await issuer.issue({ subject: 'oss-operator-livorno', ttlSeconds: 300, now: start });
    const first = await verifier.verify(token, start);
    const again = await verifier.verify(token, new Date(start.getTime() + 30_000));
    expect(again).toEqual(first);
    expect(keyLookups).toBe(1);
    // Past the reuse window the signature is checked again; past the expiry (and its tolerance) the token is refused.
    await verifier.verify(token, new Date(start.getTime() + 90_000));
    expect(keyLookups).toBe(2);
    await expect(verifier.verify(token, new Date(start.getTime() + 400_000))).rejects.toBeInstanceOf(InvalidTokenError);
    // A refused token is never remembered as good.
    await expect(verifier.verify(`${token.slice(0, -4)}AAAA`, start)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});
