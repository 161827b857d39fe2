// Which leases a cluster's guard grants. Two kinds of conflict: operations that must not run side
// by side whatever the nodes (a Kubernetes upgrade, or one node's, and a Rook/Ceph upgrade; a
// Rook/Ceph upgrade and a reinstall, which takes a host's OSDs down while Rook rolls daemons behind
// health gates; two runs of one cluster-wide upgrade, or one and a node's alone), and the node budget that all holders share: the nodes
// they may make unavailable at once, added up, stay within the cluster's maxUnavailableNodes, and
// no node is taken by two holders.
import { z } from 'zod';
import type {
  AcquireLeaseRequest,
  Lease,
  LeaseDecision,
  LeaseHolder,
  LeaseOperation,
} from '../api';
import { nodeName, parseInput } from './drain-input';

/** Nodes a cluster may have unavailable at once across all holders, unless its config says. */
export const DEFAULT_MAX_UNAVAILABLE_NODES = 2;
/** How often the guard drops the leases of holders that ended without releasing. */
export const DEFAULT_LEASE_CHECK_SECONDS = 30;

const LEASE_OPERATIONS = [
  'kubernetes-upgrade',
  'node-upgrade',
  'rook-ceph-upgrade',
  'node-reinstall',
  'drain',
] as const satisfies readonly LeaseOperation[];

const EXCLUSIVE: [LeaseOperation, LeaseOperation, string][] = [
  ['kubernetes-upgrade', 'kubernetes-upgrade', 'one Kubernetes upgrade at a time'],
  ['rook-ceph-upgrade', 'rook-ceph-upgrade', 'one Rook/Ceph upgrade at a time'],
  [
    'kubernetes-upgrade',
    'rook-ceph-upgrade',
    'a Kubernetes upgrade and a Rook/Ceph upgrade never run at once',
  ],
  [
    'kubernetes-upgrade',
    'node-upgrade',
    "a Kubernetes upgrade upgrades the nodes itself; one node's upgrade alone waits until it ends",
  ],
  [
    'rook-ceph-upgrade',
    'node-upgrade',
    'a Kubernetes upgrade and a Rook/Ceph upgrade never run at once',
  ],
  [
    'rook-ceph-upgrade',
    'node-reinstall',
    "a reinstall takes a host's OSDs down, which a Rook/Ceph upgrade's health gates must not see",
  ],
];

/** Why two operations may not hold leases at once, if they may not. */
export function exclusiveReason(a: LeaseOperation, b: LeaseOperation): string | undefined {
  return EXCLUSIVE.find(([x, y]) => (x === a && y === b) || (x === b && y === a))?.[2];
}

export const sameHolder = (a: LeaseHolder, b: LeaseHolder) =>
  a.workflowId === b.workflowId && a.firstRunId === b.firstRunId;

export const unavailableNodes = (leases: Lease[]) =>
  leases.reduce((sum, l) => sum + l.unavailable, 0);

/** `k8s-upgrade/lab (kubernetes-upgrade, 2 nodes, since 2026-12-06T21:00:00.000Z)` */
export function describeLease(lease: Lease): string {
  const nodes =
    lease.nodes.length > 0
      ? `node ${lease.nodes.join(', ')}`
      : `${lease.unavailable} node${lease.unavailable === 1 ? '' : 's'}`;
  return `${lease.holder.workflowId} (${lease.operation}, ${nodes}, since ${lease.since})`;
}

function refuse(cluster: string, why: string, heldBy: Lease[]): LeaseDecision {
  const holders = heldBy.length > 0 ? `; held by ${heldBy.map(describeLease).join('; ')}` : '';
  return { granted: false, reason: `cluster ${cluster}: ${why}${holders}`, heldBy };
}

/**
 * The guard's answer to a request, and its leases after it. A holder asking again (a run
 * continued as new, a retried activity) keeps its lease and its `since`; a new run under a
 * workflow ID replaces the lease of the run before it, which has ended.
 */
export function acquireLease(
  cluster: string,
  leases: Lease[],
  request: AcquireLeaseRequest,
  now: string,
): { decision: LeaseDecision; leases: Lease[] } {
  const own = leases.find((l) => sameHolder(l.holder, request.holder));
  const others = leases.filter((l) => l.holder.workflowId !== request.holder.workflowId);
  const refused = (why: string, heldBy: Lease[]) => ({
    decision: refuse(cluster, why, heldBy),
    leases,
  });

  for (const other of others) {
    const why = exclusiveReason(other.operation, request.operation);
    if (why) return refused(`${request.operation} refused: ${why}`, [other]);
  }
  const sharing = others.filter((l) => l.nodes.some((n) => request.nodes.includes(n)));
  if (sharing.length > 0) {
    const nodes = request.nodes.filter((n) => sharing.some((l) => l.nodes.includes(n)));
    return refused(`${request.operation} refused: ${nodes.join(', ')} already taken`, sharing);
  }
  const budget = request.maxUnavailableNodes;
  if (request.unavailable > budget) {
    return refused(
      `${request.operation} refused: it may make ${request.unavailable} nodes unavailable, more than the cluster's budget of ${budget} (clusters.${cluster}.guard.maxUnavailableNodes)`,
      [],
    );
  }
  const used = unavailableNodes(others);
  if (used + request.unavailable > budget) {
    return refused(
      `${request.operation} refused: ${request.unavailable} more unavailable node(s) would exceed the budget of ${budget} (${used} taken)`,
      others.filter((l) => l.unavailable > 0),
    );
  }
  const { holder, operation, nodes, unavailable } = request;
  const lease: Lease = { holder, operation, nodes, unavailable, since: own?.since ?? now };
  return { decision: { granted: true, lease }, leases: [...others, lease] };
}

/** The leases without those of these holders (released, or ended). */
export const withoutHolders = (leases: Lease[], holders: LeaseHolder[]) =>
  leases.filter((l) => !holders.some((h) => sameHolder(h, l.holder)));

const leaseHolder = z.strictObject({
  workflowId: z.string().min(1, 'is required'),
  firstRunId: z.string().min(1, 'is required'),
});

const acquireRequest = z
  .strictObject({
    holder: leaseHolder,
    operation: z.enum(LEASE_OPERATIONS),
    nodes: z.array(nodeName),
    unavailable: z.number().int('must be a whole number').min(0, 'must be at least 0'),
    maxUnavailableNodes: z.number().int('must be a whole number').min(1, 'must be at least 1'),
  })
  .refine((r) => r.unavailable >= r.nodes.length, {
    path: ['unavailable'],
    message: 'must count every node named in nodes',
  });

/** The guard's update validators: a malformed request is rejected before it reaches history. */
export const parseAcquireRequest = (input: unknown): AcquireLeaseRequest =>
  parseInput(acquireRequest, input);
export const parseLeaseHolder = (input: unknown): LeaseHolder => parseInput(leaseHolder, input);
