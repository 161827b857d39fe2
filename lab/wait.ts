import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { get, IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRunning, logFile } from './daemon';

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Fail fast, quoting its log, when this daemon of `stateDir` dies while we wait. */
  daemon?: { stateDir: string; name: string };
}

/** Polls `check` until it returns true; the error names `what` and the last reason given. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean | string>,
  { timeoutMs = 60_000, intervalMs = 200, daemon }: WaitOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const result = await check();
      if (result === true) return;
      last = typeof result === 'string' ? result : '';
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (daemon && !isRunning(daemon.stateDir, daemon.name)) {
      throw new Error(`${daemon.name} exited while waiting for ${what}:\n${tail(daemon)}`);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ''}`,
      );
    }
    await sleep(intervalMs);
  }
}

function tail({ stateDir, name }: { stateDir: string; name: string }): string {
  const path = logFile(stateDir, name);
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-15).join('\n') + `\n(log: ${path})`;
  } catch {
    return `(no log at ${path})`;
  }
}

export interface TlsOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized?: boolean;
}

/** GETs `url` (http or https) and resolves with status and body; never follows redirects. */
export function httpGet(
  url: string,
  tls: TlsOptions = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    };
    const req = url.startsWith('https:')
      ? request(url, { ...tls, timeout: 5_000 }, onResponse).end()
      : get(url, { timeout: 5_000 }, onResponse);
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}
