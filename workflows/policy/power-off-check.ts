// Whether a host may be powered off for its reinstall, judged on facts read right before the
// power-off: no pods that a drain would evict still bound to it (unless an operator approved
// exactly those pods), no Nova instances on it, and Ceph's ok-to-stop for the OSDs it runs.
import type { PodRef } from '../api';
import { classifyPods, type PodFacts } from './pod-filters';

/** A pod still bound to the node, with the PodDisruptionBudgets (`ns/name`) that select it. */
export interface BoundPod {
  pod: PodRef;
  budgets: string[];
}

export interface PowerOffFacts {
  /** The reinstall's workflow ID and the host, named in the operator's question. */
  reinstall: string;
  node: string;
  pods: BoundPod[];
  /** Pod UIDs an operator approved powering off with (answering a question that named them). */
  approvedPods: ReadonlySet<string>;
  /** On a hypervisor: the instances Nova still has on it. */
  instances: { name: string; status: string }[];
  /** When the host runs Ceph OSDs: Ceph's `osd ok-to-stop` verdict for them. */
  osds?: { ids: number[]; okToStop: boolean; reason?: string };
}

export type PowerOffVerdict =
  | { go: true }
  /** `approvable`: the operator may power off anyway (approve), the pods in `pods`. */
  | { go: false; problem: string; approvable: boolean; pods: PodRef[] };

/**
 * The pods on a node that a power-off would kill and a drain would have evicted: all but the
 * DaemonSets' and mirror pods (the node's own) and the finished ones.
 */
export function podsADrainWouldEvict(pods: PodFacts[]): PodRef[] {
  const running = pods.filter((p) => p.phase !== 'Succeeded' && p.phase !== 'Failed');
  const { evict, refuse } = classifyPods(running, { deleteEmptyDirData: true, force: false });
  return [...evict, ...refuse].map((v) => v.pod);
}

/** Rook names an OSD's pods `rook-ceph-osd-<id>-<replicaset hash>-<pod hash>`. */
const ROOK_OSD_POD = /^rook-ceph-osd-(\d+)-[a-z0-9]+-[a-z0-9]+$/;

/** The Ceph OSD IDs whose Rook pods these are, ascending. */
export function rookOsdIds(podNames: string[]): number[] {
  const ids = podNames.flatMap((name) => {
    const id = ROOK_OSD_POD.exec(name)?.[1];
    return id === undefined ? [] : [Number(id)];
  });
  return [...new Set(ids)].sort((a, b) => a - b);
}

const describePod = (p: BoundPod) =>
  `${p.pod.namespace}/${p.pod.name} (${p.budgets.length > 0 ? `PodDisruptionBudget ${p.budgets.join(', ')}` : 'no PodDisruptionBudget'})`;

export function judgePowerOff(f: PowerOffFacts): PowerOffVerdict {
  if (f.instances.length > 0)
    return {
      go: false,
      approvable: false,
      pods: [],
      problem: `${f.instances.length} Nova instances still on ${f.node}: ${f.instances.map((i) => `${i.name} (${i.status})`).join(', ')}; move them off, then retry`,
    };
  if (f.osds && !f.osds.okToStop)
    return {
      go: false,
      approvable: false,
      pods: [],
      problem: `Ceph says OSDs ${f.osds.ids.join(', ')} on ${f.node} may not stop: ${f.osds.reason || 'not ok-to-stop'}; retry once Ceph allows it`,
    };
  const unapproved = f.pods.filter((p) => !f.approvedPods.has(p.pod.uid));
  if (unapproved.length === 0) return { go: true };
  const budgeted = unapproved.filter((p) => p.budgets.length > 0).length;
  return {
    go: false,
    approvable: true,
    pods: unapproved.map((p) => p.pod),
    problem:
      `${f.reinstall} would power off ${f.node} with ${unapproved.length} pods still bound to it` +
      ` (${budgeted} under a PodDisruptionBudget): ${unapproved.map(describePod).join(', ')}.` +
      ` approve: power off with these pods; retry: check again once they are gone`,
  };
}
