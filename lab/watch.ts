// Watches for the lab's controllers: they react to a change as it happens, as a real kubelet or
// controller would, instead of up to a poll interval later.
import { KubeConfig, Watch } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';

const RESTART_AFTER_ERROR_MS = 500;

/**
 * Calls `onObject` with each object a watch of `path` reports added or modified (first the current
 * ones, then every change), watching again whenever the apiserver ends the watch, until `signal`
 * aborts.
 */
export async function keepWatching<T>(
  kc: KubeConfig,
  path: string,
  query: Record<string, string>,
  onObject: (object: T) => void,
  signal: AbortSignal,
  log: (message: string) => void,
): Promise<void> {
  const watch = new Watch(kc);
  while (!signal.aborted) {
    let controller: AbortController | undefined;
    const abort = () => controller?.abort();
    signal.addEventListener('abort', abort);
    const err = await new Promise<unknown>((resolve) => {
      watch
        .watch(
          path,
          query,
          (type, object: T) => (type === 'ADDED' || type === 'MODIFIED') && onObject(object),
          resolve,
        )
        .then((started) => {
          controller = started;
          if (signal.aborted) started.abort();
        })
        .catch(resolve);
    });
    signal.removeEventListener('abort', abort);
    if (err && !signal.aborted) {
      log(`watch ${path} ended: ${err instanceof Error ? err.message : String(err)}`);
      await sleep(RESTART_AFTER_ERROR_MS).catch(() => undefined);
    }
  }
}

/** Resolves once a watched object satisfies `done`; rejects after `timeoutMs`, naming `what`. */
export async function untilWatched<T>(
  kc: KubeConfig,
  what: string,
  path: string,
  query: Record<string, string>,
  done: (object: T) => boolean,
  timeoutMs: number,
): Promise<void> {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      stop.signal.addEventListener('abort', () =>
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      );
      const onObject = (object: T) => {
        if (done(object)) resolve();
      };
      keepWatching(kc, path, query, onObject, stop.signal, () => undefined).catch(reject);
    });
  } finally {
    clearTimeout(timer);
    stop.abort();
  }
}
