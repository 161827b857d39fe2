// netboxReconcile: brings NetBox in line with a cluster (each node's device status and kubelet
// version), run by a Temporal Schedule. Writes only what differs, so an unchanged cluster costs no
// write at all. Nodes go in name order; over a large cluster the run continues as new after the
// last node it finished, carrying its result, before its history grows long.
import { continueAsNew } from '@temporalio/workflow';
import { hostCalls } from './operation/activity-profiles';
import {
  workflowIds,
  type NetboxReconcileCarried,
  type NetboxReconcileInput,
  type NetboxReconcileResult,
} from './api';
import { isInvalidInput } from './activity-errors';
import { historyFull } from './operation/history';
import { announce, showPhase } from './operation/visibility';
import { requireWorkflowId } from './operation/workflow-id';
import { parseClusterInput } from './policy/drain-input';
import { deviceGoal, type ReconcileNode } from './policy/netbox-reconcile';
import { autoUpgrade } from './operation/versioning';

// Changes nothing a run relies on across tasks: it moves to the current build (Worker Versioning).
autoUpgrade(netboxReconcile);

export async function netboxReconcile(
  rawInput: NetboxReconcileInput,
  carried: NetboxReconcileCarried = {},
): Promise<NetboxReconcileResult> {
  const { cluster } = parseClusterInput(rawInput);
  requireWorkflowId(workflowIds.netboxReconcile(cluster), 'one reconcile runs per cluster', {
    schedules: true,
  });
  announce('netbox-reconcile', cluster, cluster);
  showPhase('reading', `**NetBox reconcile of ${cluster}**: reading the cluster`);
  const facts = await hostCalls.readUpgradeFacts({ cluster });
  const result = carried.result ?? { cluster, checked: 0, notInNetbox: [], written: [] };
  const nodes = facts.nodes
    .filter((n) => carried.after === undefined || n.name > carried.after)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const [i, node] of nodes.entries()) {
    // After one node at least, so that every run makes progress.
    if (i > 0 && historyFull(carried.continueAsNewAfterEvents)) {
      return continueAsNew<typeof netboxReconcile>(rawInput, {
        ...carried,
        result,
        after: nodes[i - 1].name,
      });
    }
    await reconcileNode(node, result);
  }
  const summary = `${result.checked} devices checked, ${result.written.length} updated${result.notInNetbox.length ? `, ${result.notInNetbox.length} nodes without a device` : ''}`;
  showPhase('done', `**NetBox reconcile of ${cluster}**: ${summary}`);
  return result;
}

/** Writes what differs between the node and its device into NetBox, and notes it in `result`. */
async function reconcileNode(node: ReconcileNode, result: NetboxReconcileResult): Promise<void> {
  let device;
  try {
    device = await hostCalls.describeDevice({ device: node.name });
  } catch (err) {
    if (!isInvalidInput(err)) throw err;
    result.notInNetbox.push(node.name);
    return;
  }
  result.checked++;
  const goal = deviceGoal(node, device);
  if (goal.status === undefined && goal.customFields === undefined) return;
  const { changed } = await hostCalls.updateDevice({ device: node.name, ...goal });
  if (changed.length > 0) result.written.push(`${node.name}: ${changed.join(', ')}`);
}
