/**
 * Production mode as the configuration sees it (NODE_ENV=production): the demo sign-in is off and
 * refused when asked for, whatever starts the process; codec keys are required (never a generated
 * dev key); an API also needs an OIDC issuer and a protected /metrics. Every refusal names the
 * variable at fault. (The API refusing to start and serving metrics is tested against real
 * servers in tests/api/production-mode.test.ts.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assertApiConfig, loadConfig } from '../../infra/config';

const codecKeys = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
/** Everything production asks of an API, so each test removes or changes one thing. */
const productionApi = { NODE_ENV: 'production', RETICULATE_CODEC_KEYS: codecKeys, OIDC_ISSUER: 'https://id.example.org/realms/sds', METRICS_TOKEN: 'a-scrape-token-of-32-characters!' };

const problemOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
};

describe('the demo sign-in in production', () => {
  it('is off by default, also when npm start (the embedded stack) starts the process', () => {
    expect(loadConfig(productionApi).console.demoSignIn).toBe(false);
    // npm start used to mark its processes as embedded, which kept the demo sign-in on: no longer an exception.
    expect(loadConfig({ ...productionApi, RETICULATE_EMBEDDED: '1' }).console.demoSignIn).toBe(false);
    expect(loadConfig({ ...productionApi, CONSOLE_DEMO_SIGN_IN: 'false' }).console.demoSignIn).toBe(false);
  });

  it('refuses to start when asked for, naming the variable', () => {
    expect(problemOf(() => loadConfig({ ...productionApi, CONSOLE_DEMO_SIGN_IN: 'true' }))).toMatch(/^Invalid configuration: CONSOLE_DEMO_SIGN_IN: must not be true when NODE_ENV=production/);
    expect(problemOf(() => loadConfig({ ...productionApi, RETICULATE_EMBEDDED: '1', CONSOLE_DEMO_SIGN_IN: 'true' }))).toMatch(/CONSOLE_DEMO_SIGN_IN/);
  });

  it('stays available outside production', () => {
    expect(loadConfig({}).console.demoSignIn).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', CONSOLE_DEMO_SIGN_IN: 'true' }).console.demoSignIn).toBe(true);
  });
});

describe('codec keys in production', () => {
  it('are required, by name, with every other problem in the same message', () => {
    const { RETICULATE_CODEC_KEYS: _keys, ...withoutKeys } = productionApi;
    expect(problemOf(() => loadConfig(withoutKeys))).toMatch(/^Invalid configuration: RETICULATE_CODEC_KEYS \(or RETICULATE_CODEC_KEYS_FILE\): is required when NODE_ENV=production/);
    expect(problemOf(() => loadConfig({ ...withoutKeys, RETICULATE_EMBEDDED: '1' }))).toMatch(/RETICULATE_CODEC_KEYS/);
    const both = problemOf(() => loadConfig({ ...withoutKeys, CONSOLE_DEMO_SIGN_IN: 'true', RATE_LIMIT_MAX: '0' }));
    expect(both).toMatch(/RATE_LIMIT_MAX/);
    expect(both).toMatch(/CONSOLE_DEMO_SIGN_IN/);
    expect(both).toMatch(/RETICULATE_CODEC_KEYS/);
  });

  it('may come from a file, and are optional outside production (the embedded key file)', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'reticulate-keys-')), 'codec-keys');
    writeFileSync(file, `${codecKeys}\n`);
    const { RETICULATE_CODEC_KEYS: _keys, ...withoutKeys } = productionApi;
    expect(loadConfig({ ...withoutKeys, RETICULATE_CODEC_KEYS_FILE: file }).codecKeys).toBe(codecKeys);
    expect(loadConfig({ NODE_ENV: 'test' }).codecKeys).toBeUndefined();
  });

  it('are still checked for form, without echoing a key', () => {
    const message = problemOf(() => loadConfig({ ...productionApi, RETICULATE_CODEC_KEYS: 'k1:c2hvcnQ=' }));
    expect(message).toMatch(/RETICULATE_CODEC_KEYS/);
    expect(message).not.toContain('c2hvcnQ=');
  });
});

describe('what an API needs in production', () => {
  it('accepts a complete configuration, and asks nothing more of other processes or outside production', () => {
    expect(() => assertApiConfig(loadConfig(productionApi))).not.toThrow();
    expect(() => assertApiConfig(loadConfig({}))).not.toThrow();
    // A worker loads the same configuration without an issuer or metrics settings: loadConfig alone does not refuse.
    expect(loadConfig({ NODE_ENV: 'production', RETICULATE_CODEC_KEYS: codecKeys }).production).toBe(true);
  });

  it('needs an OIDC issuer, by name', () => {
    const { OIDC_ISSUER: _issuer, ...withoutIssuer } = productionApi;
    expect(problemOf(() => assertApiConfig(loadConfig(withoutIssuer)))).toMatch(/^Invalid configuration: OIDC_ISSUER: is required when NODE_ENV=production/);
  });

  it('needs /metrics on its own address, behind a token, or explicitly public', () => {
    const { METRICS_TOKEN: _token, ...open } = productionApi;
    expect(problemOf(() => assertApiConfig(loadConfig(open)))).toMatch(/METRICS_ADDRESS or METRICS_TOKEN: one is required when NODE_ENV=production/);
    expect(() => assertApiConfig(loadConfig({ ...open, METRICS_ADDRESS: '127.0.0.1:9100' }))).not.toThrow();
    expect(() => assertApiConfig(loadConfig({ ...open, METRICS_PUBLIC: 'true' }))).not.toThrow();
    const { OIDC_ISSUER: _issuer, ...neither } = open;
    const message = problemOf(() => assertApiConfig(loadConfig(neither)));
    expect(message).toMatch(/OIDC_ISSUER/);
    expect(message).toMatch(/METRICS_ADDRESS or METRICS_TOKEN/);
  });
});

describe('the metrics settings', () => {
  it('parse the listen address (IPv4, name or [IPv6]) and the token (inline or from a file)', () => {
    expect(loadConfig({ METRICS_ADDRESS: '127.0.0.1:9100' }).metrics.address).toEqual({ host: '127.0.0.1', port: 9100 });
    expect(loadConfig({ METRICS_ADDRESS: 'metrics.internal:9100' }).metrics.address).toEqual({ host: 'metrics.internal', port: 9100 });
    expect(loadConfig({ METRICS_ADDRESS: '[::1]:9100' }).metrics.address).toEqual({ host: '::1', port: 9100 });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'reticulate-metrics-')), 'token');
    writeFileSync(file, 'token-from-a-file-0123456789\n');
    expect(loadConfig({ METRICS_TOKEN_FILE: file }).metrics.token).toBe('token-from-a-file-0123456789');
    expect(loadConfig({}).metrics).toEqual({ public: false });
  });

  it('refuse what cannot work, by name and without echoing a token', () => {
    expect(problemOf(() => loadConfig({ METRICS_ADDRESS: '9100' }))).toMatch(/METRICS_ADDRESS: must be host:port/);
    expect(problemOf(() => loadConfig({ METRICS_ADDRESS: '127.0.0.1:99999' }))).toMatch(/METRICS_ADDRESS: the port must be at most 65535/);
    const short = problemOf(() => loadConfig({ METRICS_TOKEN: 'secret' }));
    expect(short).toMatch(/METRICS_TOKEN: must be at least 16 characters/);
    expect(short).not.toContain('secret');
    expect(problemOf(() => loadConfig({ METRICS_PUBLIC: 'true', METRICS_TOKEN: 'a-scrape-token-of-32-characters!' }))).toMatch(/METRICS_PUBLIC: must not be true together with/);
  });
});
