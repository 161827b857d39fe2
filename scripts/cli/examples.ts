// Example inputs for starting each operation from the Temporal UI's Start Workflow form (or any
// client): workflow type, task queue, the derived workflow ID, and the input with every default
// filled in by the workflow's own input parser, so an example can never drift from the defaults.
import { TASK_QUEUE, workflowIds } from '../../workflows/api';
import { parseDrainInput, parseUncordonInput } from '../../workflows/policy/drain-input';
import { parseReinstallInput } from '../../workflows/policy/reinstall-input';
import { parseUpgradeInput } from '../../workflows/policy/upgrade-plan';

export interface OperationExample {
  workflowType: string;
  workflowId: string;
  taskQueue: string;
  input: object;
  /** What the operation does, one line. */
  summary: string;
}

const example = (
  workflowType: string,
  workflowId: string,
  input: object,
  summary: string,
): OperationExample => ({ workflowType, workflowId, taskQueue: TASK_QUEUE, input, summary });

/** Keyed by the CLI's name of the operation. */
export const OPERATION_EXAMPLES: Record<string, OperationExample> = {
  drain: example(
    'drainNode',
    workflowIds.drain('lab', 'worker-1'),
    parseDrainInput({ cluster: 'lab', node: 'worker-1' }),
    'cordon a node and evict its pods through the Eviction API, PDBs respected',
  ),
  'drain-plan': example(
    'planDrain',
    workflowIds.drainPlan('lab', 'worker-1'),
    parseDrainInput({ cluster: 'lab', node: 'worker-1' }),
    "a drain's plan: which pods would be evicted, skipped or refused; changes nothing",
  ),
  uncordon: example(
    'uncordonNode',
    workflowIds.uncordon('lab', 'worker-1'),
    parseUncordonInput({ cluster: 'lab', node: 'worker-1' }),
    'return a node to service (only one Steward cordoned, unless force)',
  ),
  'k8s-upgrade': example(
    'kubernetesUpgrade',
    workflowIds.upgrade('lab'),
    parseUpgradeInput({ cluster: 'lab', target: '1.33', maxUnavailable: '25%' }),
    'upgrade Kubernetes one minor at a time, control plane first, then workers within maxUnavailable',
  ),
  'k8s-upgrade-plan': example(
    'planKubernetesUpgrade',
    workflowIds.upgradePlan('lab'),
    parseUpgradeInput({ cluster: 'lab', target: '1.33', maxUnavailable: '25%' }),
    "an upgrade's plan: version path, batches and add-on steps; changes nothing",
  ),
  reinstall: example(
    'nodeReinstall',
    workflowIds.reinstall('worker-2'),
    parseReinstallInput({ node: 'worker-2', cluster: 'lab' }),
    'reinstall a bare-metal host through its BMC and PXE (deployment: NetBox default when left out)',
  ),
  'reinstall-plan': example(
    'planReinstall',
    workflowIds.reinstallPlan('worker-2'),
    parseReinstallInput({ node: 'worker-2', cluster: 'lab' }),
    "a reinstall's plan: deployment, script and the BMC with its checked serial; changes nothing",
  ),
  reconcile: example(
    'netboxReconcile',
    workflowIds.netboxReconcile('lab'),
    { cluster: 'lab' },
    'bring NetBox in line with the cluster (status, kubelet_version)',
  ),
};

export function renderExample(name: string, e: OperationExample): string {
  return [
    `${name}: ${e.summary}`,
    `  Workflow Type  ${e.workflowType}`,
    `  Task Queue     ${e.taskQueue}`,
    `  Workflow ID    ${e.workflowId}   (must be exactly this, derived from the target)`,
    `  Input          ${JSON.stringify(e.input)}`,
  ].join('\n');
}
