// The fault matrix's drain: runs drain node-a and node-b in turn on one lab (each run uncordons
// the other node first, so the pods move across and the next run finds them on its node). The
// `pdb-never-allows` fault sets the `locked` budget to allow no disruption: the drain must time
// out, never force anything, and wait for the operator, who aborts.
import type { V1Deployment } from '@kubernetes/client-node';
import { waitFor } from '../../lab/wait';
import { drainStatusQuery, workflowIds, type DrainNodeResult } from '../../workflows/api';
import { LabCluster } from '../../test/support/lab-cluster';
import type { TestStack } from '../../test/support/stack';
import type { OperationDriver, PreparedRun } from './fault-matrix-run';

const NODES = ['node-a', 'node-b'];
const LOCKED = 'locked';
/** Long enough for the paced pods to leave at one disruption at a time on a busy machine. */
const PDB_TIMEOUT = '25s';

const setLockedBudget = (stack: TestStack, maxUnavailable: number) =>
  stack.lab.kubectl(
    'patch',
    'pdb',
    LOCKED,
    '--type=merge',
    '-p',
    JSON.stringify({ spec: { maxUnavailable } }),
  );

/** The names of the pods a drain of `node` evicts (all in the default namespace). */
const podsOn = async (stack: TestStack, node: string) =>
  (await new LabCluster(stack.lab.kubeconfigPath).evictablePodsOn(node)).map(
    (key) => key.split('/')[1],
  );

export function drainDriver(): OperationDriver {
  return {
    scenario: 'fault-matrix-drain.yaml',
    bounds: { maxHostsDown: 0, maxUnschedulable: 1 },
    faults: ['none', 'pdb-never-allows'],
    steps: (fault) => [
      'validating',
      'cordoning',
      'evicting',
      ...(fault === 'pdb-never-allows' ? ['waiting-for-operator'] : []),
    ],
    async prepare(stack, fault, runOnLab): Promise<PreparedRun> {
      const node = NODES[runOnLab % 2];
      const other = NODES[(runOnLab + 1) % 2];
      await stack.lab.kubectl('uncordon', other);
      const blocked = fault === 'pdb-never-allows';
      if (blocked) await setLockedBudget(stack, 0);
      const id = workflowIds.drain('lab', node);
      const handle = () => stack.client.workflow.getHandle(id);
      return {
        window: { id, kind: 'drain', targets: [node] },
        args: ['drain', node, ...(blocked ? ['--timeout', PDB_TIMEOUT] : [])],
        async step() {
          const status = await handle().query(drainStatusQuery);
          return { name: status.phase, waiting: status.waitingReason !== undefined };
        },
        clearFault: async () => void (await setLockedBudget(stack, 1)),
        async endedAsExpected(result) {
          const left = await podsOn(stack, node);
          const { outcome } = result as DrainNodeResult;
          if (!blocked) return outcome === 'drained' && left.length === 0;
          // Aborted with the blocked pods still in place: nothing was forced.
          return outcome === 'aborted' && left.filter((p) => p.startsWith(LOCKED)).length === 2;
        },
        async cleanUp() {
          if (blocked) await setLockedBudget(stack, 1);
          // What an aborted drain left moves to the other node, so the next run finds it there.
          const left = await podsOn(stack, node);
          if (left.length > 0) await stack.lab.kubectl('delete', 'pod', '--wait', ...left);
          await waitFor('every Deployment ready again', async () => {
            const { items } = JSON.parse(
              await stack.lab.kubectl('get', 'deployments', '-o', 'json'),
            );
            return (items as V1Deployment[]).every(
              (d) => d.status?.readyReplicas === d.spec?.replicas,
            );
          });
        },
      };
    },
  };
}
