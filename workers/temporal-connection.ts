// Connection options for any Temporal: the local dev server, a self-hosted cluster with mTLS, or
// Temporal Cloud with an API key. Shared by the worker and the CLI.
import { readFileSync } from 'node:fs';
import type { StewardConfig } from './config';

export interface ConnectionOptions {
  address: string;
  tls?: {
    serverNameOverride?: string;
    serverRootCACertificate?: Buffer;
    clientCertPair?: { crt: Buffer; key: Buffer };
  };
  apiKey?: string;
}

export function connectionOptions(
  config: StewardConfig,
  env: NodeJS.ProcessEnv = process.env,
): ConnectionOptions {
  const { address, tls, apiKeyEnv } = config.temporal;
  const apiKey = env[apiKeyEnv] || undefined;
  const options: ConnectionOptions = { address, apiKey };
  if (tls || apiKey) {
    options.tls = {
      serverNameOverride: tls?.serverName,
      serverRootCACertificate: tls?.ca ? readFileSync(tls.ca) : undefined,
      clientCertPair:
        tls?.cert && tls.key
          ? { crt: readFileSync(tls.cert), key: readFileSync(tls.key) }
          : undefined,
    };
  }
  return options;
}
