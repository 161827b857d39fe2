// A sampler that runs beside an operation: looks every `intervalMs` and keeps what it saw. A look
// that fails (a server briefly down, which may be the fault under test) is counted, not fatal.
import { setTimeout as sleep } from 'node:timers/promises';

export interface Sampler<T> {
  /** Stops with a last look; resolves with every record, and how many looks failed. */
  stop(): Promise<{ records: T[]; failures: number }>;
}

export function startSampler<T>(intervalMs: number, look: () => Promise<T[]>): Sampler<T> {
  const records: T[] = [];
  let failures = 0;
  let running = true;
  const lookOnce = async () => {
    try {
      records.push(...(await look()));
    } catch {
      failures++;
    }
  };
  const loop = (async () => {
    while (running) {
      await lookOnce();
      if (running) await sleep(intervalMs);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await lookOnce(); // so that the records end with how things were when the run ended
      return { records, failures };
    },
  };
}
