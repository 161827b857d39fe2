// Which pods a drain evicts, skips or refuses: small filters in the order kubectl's pkg/drain runs them.
import type { DrainOptions, PodRef, PodVerdict } from '../api';

/** Facts about a pod on the node being drained, as read from the cluster. */
export interface PodFacts {
  pod: PodRef;
  phase: string;
  /** The owner reference with `controller: true`, if any. */
  controller?: { kind: string; name: string };
  /** Whether that controller still exists (an orphaned DaemonSet pod has none). */
  controllerExists: boolean;
  mirror: boolean;
  usesEmptyDir: boolean;
  terminating: boolean;
}

type FilterOptions = Pick<DrainOptions, 'deleteEmptyDirData' | 'force'>;

/** A filter settles the pod's verdict, or returns undefined to pass it to the next filter. */
type PodFilter = (pod: PodFacts, options: FilterOptions) => Omit<PodVerdict, 'pod'> | undefined;

const mirrorPods: PodFilter = (pod) =>
  pod.mirror
    ? { action: 'skip', reason: 'mirror pod of a static pod; the kubelet owns it' }
    : undefined;

const terminatingPods: PodFilter = (pod) =>
  pod.terminating
    ? { action: 'evict', reason: 'already terminating; wait for it to go' }
    : undefined;

const finishedPods: PodFilter = (pod) =>
  pod.phase === 'Succeeded' || pod.phase === 'Failed'
    ? { action: 'evict', reason: `finished (${pod.phase})` }
    : undefined;

const daemonSetPods: PodFilter = (pod, options) => {
  if (pod.controller?.kind !== 'DaemonSet') return undefined;
  if (pod.controllerExists) {
    return { action: 'skip', reason: `managed by DaemonSet ${pod.controller.name}` };
  }
  // A forced orphan goes on to the remaining filters: its emptyDir still needs allowing.
  return options.force
    ? undefined
    : {
        action: 'refuse',
        reason: `orphaned DaemonSet pod (DaemonSet ${pod.controller.name} is gone); use force`,
      };
};

const unmanagedPods: PodFilter = (pod, options) => {
  if (pod.controller) return undefined;
  return options.force
    ? undefined
    : {
        action: 'refuse',
        reason: 'not managed by a controller, so nothing re-creates it; use force',
      };
};

const emptyDirPods: PodFilter = (pod, options) =>
  pod.usesEmptyDir && !options.deleteEmptyDirData
    ? {
        action: 'refuse',
        reason: 'uses emptyDir, whose data is lost on eviction; use deleteEmptyDirData',
      }
    : undefined;

const filters: PodFilter[] = [
  mirrorPods,
  terminatingPods,
  finishedPods,
  daemonSetPods,
  unmanagedPods,
  emptyDirPods,
];

export function classifyPod(pod: PodFacts, options: FilterOptions): PodVerdict {
  for (const filter of filters) {
    const verdict = filter(pod, options);
    if (verdict) return { pod: pod.pod, ...verdict };
  }
  const reason = !pod.controller
    ? 'unmanaged, forced'
    : pod.controllerExists
      ? `managed by ${pod.controller.kind} ${pod.controller.name}`
      : `orphaned ${pod.controller.kind} pod (${pod.controller.kind} ${pod.controller.name} is gone), forced`;
  return { pod: pod.pod, action: 'evict', reason };
}

export function classifyPods(
  pods: PodFacts[],
  options: FilterOptions,
): Record<PodVerdict['action'], PodVerdict[]> {
  const verdicts = pods.map((pod) => classifyPod(pod, options));
  return {
    evict: verdicts.filter((v) => v.action === 'evict'),
    skip: verdicts.filter((v) => v.action === 'skip'),
    refuse: verdicts.filter((v) => v.action === 'refuse'),
  };
}
