// Kubernetes upgrade and its per-node child: input, plan, status and result.
import { defineQuery } from '@temporalio/workflow';
import type { AddonStep } from '../policy/addon-steps';
import type { MaintenanceWindows } from '../policy/maintenance-window';
import type { OperationWaits, OperatorWait } from './common';

export interface KubernetesUpgradeInput {
  cluster: string;
  /** "1.32" (the latest known patch) or "1.32.4". */
  target: string;
  /** Workers upgraded at once, at most: a count or a percentage such as "25%". Default 1. */
  maxUnavailable?: string | number;
  /** Seconds each node settles before its checks. Default 5. */
  pauseSeconds?: number;
  /** Seconds a node's drain may take before it waits for an operator. Default 600. */
  drainTimeoutSeconds?: number;
  /** Seconds the Job, the node's return, the GPUs' return and the Tigera migration may each take. Default 900. */
  stepTimeoutSeconds?: number;
  /** The image of the upgrade Jobs (it needs sh and chroot). */
  image?: string;
  devicePlugin?: DevicePluginSettings;
  /** kube-prometheus-stack chart version to prepare for: its CRDs per major, after the last step. */
  monitoringChart?: string;
  /** Where the rollout waits for an operator's `approve`. Default none. */
  approvalPoints?: ApprovalPoint[];
  /** Label selectors choosing the workers to upgrade; the control plane is always upgraded whole. */
  nodes?: { include?: string; exclude?: string };
  /** New nodes start only inside this window, or any of these (the nodes in flight finish); default always. */
  window?: MaintenanceWindows;
}

export type ApprovalPoint = 'before-each-step' | 'before-workers';

export const APPROVAL_POINTS: readonly ApprovalPoint[] = ['before-each-step', 'before-workers'];

export type KubernetesUpgradePhase =
  | 'planning'
  | 'waiting-for-approval'
  | 'control-plane'
  | 'workers'
  | 'addons'
  | 'waiting-for-operator'
  | 'waiting-for-window'
  | 'done'
  | 'aborted';

export interface KubernetesUpgradeStatus extends OperationWaits {
  cluster: string;
  phase: KubernetesUpgradePhase;
  version?: string;
  inFlight: string[];
  upgraded: string[];
  skipped: string[];
  /** Workers left out by the node selectors. */
  excluded: string[];
  /** Nodes skipped or aborted that stay cordoned (Steward cordoned them). */
  leftCordoned: string[];
  /** Why no node can start now, while the rollout waits for the cluster (e.g. a NotReady worker). */
  blockedBy?: string;
  /** Add-on steps applied, e.g. "v1.32.13: snapshot-controller v8.2.0". */
  addonsApplied: string[];
  addonsSkipped: string[];
  /** Approval points passed, e.g. "before v1.32.13" or "before v1.32.13 workers". */
  approved: string[];
  /** Operator waits anywhere in this upgrade (its own, its nodes', their drains'). */
  waiting: OperatorWait[];
}

export interface KubernetesUpgradeResult extends KubernetesUpgradeStatus {
  message: string;
}

/** What a continued run of kubernetesUpgrade carries over; not an operator's input. */
export interface KubernetesUpgradeCarried {
  status?: KubernetesUpgradeStatus;
  /** Continue as new once the history has this many events (the server may suggest it sooner). */
  continueAsNewAfterEvents?: number;
}

export const kubernetesUpgradeStatusQuery =
  defineQuery<KubernetesUpgradeStatus>('kubernetesUpgradeStatus');

export interface UpgradeStep {
  version: string;
  addons: AddonStep[];
}

export interface UpgradePlan {
  cluster: string;
  controlPlaneVersion: string;
  steps: UpgradeStep[];
  /** Control-plane nodes, one at a time; the first runs `kubeadm upgrade apply`. */
  controlPlaneOrder: string[];
  /**
   * The workers' order as planned now, cut into batches of maxUnavailable: the first starts
   * together, then each worker as soon as one finishes. Each step re-plans with the readiness then.
   */
  workerBatches: string[][];
  /** Why some workers cannot be batched now (e.g. NotReady ones), if so. */
  workersWaitFor?: string;
  /** Workers the node selectors leave out. */
  excluded: string[];
  maxUnavailable: number;
  approvalPoints: ApprovalPoint[];
}

export interface DevicePluginSettings {
  namespace: string;
  labelSelector: string;
}

/** The upstream NVIDIA device plugin as Yaook deploys it. */
export const DEFAULT_DEVICE_PLUGIN: DevicePluginSettings = {
  namespace: 'k8s-nvidia-device-plugin',
  labelSelector: 'app.kubernetes.io/instance=nvdp',
};

export interface UpgradeNodeInput {
  cluster: string;
  node: string;
  version: string;
  kubeadm: 'apply' | 'node';
  image: string;
  drainTimeoutSeconds: number;
  /** Seconds to let the node settle before its checks. */
  pauseSeconds: number;
  /** How long the Job, the node's return and the GPUs' return may each take. */
  stepTimeoutSeconds: number;
  devicePlugin: DevicePluginSettings;
}

export type UpgradeNodeStep =
  'drain' | 'upgrade-job' | 'node-ready' | 'device-plugin' | 'checks' | 'uncordon' | 'done';

export interface UpgradeNodeStatus extends OperationWaits {
  node: string;
  version: string;
  step: UpgradeNodeStep;
  cordonedBySteward: boolean;
}

export interface UpgradeNodeResult extends UpgradeNodeStatus {
  outcome: 'upgraded' | 'skipped' | 'aborted';
  message: string;
}

export const upgradeNodeStatusQuery = defineQuery<UpgradeNodeStatus>('upgradeNodeStatus');
