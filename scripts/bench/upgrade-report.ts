// The upgrade benchmark's printout: wall time next to the critical path (the shortest any
// schedule within the bound could take with the fixed node times), where the time went along the
// chain of nodes the upgrade waited for, the largest histories and the worker's memory.
import { cpus } from 'node:os';
import { parseMaxUnavailable } from '../../workflows/policy/worker-batches';
import type { HistorySizes } from './history-sizes';
import { seconds } from './measure';
import { PHASES, type Phase, type UpgradeTimeline } from './upgrade-timeline';

export interface UpgradeFigures {
  nodes: number;
  controlPlane: number;
  workers: number;
  version: string;
  target: string;
  maxUnavailable: string;
  jobMs: number;
  restartMs: number;
  pauseSeconds: number;
  labUpMs: number;
  stackUpMs: number;
  wallMs: number;
  message: string;
  timeline: UpgradeTimeline;
  histories: HistorySizes;
  /** The worker's peak and current resident memory, MiB. */
  worker: { peak: number; now: number };
  /** The machine's 1, 5 and 15 minute load averages before and after the upgrade. */
  load: { before: number[]; after: number[] };
}

const percent = (part: number, whole: number) => ((100 * part) / whole).toFixed(1);
const line = (label: string, value: string) => console.log(`  ${label.padEnd(46)} ${value}`);

export function printUpgradeReport(f: UpgradeFigures): void {
  const nodeMs = f.jobMs + f.restartMs + f.pauseSeconds * 1000;
  const maxUnavailable = parseMaxUnavailable(f.maxUnavailable, f.workers);
  const workerRounds = Math.ceil(f.workers / maxUnavailable);
  const criticalNodes = f.controlPlane + workerRounds;
  const criticalMs = criticalNodes * nodeMs;
  const { chain } = f.timeline;
  const durations = f.timeline.nodes.map((n) => n.endMs - n.startMs).sort((a, b) => a - b);
  const fastest = durations[0];

  console.log(
    `steward upgrade benchmark: ${f.nodes} nodes (${f.controlPlane} control-plane, ${f.workers} workers), ${f.version} → ${f.target}, maxUnavailable ${f.maxUnavailable} (${maxUnavailable} workers)`,
  );
  line(
    'fixed node time',
    `Job ${seconds(f.jobMs)} s + kubelet restart ${seconds(f.restartMs)} s + pause ${f.pauseSeconds} s = ${seconds(nodeMs)} s`,
  );
  line('lab up (nodes and pods Ready)', `${seconds(f.labUpMs)} s`);
  line('Temporal + worker up', `${seconds(f.stackUpMs)} s`);
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(', ');
  line(
    'load average (1, 5, 15 min)',
    `before the upgrade ${load(f.load.before)}; after it ${load(f.load.after)} (${cpus().length} cores)`,
  );
  line(
    'wall time of the upgrade',
    `${seconds(f.wallMs)} s in ${f.timeline.runs} run(s) of the parent (${f.message})`,
  );
  line(
    'critical path',
    `${seconds(criticalMs)} s = (${f.controlPlane} control-plane nodes + ceil(${f.workers} workers / ${maxUnavailable})) x ${seconds(nodeMs)} s`,
  );
  console.log(
    '    (the control-plane nodes one after another, then the workers at most maxUnavailable at a time: with equal node times no schedule within the bound is shorter)',
  );
  line(
    'overhead',
    `${seconds(f.wallMs - criticalMs)} s = ${percent(f.wallMs - criticalMs, criticalMs)} % (target < 5 %)`,
  );
  line(
    'upgradeNode durations',
    `fastest ${seconds(fastest)} s, median ${seconds(durations[Math.floor(durations.length / 2)])} s, slowest ${seconds(durations.at(-1)!)} s (${durations.length} nodes)`,
  );
  line(
    "critical path at the fastest node's time",
    `${seconds(criticalNodes * fastest)} s: overhead ${percent(f.wallMs - criticalNodes * fastest, criticalNodes * fastest)} %`,
  );

  console.log(
    `  the chain the upgrade waited for (${chain.length} nodes: the last to finish, the one whose end started it, and so on), by phase (s; server clock):`,
  );
  const fixed: Partial<Record<Phase, number>> = {
    'node: physics plays Job + kubelet restart': chain.length * (f.jobMs + f.restartMs),
    'node: pause': chain.length * f.pauseSeconds * 1000,
  };
  const row = (label: string, total: string, fixedPart: string, overhead: string) =>
    console.log(
      `    ${label.padEnd(48)} ${total.padStart(8)} ${fixedPart.padStart(8)} ${overhead.padStart(8)}`,
    );
  row('phase', 'total', 'fixed', 'overhead');
  const phaseRow = (label: string, total: number, fixedMs = 0) =>
    row(label, seconds(total), fixedMs ? seconds(fixedMs) : '', seconds(total - fixedMs));
  for (const phase of PHASES) phaseRow(phase, f.timeline.phases.get(phase)!, fixed[phase]);
  phaseRow(
    'the parent workflow, start to close',
    f.timeline.endMs - f.timeline.startMs,
    chain.length * nodeMs,
  );
  console.log(`  the chain (s, from the parent asking for the node to the node's end):`);
  console.log(
    `    ${chain.map((n) => `${n.label} ${seconds(n.endMs - n.initiatedMs)}`).join(' · ')}`,
  );

  const { largest } = f.histories;
  line(
    'largest history',
    `${largest.events} events, ${(largest.bytes / 1024).toFixed(0)} KiB: ${largest.workflowId} (${largest.type}); ${f.histories.workflows} workflows in the run`,
  );
  for (const t of f.histories.byType) {
    console.log(
      `    ${t.type.padEnd(18)} ${String(t.count).padStart(5)} runs, largest ${t.largest.events} events, ${(t.largest.bytes / 1024).toFixed(0)} KiB (${t.largest.workflowId})`,
    );
  }
  line(
    'worker peak RSS (VmHWM)',
    `${f.worker.peak.toFixed(0)} MiB (${f.worker.now.toFixed(0)} MiB at the end)`,
  );
}
