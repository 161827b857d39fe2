// CI's slice of the fault matrix (scripts/bench/fault-matrix.ts runs the whole of it): one drain
// cell, each run with its worker SIGKILLed at a planned point and the operator's abort scripted,
// judged from the lab's own records by the unsafe-action checker.
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { drainDriver } from '../../scripts/bench/fault-matrix-drain';
import { planMatrix } from '../../scripts/bench/fault-matrix-plan';
import { runCell, Stacks } from '../../scripts/bench/fault-matrix-run';

const driver = drainDriver();
const stacks = new Stacks(driver);

after(async () => stacks.stop());

it('drain under a PDB that never allows, killed in each run: as expected, nothing unsafe or doubled', async (t) => {
  const [cell] = planMatrix({
    seed: 16,
    killsPerOperation: 4, // two cells of drain: two runs of this one
    maxDelayMs: 3000,
    cell: 'drain/pdb-never-allows',
  });
  const result = await runCell(stacks, driver, cell, (line) => t.diagnostic(line));
  const lines = result.reports.map((r) => r.note).join('\n');
  const findings = result.reports.flatMap((r) => [...r.unsafe, ...r.doubled]);
  assert.equal(result.kills, 2, lines);
  assert.equal(result.asExpected, 2, lines);
  assert.deepEqual(findings, []);
});
