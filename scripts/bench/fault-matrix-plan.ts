// The fault matrix's plan and table (issue 16): every operation under every fault the lab can
// inject, each run with a worker SIGKILL at a seeded point of one of its steps, and the table
// that counts outcomes, unsafe actions and doubled side effects. Seeded: a cell planned alone
// gets the same runs as in the whole matrix, so a failing cell re-runs alone.
import type { OperatorDecision } from '../../workflows/api';

export const OPERATIONS = [
  'drain',
  'kubernetes-upgrade-gpu',
  'reinstall-standard',
  'reinstall-custom',
  'reinstall-none',
  'hypervisor-eviction',
  'rook-ceph-upgrade',
] as const;
export type MatrixOperation = (typeof OPERATIONS)[number];

const REINSTALLS: MatrixOperation[] = ['reinstall-standard', 'reinstall-custom', 'reinstall-none'];
const NODE_OPERATIONS: MatrixOperation[] = ['drain', 'kubernetes-upgrade-gpu', ...REINSTALLS];
const BMC_OPERATIONS: MatrixOperation[] = [...REINSTALLS, 'hypervisor-eviction'];
const NETBOX_OPERATIONS: MatrixOperation[] = [...BMC_OPERATIONS];

export interface MatrixFault {
  name: string;
  operations: MatrixOperation[];
  /** What the operator answers where the operation asks (the fault is cleared first on retry). */
  decision?: OperatorDecision;
}

/** The faults the lab can inject, and the operations each one meets. */
export const FAULTS: MatrixFault[] = [
  { name: 'none', operations: [...OPERATIONS] },
  { name: 'pdb-never-allows', operations: NODE_OPERATIONS, decision: 'abort' },
  { name: 'upgrade-job-fails', operations: ['kubernetes-upgrade-gpu'], decision: 'retry' },
  {
    name: 'node-never-ready',
    operations: ['kubernetes-upgrade-gpu', ...REINSTALLS],
    decision: 'abort',
  },
  { name: 'bmc-hangs', operations: BMC_OPERATIONS, decision: 'retry' },
  { name: 'bmc-refuses-boot-device', operations: REINSTALLS, decision: 'retry' },
  { name: 'wrong-serial-behind-ddns', operations: BMC_OPERATIONS, decision: 'abort' },
  { name: 'vault-refuses-login', operations: BMC_OPERATIONS, decision: 'retry' },
  // Waited out; should the wait run out, the operator retries once NetBox is back.
  { name: 'netbox-5xx', operations: NETBOX_OPERATIONS, decision: 'retry' },
  { name: 'keystone-token-revoked', operations: ['hypervisor-eviction'] },
  // Waited out, or retried once Nova is back, as NetBox's.
  { name: 'nova-down-60s', operations: ['hypervisor-eviction'], decision: 'retry' },
  { name: 'partition-sized-failure', operations: ['hypervisor-eviction'], decision: 'abort' },
  {
    name: 'failure-spreads-two-hosts-per-poll',
    operations: ['hypervisor-eviction'],
    decision: 'abort',
  },
  { name: 'osd-stays-down', operations: ['rook-ceph-upgrade'], decision: 'abort' },
  { name: 'pgs-scrubbing', operations: ['rook-ceph-upgrade'] },
];

export interface PlannedRun {
  run: number;
  /** The worker is killed once the `step`-th step seen (from 0, wrapping) has run `delayMs`. */
  kill: { step: number; delayMs: number };
}

export interface PlannedCell {
  id: string;
  operation: MatrixOperation;
  fault: MatrixFault;
  runs: PlannedRun[];
}

/** mulberry32: a small seeded generator, the same numbers for the same seed everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A cell's own seed from the matrix seed and its id, so it does not depend on other cells. */
function cellSeed(seed: number, id: string): number {
  let h = seed >>> 0;
  for (const c of id) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

export interface PlanOptions {
  seed: number;
  /** Runs (each with one kill) per operation at least, spread evenly over its cells (issue: 20). */
  killsPerOperation: number;
  /** The longest wait into a step before the kill. */
  maxDelayMs: number;
  /** Only the cell with this id (`operation/fault`). */
  cell?: string;
}

export function planMatrix(options: PlanOptions): PlannedCell[] {
  const cells = OPERATIONS.flatMap((operation) => {
    const faults = FAULTS.filter((f) => f.operations.includes(operation));
    const runsPerCell = Math.ceil(options.killsPerOperation / faults.length);
    return faults.map((fault) => ({
      id: `${operation}/${fault.name}`,
      operation,
      fault,
      runsPerCell,
    }));
  }).filter((c) => !options.cell || c.id === options.cell);
  if (options.cell && cells.length === 0) throw new Error(`no cell ${options.cell} in the matrix`);
  return cells.map(({ runsPerCell, ...c }) => {
    const next = random(cellSeed(options.seed, c.id));
    const runs = Array.from({ length: runsPerCell }, (_, run) => ({
      run,
      // Run r kills in step r (wrapping over the steps the run sees), at a seeded point of it.
      kill: { step: run, delayMs: Math.floor(next() * options.maxDelayMs) },
    }));
    return { ...c, runs };
  });
}

export interface CellResult {
  cell: PlannedCell;
  kills: number;
  /** Runs that ended as the operation should under the fault. */
  asExpected: number;
  unsafe: number;
  doubled: number;
}

/** The matrix's table, one line per cell; the cells with anything unsafe or doubled named after it. */
export function matrixTable(results: CellResult[]): string {
  const header = ['operation', 'fault', 'runs', 'kills', 'as expected', 'unsafe', 'doubled'];
  const rows = results.map((r) => [
    r.cell.operation,
    r.cell.fault.name,
    String(r.cell.runs.length),
    String(r.kills),
    `${r.asExpected}/${r.cell.runs.length}`,
    String(r.unsafe),
    String(r.doubled),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  const flagged = results.filter((r) => r.unsafe > 0 || r.doubled > 0).map((r) => r.cell.id);
  return [
    line(header),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...rows.map(line),
    '',
    flagged.length
      ? `non-zero cells: ${flagged.join(', ')}`
      : 'no unsafe action, no doubled side effect',
  ].join('\n');
}
