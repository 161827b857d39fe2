// Steward's operations as the Temporal UI, `steward examples` and `steward schedule` see them:
// workflow type, the workflow ID derived from the input, and the workflow's own input parser, so
// an example's defaults and a schedule's validation can never drift from what the workflow does.
import { TASK_QUEUE, workflowIds } from '../workflows/api';
import {
  parseClusterInput,
  parseDrainInput,
  parseUncordonInput,
} from '../workflows/policy/drain-input';
import { parseReinstallInput } from '../workflows/policy/reinstall-input';
import { parseUpgradeInput } from '../workflows/policy/upgrade-plan';
import { parseRookCephUpgradeInput } from '../workflows/policy/rook-upgrade';
import {
  parseEvictionInput,
  parseEvictionWatchInput,
} from '../workflows/policy/hypervisor-eviction-input';

interface Operation<T extends object> {
  workflowType: string;
  /** What the operation does, one line. */
  summary: string;
  /** The input with every default filled in; throws InvalidInput naming the field. */
  parse(input: unknown): T;
  workflowId(input: T): string;
  /** The smallest input worth showing. */
  example: object;
  /**
   * Why it may not run on a Schedule, if it may not. Scheduled runs carry IDs with a time suffix,
   * so their derived IDs no longer keep two runs apart; the operations that disrupt a cluster take
   * a lease from its guard instead, which refuses a second one.
   */
  notSchedulable?: string;
  /** Whether its input takes a maintenance `window` (one, or a list: open while any is). */
  windowed?: boolean;
}

/** A list of windows, the form a single window's example would not show. */
export const WINDOWS_EXAMPLE = [
  { days: ['sat', 'sun'], start: '22:00', end: '04:00', timeZone: 'Europe/Berlin' },
  { days: ['wed'], start: '02:00', end: '05:00', timeZone: 'UTC' },
];

const operation = <T extends object>(o: Operation<T>) => o as Operation<object>;

const drainTarget = (i: { cluster: string; node: string }) => [i.cluster, i.node] as const;

/** Keyed by the CLI's name of the operation. */
export const OPERATIONS: Record<string, Operation<object>> = {
  drain: operation({
    workflowType: 'drainNode',
    summary: 'cordon a node and evict its pods through the Eviction API, PDBs respected',
    parse: parseDrainInput,
    workflowId: (i) => workflowIds.drain(...drainTarget(i)),
    example: { cluster: 'lab', node: 'worker-1' },
  }),
  'drain-plan': operation({
    workflowType: 'planDrain',
    summary: "a drain's plan: which pods would be evicted, skipped or refused; changes nothing",
    parse: parseDrainInput,
    workflowId: (i) => workflowIds.drainPlan(...drainTarget(i)),
    example: { cluster: 'lab', node: 'worker-1' },
  }),
  uncordon: operation({
    workflowType: 'uncordonNode',
    summary: 'return a node to service (only one Steward cordoned, unless force)',
    parse: parseUncordonInput,
    workflowId: (i) => workflowIds.uncordon(...drainTarget(i)),
    example: { cluster: 'lab', node: 'worker-1' },
    notSchedulable:
      "returning a node to service is an operator's call after its maintenance, not a recurring one",
  }),
  'k8s-upgrade': operation({
    workflowType: 'kubernetesUpgrade',
    summary: 'upgrade Kubernetes one minor at a time, control plane first, then workers',
    parse: parseUpgradeInput,
    workflowId: (i) => workflowIds.upgrade(i.cluster),
    example: { cluster: 'lab', target: '1.33', maxUnavailable: '25%' },
    windowed: true,
  }),
  'k8s-upgrade-plan': operation({
    workflowType: 'planKubernetesUpgrade',
    summary: "an upgrade's plan: version path, batches and add-on steps; changes nothing",
    parse: parseUpgradeInput,
    workflowId: (i) => workflowIds.upgradePlan(i.cluster),
    example: { cluster: 'lab', target: '1.33', maxUnavailable: '25%' },
  }),
  reinstall: operation({
    workflowType: 'nodeReinstall',
    summary: 'reinstall a bare-metal host through its BMC and PXE (deployment: NetBox default)',
    parse: parseReinstallInput,
    workflowId: (i) => workflowIds.reinstall(i.node),
    example: { node: 'worker-2', cluster: 'lab' },
    windowed: true,
  }),
  'reinstall-plan': operation({
    workflowType: 'planReinstall',
    summary: "a reinstall's plan: deployment, script and the BMC with its serial; changes nothing",
    parse: parseReinstallInput,
    workflowId: (i) => workflowIds.reinstallPlan(i.node),
    example: { node: 'worker-2', cluster: 'lab' },
  }),
  reconcile: operation({
    workflowType: 'netboxReconcile',
    summary: 'bring NetBox in line with the cluster (status, kubelet_version)',
    parse: parseClusterInput,
    workflowId: (i) => workflowIds.netboxReconcile(i.cluster),
    example: { cluster: 'lab' },
  }),
  'rook-upgrade': operation({
    workflowType: 'rookCephUpgrade',
    summary: 'upgrade the Rook operator and/or the Ceph image behind Ceph health gates',
    parse: parseRookCephUpgradeInput,
    workflowId: (i) => workflowIds.rookUpgrade(i.cluster),
    example: { cluster: 'lab', rook: 'v1.16.7', ceph: 'quay.io/ceph/ceph:v18.2.4' },
    windowed: true,
  }),
  'rook-upgrade-plan': operation({
    workflowType: 'planRookCephUpgrade',
    summary: "a Rook/Ceph upgrade's plan with the health gate's verdict now; changes nothing",
    parse: parseRookCephUpgradeInput,
    workflowId: (i) => workflowIds.rookUpgradePlan(i.cluster),
    example: { cluster: 'lab', rook: 'v1.16.7', ceph: 'quay.io/ceph/ceph:v18.2.4' },
  }),
  'ceph-health': operation({
    workflowType: 'cephHealthCheck',
    summary: "the Ceph health gate's verdict now, with Ceph's own messages; changes nothing",
    parse: parseClusterInput,
    workflowId: (i) => workflowIds.cephHealth(i.cluster),
    example: { cluster: 'lab' },
  }),
  evict: operation({
    workflowType: 'hypervisorEviction',
    summary:
      'evict a failed hypervisor: fence through its BMC, force down and disable, evacuate every instance',
    parse: parseEvictionInput,
    workflowId: (i) => workflowIds.evict(i.region, i.host),
    example: { region: 'lab', host: 'hv-1' },
    notSchedulable:
      "an eviction answers one host's failure; schedule the eviction watch, which starts evictions when hosts fail",
  }),
  'evict-plan': operation({
    workflowType: 'planHypervisorEviction',
    summary:
      "an eviction's plan: Nova's view, the BMC with its serial, each instance's target; changes nothing",
    parse: parseEvictionInput,
    workflowId: (i) => workflowIds.evictPlan(i.region, i.host),
    example: { region: 'lab', host: 'hv-1' },
  }),
  'evict-watch': operation({
    workflowType: 'hypervisorEvictionWatch',
    summary:
      "watch a region's hypervisors and evict those failed for the grace, none above the partition threshold",
    parse: parseEvictionWatchInput,
    workflowId: (i) => workflowIds.evictWatch(i.region),
    example: { region: 'lab' },
    notSchedulable:
      'it runs until stopped, continuing as new under its own ID; start it once with steward evict-watch',
  }),
};

export function renderExample(name: string, o: Operation<object>): string {
  const input = o.parse(o.example);
  return [
    `${name}: ${o.summary}`,
    `  Workflow Type  ${o.workflowType}`,
    `  Task Queue     ${TASK_QUEUE}`,
    `  Workflow ID    ${o.workflowId(input)}   (must be exactly this, derived from the target)`,
    `  Input          ${JSON.stringify(input)}`,
    ...(o.windowed
      ? [
          `  Window         optional "window": one window, or a list of them (runs while any is open), e.g. "window": ${JSON.stringify(WINDOWS_EXAMPLE)}`,
        ]
      : []),
  ].join('\n');
}
