// What NetBox should say about a device whose host is a Kubernetes node. Only `active` and
// `offline` follow the node's readiness: any other status belongs to a person or an operation
// (a reinstall's `staged`, a `failed` awaiting an operator, `planned`, `decommissioning`), so the
// reconcile leaves it alone and only keeps the kubelet version current.

/** NetBox's custom field holding the node's kubelet version. */
export const KUBELET_VERSION_FIELD = 'kubelet_version';

export interface ReconcileNode {
  name: string;
  ready: boolean;
  kubeletVersion: string;
}

export interface ReconcileDevice {
  status: string;
  customFields: Record<string, unknown>;
}

/** The fields to write; empty when NetBox already says what the cluster shows. */
export interface DeviceGoal {
  status?: 'active' | 'offline';
  customFields?: Record<string, string>;
}

export function deviceGoal(node: ReconcileNode, device: ReconcileDevice): DeviceGoal {
  const goal: DeviceGoal = {};
  if (device.status === 'active' || device.status === 'offline') {
    const status = node.ready ? 'active' : 'offline';
    if (status !== device.status) goal.status = status;
  }
  if (device.customFields[KUBELET_VERSION_FIELD] !== node.kubeletVersion) {
    goal.customFields = { [KUBELET_VERSION_FIELD]: node.kubeletVersion };
  }
  return goal;
}
