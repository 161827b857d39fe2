// The worker's Temporal connection follows its certificate files: when one changes (a renewed
// client certificate, a rotated CA), a new connection is made from the files as they are now and
// handed to the worker, which goes on polling through it; the old one is closed. A failed
// reconnection keeps the old connection and is retried at the next change.
import { NativeConnection, type Worker } from '@temporalio/worker';
import {
  certificateFiles,
  connectionOptions,
  watchFiles,
  type TemporalDefaults,
} from './temporal-connection';

export interface CertificateReload {
  worker: Worker;
  temporal: TemporalDefaults;
  /** Told of each new connection, for what else uses it (the activities' client). */
  connected: (connection: NativeConnection) => void;
  log: Record<'info' | 'warn', (fields: object, message: string) => void>;
  intervalMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Starts following the certificate files; returns the function that stops. */
export function reloadCertificates(options: CertificateReload): () => void {
  const { worker, temporal, connected, log, intervalMs, env = process.env } = options;
  const files = certificateFiles(temporal, env);
  if (files.length === 0) return () => undefined;
  const reconnect = async () => {
    try {
      const next = await NativeConnection.connect(connectionOptions(temporal, env));
      const previous = worker.connection;
      worker.connection = next;
      connected(next);
      await previous?.close();
      log.info({ files }, 'Temporal certificates changed: reconnected with the new ones');
    } catch (err) {
      log.warn(
        { err: (err as Error).message, files },
        'Temporal certificates changed: reconnection failed, the old connection stays',
      );
    }
  };
  return watchFiles(files, () => void reconnect(), intervalMs);
}
