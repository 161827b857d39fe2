// kubernetesUpgrade: the cluster one minor at a time; in each step the control plane first, one
// node at a time, then the workers in batches that never exceed maxUnavailable (NotReady workers
// count). Each node is an upgradeNode child, so this history grows with steps and batches only.
// A node whose child ends aborted stops the rollout; a skipped node is reported and left out.
import { executeChild, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { k8s } from './kubernetes-activities';
import {
  invalidInput,
  kubernetesUpgradeStatusQuery,
  workflowIds,
  type KubernetesUpgradeInput,
  type KubernetesUpgradeResult,
  type KubernetesUpgradeStatus,
  type UpgradeNodeResult,
} from './api';
import { surfaceInvalidInput } from './activity-errors';
import { upgradeNode } from './node-upgrade';
import { nextControlPlaneNode, nextWorkerBatch, type NodeState } from './policy/worker-batches';
import { parseUpgradeInput, planUpgrade } from './policy/upgrade-plan';
import { announce, bulletList, showPhase } from './visibility';

const WAIT_FOR_READY_SECONDS = 10;

export async function kubernetesUpgrade(
  rawInput: KubernetesUpgradeInput,
): Promise<KubernetesUpgradeResult> {
  const input = parseUpgradeInput(rawInput);
  const { cluster } = input;
  const expectedId = workflowIds.upgrade(cluster);
  if (workflowInfo().workflowId !== expectedId) {
    throw invalidInput(
      'workflowId',
      `must be "${expectedId}" so that one upgrade runs per cluster`,
    );
  }
  const status: KubernetesUpgradeStatus = {
    cluster,
    phase: 'planning',
    inFlight: [],
    upgraded: [],
    skipped: [],
    addonsPending: [],
  };
  setHandler(kubernetesUpgradeStatusQuery, () => status);
  announce('k8s-upgrade', cluster, input.target);
  const show = () =>
    showPhase(
      status.phase,
      [
        `**Kubernetes upgrade of ${cluster} to ${input.target}**: ${status.phase}${status.version ? ` (step ${status.version})` : ''}`,
        `In flight: ${status.inFlight.join(', ') || 'none'} · upgraded ${status.upgraded.length} · skipped ${status.skipped.length}`,
        status.skipped.length > 0 ? `Skipped:\n${bulletList(status.skipped)}` : '',
      ].join('\n'),
    );
  show();

  const plan = planUpgrade(input, await surfaceInvalidInput(k8s.readUpgradeFacts({ cluster })));

  async function upgrade(
    node: string,
    version: string,
    kubeadm: 'apply' | 'node',
  ): Promise<UpgradeNodeResult> {
    status.inFlight.push(node);
    show();
    const result = await executeChild(upgradeNode, {
      workflowId: workflowIds.upgradeNode(cluster, node, version),
      args: [
        {
          cluster,
          node,
          version,
          kubeadm,
          image: input.image,
          drainTimeoutSeconds: input.drainTimeoutSeconds,
          pauseSeconds: input.pauseSeconds,
          stepTimeoutSeconds: input.stepTimeoutSeconds,
          devicePlugin: input.devicePlugin,
        },
      ],
    });
    status.inFlight = status.inFlight.filter((n) => n !== node);
    (result.outcome === 'upgraded' ? status.upgraded : status.skipped).push(`${node}@${version}`);
    show();
    return result;
  }

  /** Nodes at the step's version, or skipped in it, are done; fresh facts every time. */
  async function states(version: string, controlPlane: boolean): Promise<NodeState[]> {
    const facts = await k8s.readUpgradeFacts({ cluster });
    return facts.nodes
      .filter((n) => n.controlPlane === controlPlane)
      .map((n) => ({
        name: n.name,
        ready: n.ready,
        done: n.kubeletVersion === version || status.skipped.includes(`${n.name}@${version}`),
      }));
  }

  const aborted = (node: UpgradeNodeResult): KubernetesUpgradeResult => {
    status.phase = 'aborted';
    show();
    return {
      ...status,
      message: `aborted at ${node.node} (${node.message}); upgraded ${status.upgraded.length}, skipped ${status.skipped.length}`,
    };
  };

  for (const step of plan.steps) {
    status.version = step.version;
    status.addonsPending.push(...step.addons);
    status.phase = 'control-plane';
    for (;;) {
      const nodes = await states(step.version, true);
      if (nodes.every((n) => n.done)) break;
      const next = nextControlPlaneNode(nodes);
      if (next.nodes.length === 0) {
        await sleep(`${WAIT_FOR_READY_SECONDS} seconds`);
        continue;
      }
      const facts = await k8s.readUpgradeFacts({ cluster });
      const kubeadm = facts.controlPlaneVersion === step.version ? 'node' : 'apply';
      const result = await upgrade(next.nodes[0], step.version, kubeadm);
      if (result.outcome === 'aborted') return aborted(result);
    }
    status.phase = 'workers';
    for (;;) {
      const nodes = await states(step.version, false);
      if (nodes.every((n) => n.done)) break;
      const batch = nextWorkerBatch(nodes, plan.maxUnavailable);
      if (batch.nodes.length === 0) {
        await sleep(`${WAIT_FOR_READY_SECONDS} seconds`);
        continue;
      }
      const results = await Promise.all(
        batch.nodes.map((node) => upgrade(node, step.version, 'node')),
      );
      const abort = results.find((r) => r.outcome === 'aborted');
      if (abort) return aborted(abort);
    }
  }
  status.phase = 'done';
  show();
  return {
    ...status,
    message:
      `${cluster} at ${plan.steps.at(-1)?.version ?? plan.controlPlaneVersion}: upgraded ${status.upgraded.length}, skipped ${status.skipped.length}` +
      (status.addonsPending.length > 0
        ? `; ${status.addonsPending.length} add-on step(s) planned but not applied (not built yet)`
        : ''),
  };
}
