// Structured JSON logs (pino) for the worker, and the bridge that routes the SDK's logs into them.
import pino from 'pino';
import { DefaultLogger, type LogLevel } from '@temporalio/worker';

export function createLogger(level: string) {
  return pino({ level, base: { service: 'steward-worker' } });
}

export function sdkLogger(log: pino.Logger, level: LogLevel): DefaultLogger {
  return new DefaultLogger(level, ({ level: l, message, meta }) => {
    const method =
      l === 'TRACE' ? 'trace' : (l.toLowerCase() as 'debug' | 'info' | 'warn' | 'error');
    log[method](meta ?? {}, message);
  });
}
