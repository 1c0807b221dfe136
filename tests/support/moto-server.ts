/**
 * A real S3-compatible server for tests: moto's server (PyPI `moto[server]`, installed into
 * .tools/moto by `npm run setup`), started as `moto_server` on a free loopback port.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort, waitFor } from './processes';

const motoDir = path.resolve(__dirname, '..', '..', '.tools', 'moto');

export interface MotoServer {
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts moto's S3 server on 127.0.0.1 and waits until it answers. */
export async function startMotoServer(): Promise<MotoServer> {
  const script = path.join(motoDir, 'bin', 'moto_server');
  if (!existsSync(script)) throw new Error(`moto is not installed in ${motoDir}: run npm run setup (it pip-installs moto[server] there)`);
  const port = await freePort();
  // The script's shebang names the Python that installed it; run it with python3 so a moved checkout still works.
  const child = spawn('python3', [script, '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, PYTHONPATH: motoDir, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${endpoint}/moto-api/`)).ok, 'moto server ready', 60_000, {
    child,
    output: () => output,
    kill: async () => undefined,
    stop: async () => undefined,
  });
  return {
    endpoint,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
