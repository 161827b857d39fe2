// Progress bars for `steward watch` on a terminal: one per node of a Kubernetes upgrade (its step
// of the node's upgrade), per drained node (pods gone of the plan), per reinstalled host and per
// Rook/Ceph cluster (steps done of all).
import type {
  DrainStatus,
  KubernetesUpgradeStatus,
  NodeReinstallStatus,
  ReinstallStep,
  RookCephUpgradePhase,
  RookCephUpgradeStatus,
  UpgradeNodeStatus,
  UpgradeNodeStep,
} from '../workflows/api';

export interface Progress {
  name: string;
  done: number;
  total: number;
  note: string;
}

const BAR_WIDTH = 20;

/** e.g. "w1  [██████████░░░░░░░░░░]  3/6 node-ready". */
export function renderBars(list: Progress[]): string {
  const nameWidth = Math.max(0, ...list.map((p) => p.name.length));
  return list
    .map((p) => {
      const share = p.total > 0 ? Math.min(p.done, p.total) / p.total : 1;
      const filled = Math.round(share * BAR_WIDTH);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
      return `${p.name.padEnd(nameWidth)}  [${bar}] ${`${p.done}/${p.total}`.padStart(5)} ${p.note}`;
    })
    .join('\n');
}

/** Each record lists every step, so a new step cannot be missing from the bars. */
const NODE_STEPS: Record<UpgradeNodeStep, number> = {
  drain: 0,
  'upgrade-job': 1,
  'node-ready': 2,
  'device-plugin': 3,
  checks: 4,
  uncordon: 5,
  done: 6,
};
const REINSTALL_STEPS: Record<ReinstallStep, number> = {
  validating: 0,
  credentials: 1,
  'netbox-reinstalling': 2,
  'compute-disable': 3,
  'migrate-instances': 4,
  drain: 5,
  bmc: 6,
  'publish-script': 7,
  'power-off': 8,
  'power-on': 9,
  rejoin: 10,
  'compute-rejoin': 11,
  uncordon: 12,
  'compute-enable': 13,
  'netbox-active': 14,
  done: 15,
};
const ROOK_PHASES: Record<RookCephUpgradePhase, number> = {
  validating: 0,
  'gate-before': 1,
  'rook-operator': 2,
  'rook-roll': 3,
  'ceph-image': 4,
  'ceph-roll': 5,
  'gate-after': 6,
  done: 7,
  aborted: 7,
};

/** Steps done of all, from the step a host is at; says when it waits for an operator or a system. */
function stepProgress<S extends string>(
  name: string,
  steps: Record<S, number> & Record<'done', number>,
  step: S,
  waits: { waitingReason?: string; unavailable?: string },
): Progress {
  const system = waits.unavailable?.split(' (')[0];
  const note = waits.waitingReason
    ? `${step}: waiting for an operator`
    : system
      ? `${step}: waiting for ${system}`
      : step;
  return { name, done: steps[step], total: steps.done, note };
}

export const nodeUpgradeProgress = (st: UpgradeNodeStatus): Progress =>
  stepProgress(st.node, NODE_STEPS, st.step, st);

/**
 * The nodes of the upgrade's current version step: finished ones full (or marked skipped), the
 * ones in flight at their node's step, as far as `nodes` (their own status queries) tells.
 */
export function upgradeProgress(
  st: KubernetesUpgradeStatus,
  nodes: Record<string, UpgradeNodeStatus | undefined>,
): Progress[] {
  const ofStep = (entries: string[]) =>
    entries
      .map((e) => e.split('@'))
      .filter(([, version]) => version === st.version)
      .map(([name]) => name);
  const total = NODE_STEPS.done;
  return [
    ...ofStep(st.upgraded).map((name) => ({ name, done: total, total, note: 'upgraded' })),
    ...ofStep(st.skipped).map((name) => ({ name, done: 0, total, note: 'skipped' })),
    ...st.inFlight.map((name) => {
      const node = nodes[name];
      return node ? nodeUpgradeProgress(node) : { name, done: 0, total, note: 'starting' };
    }),
  ];
}

export function drainProgress(st: DrainStatus): Progress {
  return {
    name: st.node,
    done: st.evicted.length,
    total: st.evicted.length + st.left.length,
    note: `${st.phase}: ${st.evicted.length} pods gone, ${st.left.length} left`,
  };
}

const HYPERVISOR_STEPS: readonly ReinstallStep[] = [
  'compute-disable',
  'migrate-instances',
  'compute-rejoin',
  'compute-enable',
];

/** A reinstall's steps, those of a hypervisor only when the host is one. */
export function reinstallProgress(st: NodeReinstallStatus): Progress {
  const applies = (step: ReinstallStep) =>
    st.novaRegion !== undefined || !HYPERVISOR_STEPS.includes(step);
  const rank = (step: ReinstallStep) =>
    Object.entries(REINSTALL_STEPS).filter(
      ([other, n]) => applies(other as ReinstallStep) && n < REINSTALL_STEPS[step],
    ).length;
  const steps = Object.fromEntries(
    Object.keys(REINSTALL_STEPS).map((step) => [step, rank(step as ReinstallStep)]),
  ) as Record<ReinstallStep, number>;
  return stepProgress(st.node, steps, st.step, st);
}

export function rookProgress(st: RookCephUpgradeStatus): Progress {
  return {
    name: st.cluster,
    done: ROOK_PHASES[st.phase],
    total: ROOK_PHASES.done,
    note: st.current ? `${st.phase}: ${st.current}` : st.phase,
  };
}
