// The fault matrix (issue 16): every planned cell of each operation that has a driver, on one
// stack per operation, then the table. Seeded: a failing cell re-runs alone with its seed.
//   node --import tsx scripts/bench/fault-matrix.ts [--seed N] [--kills N] [--max-delay-ms N]
//     [--operation rook-ceph-upgrade] [--cell drain/pdb-never-allows[,drain/none…]]
import { parseArgs } from 'node:util';
import { drainDriver } from './fault-matrix-drain';
import { evictionDriver } from './fault-matrix-eviction';
import { reinstallDriver } from './fault-matrix-reinstall';
import { rookDriver } from './fault-matrix-rook';
import { upgradeDriver } from './fault-matrix-upgrade';
import {
  matrixTable,
  planMatrix,
  type CellResult,
  type MatrixOperation,
  type PlannedCell,
} from './fault-matrix-plan';
import type { OperationDriver } from './fault-matrix-run';
import { runCell, Stacks } from './fault-matrix-run';

/** The operations the runner can drive so far; the plan's other cells are listed as not run. */
const DRIVERS: Partial<Record<MatrixOperation, () => OperationDriver>> = {
  drain: drainDriver,
  'kubernetes-upgrade-gpu': upgradeDriver,
  'reinstall-standard': reinstallDriver('standard'),
  'reinstall-custom': reinstallDriver('custom'),
  'reinstall-none': reinstallDriver('none'),
  'hypervisor-eviction': evictionDriver,
  'rook-ceph-upgrade': rookDriver,
};

const wholeNumber = (name: string, value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: "${value}" is not a whole number`);
  return n;
};

async function runOperation(operation: MatrixOperation, cells: PlannedCell[]) {
  const driver = DRIVERS[operation]!();
  const stacks = new Stacks(driver);
  try {
    const results: CellResult[] = [];
    for (const cell of cells) results.push(await runCell(stacks, driver, cell));
    return results;
  } finally {
    await stacks.stop();
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '1' },
      kills: { type: 'string', default: '20' },
      'max-delay-ms': { type: 'string', default: '3000' },
      operation: { type: 'string' },
      cell: { type: 'string' },
    },
  });
  const seed = wholeNumber('seed', values.seed);
  const plan = (cell?: string) =>
    planMatrix({
      seed,
      killsPerOperation: wholeNumber('kills', values.kills),
      maxDelayMs: wholeNumber('max-delay-ms', values['max-delay-ms']),
      ...(cell && { cell }),
    });
  // Cells named together share their operation's lab.
  const cells = values.cell ? values.cell.split(',').flatMap((id) => plan(id)) : plan();
  const driven = cells.filter(
    (c) =>
      (!values.operation || c.operation === values.operation) &&
      DRIVERS[c.operation]?.().faults.includes(c.fault.name),
  );
  const results: CellResult[] = [];
  for (const operation of new Set(driven.map((c) => c.operation))) {
    results.push(
      ...(await runOperation(
        operation,
        driven.filter((c) => c.operation === operation),
      )),
    );
  }
  console.log(`\nfault matrix, seed ${seed}, ${new Date().toISOString()}\n`);
  console.log(matrixTable(results));
  const notRun = cells
    .filter((c) => !driven.includes(c) && (!values.operation || c.operation === values.operation))
    .map((c) => c.id);
  if (notRun.length) console.log(`not run (no driver for them yet): ${notRun.join(', ')}`);
  const flagged = results.some(
    (r) => r.unsafe + r.doubled > 0 || r.asExpected < r.cell.runs.length,
  );
  process.exitCode = flagged ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
