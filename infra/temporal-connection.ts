/**
 * Connections to the Temporal frontend: a `Client` for the API and a `NativeConnection` for
 * workers, both built from the same `AppConfig` so they can never disagree about TLS or keys.
 * Every client encrypts its payloads (infra/codec): nothing personal reaches Temporal in clear.
 */
import { readFile } from 'node:fs/promises';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { encryptedDataConverter } from './codec/data-converter';
import type { PersonKeyStore } from './codec/person-key-store';
import type { AppConfig } from './config';

async function tlsOptions(temporal: AppConfig['temporal']): Promise<TLSConfig | undefined> {
  const { tls, apiKey } = temporal;
  if (tls) {
    const [crt, key, serverRootCACertificate] = await Promise.all([
      readFile(tls.clientCertPath),
      readFile(tls.clientKeyPath),
      tls.serverRootCaPath === undefined ? Promise.resolve(undefined) : readFile(tls.serverRootCaPath),
    ]);
    return { clientCertPair: { crt, key }, serverRootCACertificate, serverNameOverride: tls.serverNameOverride };
  }
  // API keys are only ever accepted over TLS (Temporal Cloud): plain TLS with the system roots.
  return apiKey === undefined ? undefined : {};
}

async function connectionOptions(config: AppConfig) {
  return {
    address: config.temporal.address,
    tls: await tlsOptions(config.temporal),
    apiKey: config.temporal.apiKey,
  };
}

/** Connects a Temporal `Client` bound to the configured namespace, encrypting payloads with `keys`. */
export async function connectTemporalClient(config: AppConfig, keys: PersonKeyStore): Promise<Client> {
  const connection = await Connection.connect(await connectionOptions(config));
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter: encryptedDataConverter(keys) });
}

/** Connects the native (Rust core) connection that a `Worker` polls through. */
export async function connectWorkerConnection(config: AppConfig): Promise<NativeConnection> {
  return NativeConnection.connect(await connectionOptions(config));
}
