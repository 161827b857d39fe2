// One cell of the fault matrix as a test: CI's slice, one cell per operation (the whole matrix is
// scripts/bench/fault-matrix.ts). Planned with seed 16, every run killed at its planned point,
// each ending as the fault expects with nothing unsafe or doubled in the lab's own records. A
// cell runs on the stack its test file already has when the driver's scenario is that file's.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { planMatrix } from '../../scripts/bench/fault-matrix-plan';
import { runCell, Stacks, type OperationDriver } from '../../scripts/bench/fault-matrix-run';
import type { TestStack } from './stack';

export function matrixCellTest(
  cell: string,
  driver: OperationDriver,
  {
    killsPerOperation = 1,
    runs = 1,
    maxDelayMs = 3000,
    stack,
  }: {
    killsPerOperation?: number;
    runs?: number;
    /** The longest wait into the planned step before the kill: short for a run of seconds. */
    maxDelayMs?: number;
    stack?: () => TestStack;
  } = {},
) {
  return async (t: TestContext) => {
    const stacks = new Stacks(driver, stack?.());
    try {
      const [planned] = planMatrix({ seed: 16, killsPerOperation, maxDelayMs, cell });
      const result = await runCell(stacks, driver, planned, (line) => t.diagnostic(line));
      const lines = result.reports.map((r) => r.note).join('\n');
      const findings = result.reports.flatMap((r) => [...r.unsafe, ...r.doubled]);
      assert.equal(planned.runs.length, runs);
      assert.equal(result.kills, runs, lines);
      assert.equal(result.asExpected, runs, lines);
      assert.deepEqual(findings, []);
    } finally {
      await stacks.stop();
    }
  };
}
