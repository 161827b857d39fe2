// upgradeNode: one node's step to one Kubernetes version, a child of the upgrade so no history
// grows with the cluster. The upgrade Job runs only on a node this run drained; the node is
// uncordoned only if Steward cordoned it; any problem waits for an operator, never fails the run.
// Started alone (no parent upgrade holding the lease), it takes the node's lease first or fails,
// naming the holder, before any change.
import { sleep, workflowInfo } from '@temporalio/workflow';
import { heartbeating, kubernetesLocal as k8s, summarized } from './operation/activity-profiles';
import {
  upgradeNodeStatusQuery,
  workflowIds,
  type UpgradeNodeInput,
  type UpgradeNodeResult,
  type UpgradeNodeStatus,
  type UpgradeNodeStep,
} from './api';
import { withClusterLease, type ClusterLease } from './cluster-lease';
import { drainForMaintenance } from './maintenance-drain';
import { cordonOwner } from './node-drain';
import { Operation, type Step } from './operation/operation';
import { requireWorkflowId } from './operation/workflow-id';
import { nodeCheckProblems } from './policy/node-checks';

type NodeOperation = Operation<UpgradeNodeStatus>;

export function upgradeNode(input: UpgradeNodeInput): Promise<UpgradeNodeResult> {
  return withClusterLease((lease) => upgrade(input, lease));
}

async function upgrade(input: UpgradeNodeInput, lease: ClusterLease): Promise<UpgradeNodeResult> {
  const { cluster, node, version } = input;
  requireWorkflowId(
    workflowIds.upgradeNode(cluster, node, version),
    'one upgrade runs per node and version',
  );
  const status: UpgradeNodeStatus = {
    node,
    version,
    step: 'drain',
    cordonedBySteward: false,
    decisions: [],
  };
  const op: NodeOperation = new Operation(status, {
    kind: 'k8s-upgrade-node',
    cluster,
    target: node,
    query: upgradeNodeStatusQuery,
    title: () => `**Upgrade ${cluster}/${node} to ${version}**: ${status.step}`,
    details: () => (status.cordonedBySteward ? [`Cordoned by Steward: ${node}`] : []),
    onStep: (name) => (status.step = name as UpgradeNodeStep),
  });
  // A child of the Kubernetes upgrade runs under its lease, which names this node already.
  if (!workflowInfo().parent) await lease.take(cluster, 'node-upgrade', [node]);
  const { end } = await op.runSteps(nodeSteps(input, op));
  if (end !== 'done') {
    const outcome = end === 'skip' ? 'skipped' : 'aborted';
    return finish(
      op,
      outcome,
      `${node} ${outcome} by an operator at step ${status.step}; nothing further was done to it`,
    );
  }
  status.step = 'done';
  const uncordoned = status.cordonedBySteward ? ' and uncordoned' : '';
  return finish(op, 'upgraded', `${node} upgraded to ${version}${uncordoned}`);
}

function finish(
  op: NodeOperation,
  outcome: UpgradeNodeResult['outcome'],
  message: string,
): UpgradeNodeResult {
  op.show();
  return { ...op.snapshot(), outcome, message };
}

/** The node's steps, in order; each returns the problem an operator reads, if any. */
function nodeSteps(input: UpgradeNodeInput, op: NodeOperation): Step[] {
  const { cluster, node, version } = input;
  // An operator deciding on a node must know it is out of service (and stays so on skip).
  const options = {
    onProblem: async () => (op.status.cordonedBySteward ? `; cordoned: ${node}` : ''),
  };
  return [
    { name: 'drain', run: () => drain(input, op.status) },
    { name: 'upgrade-job', run: () => upgradeJob(input), options },
    { name: 'node-ready', run: () => nodeReady(input), options },
    { name: 'device-plugin', run: () => devicePlugin(input), options },
    {
      name: 'checks',
      options,
      run: async () => {
        await sleep(`${input.pauseSeconds} seconds`);
        const problems = nodeCheckProblems(
          await k8s.readNodeCheckFacts({ cluster, node }),
          version,
        );
        return problems.length === 0 ? undefined : problems.join('; ');
      },
    },
    { name: 'uncordon', run: () => uncordon(input, op.status), options },
  ];
}

async function drain(input: UpgradeNodeInput, status: UpgradeNodeStatus) {
  const drained = await drainForMaintenance(input.cluster, input.node, input.drainTimeoutSeconds);
  if ('failed' in drained) return drained.failed;
  status.cordonedBySteward = drained.cordonedBySteward;
  return drained.outcome === 'drained' ? undefined : `drain ${drained.outcome}: ${drained.message}`;
}

async function upgradeJob(input: UpgradeNodeInput): Promise<string | undefined> {
  const { cluster, node, version, kubeadm, image, stepTimeoutSeconds } = input;
  const jobInput = { cluster, node, version, kubeadm, image };
  let job = await k8s.ensureUpgradeJob(jobInput);
  if (!job.created && (await k8s.upgradeJobState({ cluster, name: job.name })).state === 'failed') {
    // An operator's retry after a failed Job: start it anew under the same name.
    await k8s.deleteUpgradeJob({ cluster, name: job.name });
    job = await k8s.ensureUpgradeJob(jobInput);
  }
  const waitJob = heartbeating(stepTimeoutSeconds).awaitUpgradeJob;
  const { reached, last } = await summarized(waitJob, `wait for Job ${job.name} on ${node}`, {
    cluster,
    name: job.name,
    deadlineMs: Date.now() + stepTimeoutSeconds * 1000,
  });
  if (!reached) return `Job ${job.name} still running after ${stepTimeoutSeconds}s`;
  return last.state === 'failed' ? `Job ${job.name} failed: ${last.reason}` : undefined;
}

async function nodeReady(input: UpgradeNodeInput): Promise<string | undefined> {
  const { cluster, node, version, stepTimeoutSeconds } = input;
  const facts = await k8s.describeNode({ cluster, node });
  // Usually back by the time its Job succeeded: this local read spares the wait.
  if (facts.ready && facts.kubeletVersion === version) return undefined;
  const waitReady = heartbeating(stepTimeoutSeconds).awaitNodeReady;
  const { reached } = await summarized(waitReady, `wait for ${node} Ready at ${version}`, {
    cluster,
    node,
    version,
    deadlineMs: Date.now() + stepTimeoutSeconds * 1000,
  });
  return reached ? undefined : `not Ready at kubelet ${version} after ${stepTimeoutSeconds}s`;
}

async function devicePlugin(input: UpgradeNodeInput): Promise<string | undefined> {
  const { cluster, node, stepTimeoutSeconds } = input;
  const plugin = { cluster, node, ...input.devicePlugin };
  const before = await k8s.gpuFacts(plugin);
  if (before.capacity === 0) return undefined;
  const old = before.plugins.filter((p) => !p.terminating);
  for (const pod of old) await k8s.deletePodOnce({ cluster, ...pod });
  const replaced = old.map((p) => p.uid);
  const { reached } = await heartbeating(stepTimeoutSeconds).awaitGpusBack({
    ...plugin,
    replaced,
    deadlineMs: Date.now() + stepTimeoutSeconds * 1000,
  });
  return reached
    ? undefined
    : `GPUs not back (${before.capacity} expected) ${stepTimeoutSeconds}s after the device plugin restart`;
}

async function uncordon(input: UpgradeNodeInput, status: UpgradeNodeStatus) {
  if (!status.cordonedBySteward) return undefined;
  const { cluster, node } = input;
  const result = await k8s.uncordonNode({ cluster, node, owner: cordonOwner() });
  if (result.uncordoned) return undefined;
  const facts = await k8s.describeNode({ cluster, node });
  return facts.unschedulable ? result.message : undefined;
}
