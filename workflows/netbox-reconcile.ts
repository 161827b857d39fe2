// netboxReconcile: brings NetBox in line with a cluster (each node's device status and kubelet
// version), run by a Temporal Schedule. Reads everything, writes only what differs (the NetBox
// activity compares with what NetBox stores), so an unchanged cluster costs no write at all.
import { workflowInfo } from '@temporalio/workflow';
import { hostCalls as act } from './operation/activity-profiles';
import {
  invalidInput,
  workflowIds,
  type NetboxReconcileInput,
  type NetboxReconcileResult,
} from './api';
import { isInvalidInput } from './activity-errors';
import { parseClusterInput } from './policy/drain-input';
import { deviceGoal } from './policy/netbox-reconcile';
import { announce, showPhase } from './operation/visibility';

export async function netboxReconcile(
  rawInput: NetboxReconcileInput,
): Promise<NetboxReconcileResult> {
  const { cluster } = parseClusterInput(rawInput);
  const expectedId = workflowIds.netboxReconcile(cluster);
  // A Schedule's runs carry its ID plus a timestamp.
  if (!workflowInfo().workflowId.startsWith(expectedId)) {
    throw invalidInput('workflowId', `must start with "${expectedId}"`);
  }
  announce('netbox-reconcile', cluster, cluster);
  showPhase('reading', `**NetBox reconcile of ${cluster}**: reading the cluster`);
  const facts = await act.readUpgradeFacts({ cluster });
  const result: NetboxReconcileResult = { cluster, checked: 0, notInNetbox: [], written: [] };
  for (const node of facts.nodes) {
    let device;
    try {
      device = await act.describeDevice({ device: node.name });
    } catch (err) {
      if (!isInvalidInput(err)) throw err;
      result.notInNetbox.push(node.name);
      continue;
    }
    result.checked++;
    const goal = deviceGoal(node, device);
    if (goal.status === undefined && goal.customFields === undefined) continue;
    const { changed } = await act.updateDevice({ device: node.name, ...goal });
    if (changed.length > 0) result.written.push(`${node.name}: ${changed.join(', ')}`);
  }
  const summary = `${result.checked} devices checked, ${result.written.length} updated${result.notInNetbox.length ? `, ${result.notInNetbox.length} nodes without a device` : ''}`;
  showPhase('done', `**NetBox reconcile of ${cluster}**: ${summary}`);
  return result;
}
