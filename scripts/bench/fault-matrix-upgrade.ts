// The fault matrix's Kubernetes upgrade with GPU nodes (test/fixtures/upgrade-lab.yaml): each run
// goes one minor past the cluster's oldest node (1.31 → 1.32 → 1.33; an aborted run's rest is
// finished by the next), so a lab takes two runs, as an upgraded cluster stays upgraded.
// `upgrade-job-fails` fails worker-1's upgrade Job; the operator clears it and retries.
import { setUpgradeFault } from '../../lab';
import { LabCluster } from '../../test/support/lab-cluster';
import {
  kubernetesUpgradeStatusQuery,
  workflowIds,
  type KubernetesUpgradeResult,
} from '../../workflows/api';
import type { OperationDriver } from './fault-matrix-run';

const TARGETS = ['v1.32.13', 'v1.33.13'];
const FAULTY = 'worker-1';

/** The target one minor past the oldest node. */
function nextTarget(versions: string[]): string {
  const minor = (v: string) => Number(/^v1\.(\d+)\./.exec(v)?.[1]);
  const oldest = Math.min(...versions.map(minor));
  const target = TARGETS.find((t) => minor(t) === oldest + 1);
  if (!target) throw new Error(`no upgrade target past the lab's v1.${oldest}`);
  return target;
}

export function upgradeDriver(): OperationDriver {
  return {
    scenario: 'upgrade-lab.yaml',
    runsPerLab: TARGETS.length,
    // The CLI's default --max-unavailable 1: one node cordoned at a time.
    bounds: { maxHostsDown: 0, maxUnschedulable: 1 },
    faults: ['none', 'upgrade-job-fails'],
    steps: () => ['planning', 'control-plane', 'workers', 'addons'],
    async prepare(stack, fault) {
      const id = workflowIds.upgrade('lab');
      const cluster = new LabCluster(stack.lab.kubeconfigPath);
      const nodes = await cluster.nodes();
      const names = nodes.map((n) => n.name);
      const target = nextTarget(nodes.map((n) => n.kubeletVersion));
      const jobFails = (on: boolean) =>
        setUpgradeFault(stack.lab.kubeconfigPath, FAULTY, on ? 'job-fails' : undefined);
      if (fault === 'upgrade-job-fails') await jobFails(true);
      return {
        window: { id, kind: 'kubernetes-upgrade', targets: names },
        args: ['k8s-upgrade', 'lab', '--to', target.slice(1, 5), '--pause', '1s'],
        async step() {
          const status = await stack.client.workflow
            .getHandle(id)
            .query(kubernetesUpgradeStatusQuery);
          const [wait] = status.waiting;
          return { name: status.phase, waiting: wait !== undefined, asks: wait?.workflowId };
        },
        clearFault: () => jobFails(false),
        async endedAsExpected(result) {
          const { phase, skipped } = result as KubernetesUpgradeResult;
          const versions = (await cluster.nodes()).map((n) => n.kubeletVersion);
          return phase === 'done' && skipped.length === 0 && versions.every((v) => v === target);
        },
        cleanUp: () => jobFails(false),
      };
    },
  };
}
