// What the benchmarks share: timing a step, printing seconds, and a throwaway state folder whose
// daemons (lab, Temporal, worker) are stopped and which is removed when the benchmark ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopDaemons } from '../../lab/daemon';

export const seconds = (ms: number) => (ms / 1000).toFixed(1);

export function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  return run().then((value) => ({ ms: performance.now() - t0, value }));
}

/**
 * Runs `bench` in a fresh state folder, cleans up after it (also when interrupted: the daemons
 * run detached and would outlive the benchmark), and exits 1 if it failed.
 */
export function runBenchmark(prefix: string, bench: (stateDir: string) => Promise<void>): void {
  const stateDir = mkdtempSync(join(tmpdir(), prefix));
  const cleanUp = async () => {
    await stopDaemons(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
  }
  bench(stateDir)
    .finally(cleanUp)
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
