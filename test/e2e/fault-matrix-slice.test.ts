// CI's slice of the fault matrix (scripts/bench/fault-matrix.ts runs the whole of it): one cell
// per operation, each run with its worker SIGKILLed at a planned point and the operator's decision
// scripted, judged from the lab's own records by the unsafe-action checker. Each operation has its
// own lab, stopped before the next starts; the new operations' cells are one run each (a lab's
// start is most of their cost).
import assert from 'node:assert/strict';
import { after, describe, it, type TestContext } from 'node:test';
import { drainDriver } from '../../scripts/bench/fault-matrix-drain';
import { evictionDriver } from '../../scripts/bench/fault-matrix-eviction';
import { planMatrix } from '../../scripts/bench/fault-matrix-plan';
import { reinstallDriver } from '../../scripts/bench/fault-matrix-reinstall';
import { rookDriver } from '../../scripts/bench/fault-matrix-rook';
import { runCell, Stacks, type OperationDriver } from '../../scripts/bench/fault-matrix-run';

/** Runs `cell` (planned with seed 16) on its own lab; every run killed, as expected, nothing found. */
function sliceCell(cell: string, driver: OperationDriver, killsPerOperation: number, runs: number) {
  const stacks = new Stacks(driver);
  after(async () => stacks.stop());
  return async (t: TestContext) => {
    const [planned] = planMatrix({ seed: 16, killsPerOperation, maxDelayMs: 3000, cell });
    const result = await runCell(stacks, driver, planned, (line) => t.diagnostic(line));
    await stacks.stop();
    const lines = result.reports.map((r) => r.note).join('\n');
    const findings = result.reports.flatMap((r) => [...r.unsafe, ...r.doubled]);
    assert.equal(planned.runs.length, runs);
    assert.equal(result.kills, runs, lines);
    assert.equal(result.asExpected, runs, lines);
    assert.deepEqual(findings, []);
  };
}

describe('the fault matrix, one cell per operation', { concurrency: 1 }, () => {
  it(
    'drain under a PDB that never allows, killed in each run: as expected, nothing unsafe or doubled',
    // Two cells of drain: two runs of this one.
    sliceCell('drain/pdb-never-allows', drainDriver(), 4, 2),
  );
  it(
    'reinstall (deployment none) under a hung BMC, killed: retried once it answers, nothing unsafe or doubled',
    sliceCell('reinstall-none/bmc-hangs', reinstallDriver('none')(), 1, 1),
  );
  it(
    'hypervisor eviction under a partition-sized failure, killed: refused, nothing unsafe or doubled',
    sliceCell('hypervisor-eviction/partition-sized-failure', evictionDriver(), 1, 1),
  );
  it(
    'Rook/Ceph upgrade with PGs scrubbing, killed: upgraded, nothing unsafe or doubled',
    sliceCell('rook-ceph-upgrade/pgs-scrubbing', rookDriver(), 1, 1),
  );
});
