// The plan of a Kubernetes upgrade: the version steps, the add-on work of each, the order of the
// control-plane nodes and the worker batches. Refusals name the input field they concern.
import { z } from 'zod';
import { APPROVAL_POINTS, DEFAULT_DEVICE_PLUGIN, invalidInput, type UpgradePlan } from '../api';
import { addonStepsFor, monitoringChartSteps, type AddonFacts } from './addon-steps';
import { clusterName, parseInput } from './drain-input';
import { parseVersion, upgradePath } from './kubernetes-version';
import { maintenanceWindowsSchema } from './maintenance-window';
import { nextWorkerBatch, parseMaxUnavailable } from './worker-batches';

export interface ClusterFacts {
  /** ClusterConfiguration.kubernetesVersion from kube-system/kubeadm-config. */
  controlPlaneVersion: string;
  nodes: {
    name: string;
    controlPlane: boolean;
    kubeletVersion: string;
    ready: boolean;
    /** Chosen by the input's node selectors (every node when there are none). */
    selected: boolean;
  }[];
  addons: AddonFacts;
}

const seconds = (fallback: number) =>
  z
    .number()
    .int('must be a whole number of seconds')
    .positive('must be greater than 0')
    .default(fallback);

const upgradeInput = z.strictObject({
  cluster: clusterName,
  target: z.string().min(1, 'is required, e.g. "1.32"'),
  maxUnavailable: z.union([z.string(), z.number()]).default(1),
  pauseSeconds: seconds(5),
  drainTimeoutSeconds: seconds(600),
  stepTimeoutSeconds: seconds(900),
  image: z.string().min(1).default('debian:bookworm-slim'),
  /** Target kube-prometheus-stack chart version; the CRDs of each major up to it follow the last step. */
  monitoringChart: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/, 'must be a chart version such as "62.7.0"')
    .optional(),
  devicePlugin: z
    .strictObject({ namespace: z.string().min(1), labelSelector: z.string().min(1) })
    .default(DEFAULT_DEVICE_PLUGIN),
  approvalPoints: z
    .array(z.enum(APPROVAL_POINTS, `must be one of ${APPROVAL_POINTS.join(', ')}`))
    .default([]),
  nodes: z
    .strictObject({
      include: z.string().min(1, 'must be a label selector such as "pool=gpu"').optional(),
      exclude: z.string().min(1, 'must be a label selector such as "pool=gpu"').optional(),
    })
    .default({}),
  /** New nodes start only inside this window; outside it the rollout waits for the next one. */
  window: maintenanceWindowsSchema.optional(),
});

export type ParsedUpgradeInput = z.output<typeof upgradeInput>;

export const parseUpgradeInput = (input: unknown): ParsedUpgradeInput =>
  parseInput(upgradeInput, input);

/** Kubelets may lag the control plane by this many minors (Kubernetes' skew policy since 1.28). */
export const MAX_KUBELET_SKEW = 3;

/**
 * The worker batches, with the same rule the rollout applies: NotReady workers are never picked,
 * and excluded ones count as unavailable while they are NotReady.
 */
function planWorkerBatches(
  workers: ClusterFacts['nodes'],
  maxUnavailable: number,
): { workerBatches: string[][]; workersWaitFor?: string } {
  const states = workers.map((n) => ({ name: n.name, ready: n.ready, done: !n.selected }));
  const workerBatches: string[][] = [];
  for (;;) {
    const batch = nextWorkerBatch(states, maxUnavailable);
    if (batch.nodes.length === 0) {
      const waiting = states.some((s) => !s.done);
      return { workerBatches, ...(waiting && { workersWaitFor: batch.waitingFor }) };
    }
    workerBatches.push(batch.nodes);
    for (const s of states) if (batch.nodes.includes(s.name)) s.done = true;
  }
}

export function planUpgrade(
  input: Pick<
    ParsedUpgradeInput,
    'cluster' | 'target' | 'maxUnavailable' | 'approvalPoints' | 'monitoringChart'
  >,
  facts: ClusterFacts,
  /** The releases an upgrade may install (readKubernetesReleases). */
  releases: string[],
): UpgradePlan {
  const workers = facts.nodes.filter((n) => !n.controlPlane);
  // The selectors choose workers only: the control plane is always upgraded whole.
  const inRollout = facts.nodes.filter((n) => n.controlPlane || n.selected);
  const excluded = workers.filter((n) => !n.selected);
  let maxUnavailable: number;
  try {
    maxUnavailable = parseMaxUnavailable(input.maxUnavailable, workers.length);
  } catch (err) {
    throw invalidInput('maxUnavailable', (err as Error).message);
  }
  const path = upgradePath({
    controlPlane: facts.controlPlaneVersion,
    kubelets: Object.fromEntries(inRollout.map((n) => [n.name, n.kubeletVersion])),
    target: input.target,
    available: releases,
  });
  if (!path.ok) throw invalidInput(path.field, path.reason);
  const last = parseVersion(path.steps.at(-1) ?? facts.controlPlaneVersion);
  const leftBehind = excluded.filter((n) => {
    const kubelet = parseVersion(n.kubeletVersion);
    return !kubelet || !last || last.minor - kubelet.minor > MAX_KUBELET_SKEW;
  });
  if (leftBehind.length > 0) {
    throw invalidInput(
      'nodes',
      `excluded worker(s) ${leftBehind.map((n) => `${n.name} (${n.kubeletVersion})`).join(', ')} would be more than ${MAX_KUBELET_SKEW} minors behind ${path.steps.at(-1)}; include them`,
    );
  }

  const { workerBatches, workersWaitFor } = planWorkerBatches(workers, maxUnavailable);

  let addons = facts.addons;
  const steps = path.steps.map((version) => {
    const step = { version, addons: addonStepsFor(version, addons) };
    for (const a of step.addons) {
      if (a.kind === 'snapshot-controller')
        addons = { ...addons, snapshotController: a.version, kubeSystemSnapshotController: false };
      if (a.kind === 'tigera-operator-migration')
        addons = { ...addons, manifestCalicoInKubeSystem: false };
    }
    return step;
  });
  if (input.monitoringChart !== undefined) {
    const crds = monitoringChartSteps(facts.addons.monitoringChart, input.monitoringChart);
    const lastStep = steps.at(-1);
    if (crds.length > 0 && !lastStep) {
      throw invalidInput(
        'monitoringChart',
        `the cluster is at ${facts.controlPlaneVersion} already: there is no version step for the monitoring CRDs to follow`,
      );
    }
    lastStep?.addons.push(...crds);
  }

  return {
    cluster: input.cluster,
    controlPlaneVersion: facts.controlPlaneVersion,
    steps,
    controlPlaneOrder: facts.nodes.filter((n) => n.controlPlane).map((n) => n.name),
    workerBatches,
    workersWaitFor,
    excluded: excluded.map((n) => n.name),
    maxUnavailable,
    approvalPoints: input.approvalPoints,
  };
}
