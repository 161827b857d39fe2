// The public contract between Steward's triggers (CLI, UI, Schedules) and its workflows.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import {
  ApplicationFailure,
  defineSearchAttributeKey,
  SearchAttributeType,
} from '@temporalio/common';
import type { AddonStep } from './policy/addon-steps';
import type { MaintenanceWindows } from './policy/maintenance-window';
import type { CephGateFailure, CephGateVerdict } from './policy/ceph-health-gate';
import type { RookCephChange, RookCephPlan } from './policy/rook-upgrade';

export const TASK_QUEUE = 'steward';

export const searchAttributes = {
  operation: defineSearchAttributeKey('StewardOperation', SearchAttributeType.KEYWORD),
  cluster: defineSearchAttributeKey('StewardCluster', SearchAttributeType.KEYWORD),
  target: defineSearchAttributeKey('StewardTarget', SearchAttributeType.KEYWORD),
  phase: defineSearchAttributeKey('StewardPhase', SearchAttributeType.KEYWORD),
};

export interface PodRef {
  namespace: string;
  name: string;
  uid: string;
}

/** `approve` answers an approval point; the others answer a failed step. */
export type OperatorDecision = 'retry' | 'skip' | 'abort' | 'approve';
export const OPERATOR_DECISIONS: readonly OperatorDecision[] = [
  'retry',
  'skip',
  'abort',
  'approve',
];

export interface DecideRequest {
  decision: OperatorDecision;
  /** Who decided and why; recorded in history and shown in status. */
  note?: string;
}

export interface DrainOptions {
  /** Seconds the drain may take before it waits for an operator. */
  timeoutSeconds: number;
  /** Evict pods that use emptyDir volumes (their data is lost). */
  deleteEmptyDirData: boolean;
  /** Evict pods that no controller manages (they are not re-created). */
  force: boolean;
}

export interface DrainNodeInput extends Partial<DrainOptions> {
  cluster: string;
  node: string;
}

export interface UncordonNodeInput {
  cluster: string;
  node: string;
  /** Uncordon even when Steward did not cordon the node, or a running operation holds it. */
  force?: boolean;
}

export type PodAction = 'evict' | 'skip' | 'refuse';

export interface PodVerdict {
  pod: PodRef;
  action: PodAction;
  reason: string;
}

export interface DrainPlan {
  cluster: string;
  node: string;
  alreadyCordoned: boolean;
  evict: PodVerdict[];
  skip: PodVerdict[];
  refuse: PodVerdict[];
}

export interface PodLeft {
  pod: PodRef;
  /** What keeps the pod on the node, e.g. `PodDisruptionBudget default/web allows 0 disruptions`. */
  blocker: string;
}

export type DrainPhase =
  | 'validating'
  | 'cordoning'
  | 'evicting'
  | 'waiting-for-operator'
  | 'drained'
  | 'skipped'
  | 'aborted';

/**
 * What every operation's status shows of the skeleton's waits (workflows/operation/): an
 * operator's decision, a system that is down, a closed maintenance window.
 */
export interface OperationWaits {
  /** Why the operation waits for an operator, while it does. */
  waitingReason?: string;
  /** The system the operation waits for while it is down: "NetBox (HTTP 500 since 10:42:13)". */
  unavailable?: string;
  /** Why nothing starts now: the maintenance window is closed (and when it opens). */
  waitingForWindow?: string;
  /** The operators' decisions so far, oldest first. */
  decisions: DecideRequest[];
}

export interface DrainStatus extends OperationWaits {
  cluster: string;
  node: string;
  phase: DrainPhase;
  /** Whether this drain's operation holds the cordon (set it, or set it in an earlier attempt). */
  cordonedBySteward: boolean;
  /** The cordon's owner this drain writes: its top-level operation's run (`<workflowId>@<runId>`). */
  cordonOwner?: string;
  /**
   * Pods of the plan that have left the node. Counted when gone rather than when the eviction was
   * sent, so the count stays exact when a round is retried after a worker crash.
   */
  evicted: PodRef[];
  left: PodLeft[];
}

export type DrainOutcome = 'drained' | 'skipped' | 'aborted';

export interface DrainNodeResult extends DrainStatus {
  outcome: DrainOutcome;
  /** What happened, including that the node stays cordoned (a drain never uncordons). */
  message: string;
}

/** What a continued run of drainNode carries over; not an operator's input. */
export interface DrainCarried {
  status?: DrainStatus;
  /** When the current attempt runs out of time (epoch milliseconds). */
  deadline?: number;
  /** Continue as new once the history has this many events (the server may suggest it sooner). */
  continueAsNewAfterEvents?: number;
}

export interface UncordonNodeResult {
  cluster: string;
  node: string;
  uncordoned: boolean;
  message: string;
}

export const drainStatusQuery = defineQuery<DrainStatus>('drainStatus');
/** An operator's decision for an operation that waits for one; answers what happens next. */
export const decideUpdate = defineUpdate<string, [DecideRequest]>('decide');

/** A wait for an operator somewhere below an operation; `reason` undefined when it has ended. */
export interface OperatorWait {
  workflowId: string;
  reason?: string;
  /** The decisions `decide` accepts there. */
  decisions?: OperatorDecision[];
}

/** What an operation tells the operators' webhook; the worker adds who, where and the UI link. */
export interface OperatorNotification {
  /** `alert`: something operators must know that asks no decision (a suspected partition). */
  kind: 'started' | 'waiting' | 'failed' | 'completed' | 'alert';
  /** The operation at the root of the workflow tree, when it is not this workflow. */
  operation?: string;
  /** Why it waits (waiting), why it failed (failed), what happened (alert). */
  reason?: string;
  /** The decisions `decide` accepts (waiting). */
  decisions?: OperatorDecision[];
}

/** Sent by every operator wait to the operation at the root of its tree, so that one shows it. */
export const operatorWaitSignal = defineSignal<[OperatorWait]>('operatorWait');

/** The operations that take a lease from their cluster's guard before they disrupt it. */
export type LeaseOperation =
  'kubernetes-upgrade' | 'node-upgrade' | 'rook-ceph-upgrade' | 'node-reinstall' | 'drain';

/** A lease's holder: a workflow and its first run, so a run continued as new keeps the lease. */
export interface LeaseHolder {
  workflowId: string;
  firstRunId: string;
}

export interface LeaseRequest {
  holder: LeaseHolder;
  operation: LeaseOperation;
  /** The nodes it takes down by name (a drain's, a reinstall's); none for a cluster-wide one. */
  nodes: string[];
  /** How many nodes it may make unavailable at once (at least its named ones). */
  unavailable: number;
}

export interface Lease extends LeaseRequest {
  /** When the guard granted it (ISO 8601). */
  since: string;
}

/** What an operation asks its cluster's guard (`acquire`): the request and the cluster's budget. */
export interface AcquireLeaseRequest extends LeaseRequest {
  /** Nodes that may be unavailable at once across all holders (from the worker's config). */
  maxUnavailableNodes: number;
}

export type LeaseDecision =
  { granted: true; lease: Lease } | { granted: false; reason: string; heldBy: Lease[] };

export interface ClusterGuardInput {
  cluster: string;
  /** Seconds between the checks that drop the leases of holders that ended. Default 30. */
  leaseCheckSeconds?: number;
  /** Continue as new once the history has this many events (or the server suggests it). */
  continueAsNewAfterEvents?: number;
  /** Carried over a continue-as-new. */
  leases?: Lease[];
  maxUnavailableNodes?: number;
}

export interface ClusterGuardStatus {
  cluster: string;
  leases: Lease[];
  /** The budget the last acquire brought; undefined before any. */
  maxUnavailableNodes?: number;
  unavailable: number;
}

export const acquireLeaseUpdate = defineUpdate<LeaseDecision, [AcquireLeaseRequest]>('acquire');
/** Answers whether the holder had a lease. */
export const releaseLeaseUpdate = defineUpdate<boolean, [LeaseHolder]>('release');
export const clusterLeasesQuery = defineQuery<ClusterGuardStatus>('leases');

/** The failure type of an operation refused by its cluster's guard; details carry the holders. */
export const LEASE_REFUSED = 'LeaseRefused';

export const workflowIds = {
  drain: (cluster: string, node: string) => `drain/${cluster}/${node}`,
  uncordon: (cluster: string, node: string) => `uncordon/${cluster}/${node}`,
  drainPlan: (cluster: string, node: string) => `drain-plan/${cluster}/${node}`,
  upgradePlan: (cluster: string) => `k8s-upgrade-plan/${cluster}`,
  upgrade: (cluster: string) => `k8s-upgrade/${cluster}`,
  upgradeNode: (cluster: string, node: string, version: string) =>
    `k8s-upgrade/${cluster}/${node}/${version}`,
  reinstall: (node: string) => `reinstall/${node}`,
  netboxReconcile: (cluster: string) => `netbox-reconcile/${cluster}`,
  reinstallPlan: (node: string) => `reinstall-plan/${node}`,
  rookUpgrade: (cluster: string) => `rook-upgrade/${cluster}`,
  rookUpgradePlan: (cluster: string) => `rook-upgrade-plan/${cluster}`,
  cephHealth: (cluster: string) => `ceph-health/${cluster}`,
  evict: (region: string, host: string) => `evict/${region}/${host}`,
  evictPlan: (region: string, host: string) => `evict-plan/${region}/${host}`,
  evictWatch: (region: string) => `evict-watch/${region}`,
  guard: (cluster: string) => `guard/${cluster}`,
};

/** The failure type of every input that Steward refuses; details carry `{ field, reason }`. */
export const INVALID_INPUT = 'InvalidInput';

export function invalidInput(field: string, reason: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: INVALID_INPUT,
    message: `${field}: ${reason}`,
    nonRetryable: true,
    details: [{ field, reason }],
  });
}

/** The time a Schedule appends to its runs' workflow IDs, e.g. `-2026-12-06T03:00:00Z`. */
const SCHEDULED_RUN_SUFFIX = /^-\d{4}-\d\d-\d\dT[\d:]+Z$/;

/** Whether a workflow ID is an operation's derived ID, or a scheduled run of it. */
export const isRunOf = (workflowId: string, derivedId: string): boolean =>
  workflowId === derivedId ||
  (workflowId.startsWith(derivedId) &&
    SCHEDULED_RUN_SUFFIX.test(workflowId.slice(derivedId.length)));

/** Every workflow ID Steward derives from its target, with the time a Schedule appends to its runs. */
export const WORKFLOW_ID_PATTERN =
  /^((rook-upgrade(-plan)?|ceph-health|guard)\/[a-z0-9]([-a-z0-9]*[a-z0-9])?|reinstall(-plan)?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?|netbox-reconcile\/[a-z0-9]([-a-z0-9]*[a-z0-9])?|evict-watch\/[a-z0-9]([-a-z0-9]*[a-z0-9])?|(drain|uncordon|drain-plan|evict|evict-plan)\/[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?|k8s-upgrade(-plan)?\/[a-z0-9]([-a-z0-9]*[a-z0-9])?|k8s-upgrade\/[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/v[0-9.]+)(-\d{4}-\d\d-\d\dT[\d:]+Z)?$/;

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

/** What the installer runs on a reinstalled host: Steward's template, nothing, or an operator's file. */
export type DeploymentOption = 'standard' | 'none' | 'custom';
export const DEPLOYMENT_OPTIONS: readonly DeploymentOption[] = ['standard', 'none', 'custom'];

export interface NodeReinstallInput {
  /** The NetBox device; also the Kubernetes node of that name when the host has one. */
  node: string;
  /** The Kubernetes cluster the node would be in. */
  cluster: string;
  /** Default: the device's NetBox custom field `deployment_option`, else `standard`. */
  deployment?: DeploymentOption;
  /** The base script for `custom`, a path on the worker; default NetBox's `custom_base_script`. */
  customScript?: string;
  /** Seconds the drain may take before it waits for an operator. Default 600. */
  drainTimeoutSeconds?: number;
  /** Seconds from power-on until the node must be back Ready with a new boot ID. Default 1800. */
  rejoinTimeoutSeconds?: number;
  /** Vault references of the BMC login. Default `vault:secret/data/bmc/<node>#username|password`. */
  bmcCredentials?: { username: string; password: string };
  /** Changes start only inside this window (the checks before them run at once); default always. */
  window?: MaintenanceWindows;
  /**
   * The OpenStack region where the host is a Nova hypervisor (its compute service's host is
   * `node`): its service is disabled and its instances migrated away before the drain, and it is
   * enabled again once the reinstalled host's nova-compute reports. Default: not a hypervisor.
   */
  novaRegion?: string;
  /** Instances migrated at once off a hypervisor. Default 2. */
  migrationConcurrency?: number;
}

export type ReinstallStep =
  | 'validating'
  | 'credentials'
  | 'netbox-reinstalling'
  | 'compute-disable'
  | 'migrate-instances'
  | 'drain'
  | 'bmc'
  | 'publish-script'
  | 'power-off'
  | 'power-on'
  | 'rejoin'
  | 'compute-rejoin'
  | 'uncordon'
  | 'compute-enable'
  | 'netbox-active'
  | 'done';

export interface NodeReinstallStatus extends OperationWaits {
  node: string;
  cluster: string;
  step: ReinstallStep;
  deployment?: DeploymentOption;
  customScript?: string;
  /** Whether the host is a node of the cluster (else no drain and no rejoin to wait for). */
  kubernetesNode?: boolean;
  /** The BMC as reached, e.g. `127.0.1.2 (DDNS bmc-lab-2.oob.example)`. */
  bmc?: string;
  cordonedBySteward: boolean;
  /** The region where the host is a Nova hypervisor, as the input says. */
  novaRegion?: string;
  /** On a hypervisor: whether its compute service was disabled by Steward (and so is enabled again). */
  computeDisabledBySteward?: boolean;
  /** One line per step done, in order. */
  log: string[];
}

export interface NodeReinstallResult extends NodeReinstallStatus {
  outcome: 'reinstalled' | 'aborted';
  message: string;
}

export const nodeReinstallStatusQuery = defineQuery<NodeReinstallStatus>('nodeReinstallStatus');

/** How an instance would leave a hypervisor being reinstalled, or why it cannot. */
export interface InstanceMovePlan {
  id: string;
  name: string;
  status: string;
  kind?: 'live-migration' | 'migration';
  target?: string;
  problem?: string;
}

/** What a reinstall would do, read without changing anything. */
export interface ReinstallPlan {
  node: string;
  cluster: string;
  netboxStatus: string;
  deployment: DeploymentOption;
  customScript?: string;
  /** The script's size and SHA-256 as it would be published. */
  script: { bytes: number; sha256: string };
  kubernetesNode: boolean;
  bmc: string;
  bmcSerial: string;
  power: string;
  /** On a hypervisor: its compute service and how each instance would leave. */
  hypervisor?: { region: string; service: string; instances: InstanceMovePlan[] };
}

/** Failure types of the BMC activities, for workflows to tell them apart. */
export const BMC_FAILURES = {
  /** The BMC's FRU serial is not the inventory's: never retried, nothing was touched. */
  identityMismatch: 'BmcIdentityMismatch',
  /** The BMC did not answer in time (a hung or unreachable BMC): retried. */
  timeout: 'BmcTimeout',
  /** The BMC refused the credentials or their privilege: never retried. */
  auth: 'BmcAuthFailed',
  /** The BMC refused a setting (e.g. the boot device), with its message: never retried. */
  refused: 'BmcRefused',
  /** The BMC answered a command with an error: retried. */
  failed: 'BmcCommandFailed',
  /** The host was on when Steward was to power it on: someone else booted it; never retried. */
  poweredOnElsewhere: 'BmcPoweredOnElsewhere',
} as const;

/** Failure types of a DNS lookup: no such name (never retried), or no answer (retried). */
export const DNS_FAILURES = { notFound: 'DnsNameNotFound', failed: 'DnsLookupFailed' } as const;

export interface NetboxReconcileInput {
  cluster: string;
}

export interface NetboxReconcileResult {
  cluster: string;
  /** Nodes whose NetBox device was compared. */
  checked: number;
  notInNetbox: string[];
  /** `<device>: <fields written>`, empty when NetBox already matched the cluster. */
  written: string[];
}

/** What a continued run of netboxReconcile carries over; not an operator's input. */
export interface NetboxReconcileCarried {
  /** The result so far, of the nodes up to `after` (by name). */
  result?: NetboxReconcileResult;
  after?: string;
  /** Continue as new once the history has this many events (the server may suggest it sooner). */
  continueAsNewAfterEvents?: number;
}

/** Failure types of the NetBox activities (a refused field is INVALID_INPUT). */
export const NETBOX_FAILURES = {
  /** NetBox answered 5xx, or could not be reached: retried. */
  unavailable: 'NetboxUnavailable',
  /** NetBox refused the request (a 4xx other than a bad field), with its message: never retried. */
  refused: 'NetboxRefused',
} as const;

/** Failure types of the Vault client (a bad or missing secret reference is INVALID_INPUT). */
export const OPENSTACK_FAILURES = {
  /** Keystone or a service answered 5xx, or could not be reached: retried. */
  unavailable: 'OpenStackUnavailable',
  /** Keystone refused the login (wrong password, unknown user or project): never retried. */
  loginFailed: 'OpenStackLoginFailed',
  /** The service refused the request (4xx), with its own message: never retried. */
  refused: 'OpenStackRefused',
  /**
   * Nova refuses, for now, what a running process will soon allow (forcing a host up before its
   * restarted compute has completed the evacuations from it): retried.
   */
  pending: 'OpenStackPending',
  /** The named object (host, server, service) does not exist: never retried. */
  notFound: 'OpenStackNotFound',
} as const;

export const VAULT_FAILURES = {
  /** Vault answered 5xx, or could not be reached: retried. */
  unavailable: 'VaultUnavailable',
  /** Vault refused the AppRole login (wrong role ID or secret ID): never retried. */
  loginFailed: 'VaultLoginFailed',
  /** Vault's policy denies the request: never retried. */
  denied: 'VaultDenied',
} as const;

export interface RookCephUpgradeInput {
  cluster: string;
  /** The Rook chart (and operator) version to upgrade to, e.g. v1.16.7: one minor at a time. */
  rook?: string;
  /** The Ceph image to run, tagged with its version, e.g. quay.io/ceph/ceph:v18.2.4. */
  ceph?: string;
  /** Seconds the cluster settles after each change and daemon group before a gate reads it. Default 5. */
  pauseSeconds?: number;
  /**
   * Seconds a health gate may fail before the upgrade stops and asks; in a roll, counted from
   * Rook's last daemon restart. Default 600.
   */
  gateTimeoutSeconds?: number;
  /** The upgrade, its first gate included, starts only inside this window; default always. */
  window?: MaintenanceWindows;
}

export type RookCephUpgradePhase =
  | 'validating'
  | 'gate-before'
  | 'rook-operator'
  | 'rook-roll'
  | 'ceph-image'
  | 'ceph-roll'
  | 'gate-after'
  | 'done'
  | 'aborted';

/** A health gate that passed: consecutive passing reads from `firstPassAt` to `passedAt`. */
export interface CephGatePassed {
  /** e.g. "before", "after the OSDs at Rook v1.16.7", "after". */
  gate: string;
  firstPassAt: string;
  passedAt: string;
  reads: number;
  /** Ceph as the last read saw it, e.g. "HEALTH_OK; 9 PGs: 9 active+clean; …". */
  summary: string;
}

export interface RookCephUpgradeStatus extends OperationWaits {
  cluster: string;
  phase: RookCephUpgradePhase;
  rook?: RookCephChange;
  ceph?: RookCephChange;
  /** What the upgrade does or waits for now, e.g. "OSDs at quay.io/ceph/ceph:v18.2.6". */
  current?: string;
  /** One line per step done, in order. */
  log: string[];
  gates: CephGatePassed[];
  /** The failing checks (check name and Ceph's own message) of the gate the upgrade waits at. */
  failing: CephGateFailure[];
  /** Steward scaled Rook's operator to 0 to stop its roll while an operator decides. */
  rookStopped: boolean;
}

export interface RookCephUpgradeResult extends RookCephUpgradeStatus {
  outcome: 'upgraded' | 'aborted';
  message: string;
}

export const rookCephUpgradeStatusQuery =
  defineQuery<RookCephUpgradeStatus>('rookCephUpgradeStatus');

/** The health gate's verdict on a cluster's Ceph now (`steward ceph-health`). */
export interface CephHealthReport {
  cluster: string;
  verdict: CephGateVerdict;
  /** e.g. "HEALTH_OK; 9 PGs: 9 active+clean; quorum a,b,c of 3 mons; 3 of 3 OSDs up and in". */
  summary: string;
}

/** What an upgrade would do (`--dry-run`), with the gate's verdict now; nothing changed. */
export interface RookCephUpgradePlan extends RookCephPlan {
  health: CephHealthReport;
  /** Rook's own words on the cluster (the CephCluster's status.message). */
  rookMessage?: string;
}

export interface HypervisorEvictionInput {
  /** The OpenStack region as the worker's configuration names it. */
  region: string;
  /** The compute host (Nova's service host, NetBox's device name). */
  host: string;
  /** Evacuations in flight at once. Default 4. */
  concurrency?: number;
  /** Evacuations of one instance before the operator is asked. Default 3. */
  maxAttempts?: number;
  /** Seconds before an instance's second evacuation, doubled for each further one. Default 10. */
  backoffSeconds?: number;
  /** Vault references of the BMC login. Default `vault:secret/data/bmc/<host>#username|password`. */
  bmcCredentials?: { username: string; password: string };
  /** The partition threshold this eviction is judged against, as the watch's (default 2 and 25%). */
  threshold?: string | number;
  thresholdScope?: 'region' | 'zone';
  /** Minutes an eviction counts against the threshold. Default 60. */
  failureWindowMinutes?: number;
}

export type EvictionStep =
  | 'validating'
  | 'confirming'
  | 'fencing'
  | 'disabling'
  | 'evacuating'
  | 'recording'
  | 'done'
  | 'not-failed'
  | 'refused'
  | 'aborted';

export type InstanceEvacuationState = 'pending' | 'evacuating' | 'moved' | 'failed' | 'skipped';

export interface InstanceEvacuation {
  id: string;
  name: string;
  /** ACTIVE or SHUTOFF: the status it must have again on its new host. */
  expectedStatus: string;
  state: InstanceEvacuationState;
  from: string;
  /** The host Steward chose (Nova's scheduler may be left to choose on a later attempt). */
  target?: string;
  /** Where it ended. */
  to?: string;
  attempts: number;
  /** Seconds from the first evacuation request to the instance settled on its new host. */
  seconds?: number;
  /** Why it has not moved (yet). */
  reason?: string;
}

export interface HypervisorEvictionStatus extends OperationWaits {
  region: string;
  host: string;
  step: EvictionStep;
  /** The BMC as reached, e.g. `127.0.1.2:6623 (NetBox OOB IP)`. */
  bmc?: string;
  /** The BMC read back "off" after Steward's power-off. */
  fenced: boolean;
  instances: InstanceEvacuation[];
  /** One line per step done, in order. */
  log: string[];
}

export interface HypervisorEvictionResult extends HypervisorEvictionStatus {
  /**
   * evicted: every instance moved (or skipped by an operator); not-failed: the host is up, nothing
   * done; refused: above the partition threshold, nothing done.
   */
  outcome: 'evicted' | 'not-failed' | 'refused' | 'aborted';
  message: string;
  /** Seconds from the start to the end of the eviction. */
  seconds: number;
}

export const hypervisorEvictionStatusQuery = defineQuery<HypervisorEvictionStatus>(
  'hypervisorEvictionStatus',
);

/** What an eviction would do (`steward evict --dry-run`), read without changing anything. */
export interface HypervisorEvictionPlan {
  region: string;
  host: string;
  /** Nova's view of the host's compute service. */
  service: { state: string; status: string; forcedDown: boolean };
  /** Whether an eviction would proceed (the service is down, within the threshold). */
  wouldEvict: boolean;
  /** Set when evicting it would exceed the partition threshold: the counts. */
  overThreshold?: string;
  bmc: string;
  bmcSerial: string;
  power: string;
  /** Each instance with the host Steward would choose, or why none. */
  instances: { id: string; name: string; status: string; target?: string; reason?: string }[];
}

export interface HypervisorEvictionWatchInput {
  region: string;
  /** Seconds between polls of Nova's compute services. Default 30. */
  intervalSeconds?: number;
  /** Consecutive polls a host must be seen failed before it is evicted. Default 2. */
  gracePolls?: number;
  /** At most this many failed hosts ("2") or share of the hosts ("25%"); default both 2 and 25%. */
  threshold?: string | number;
  /** Count the threshold over the region (default) or per availability zone. */
  thresholdScope?: 'region' | 'zone';
  /** Minutes an eviction counts against the threshold. Default 60. */
  failureWindowMinutes?: number;
  /** Passed to each eviction. Default 4. */
  concurrency?: number;
}

/** What a continued run of the watch carries over; not an operator's input. */
export interface HypervisorEvictionWatchCarried {
  /** Consecutive polls each failing host has been seen failed. */
  streaks: Record<string, number>;
  /** Hosts whose eviction the watch started, while they stay failed. */
  started: string[];
  polls: number;
  /** Hosts whose eviction the watch started, and when: they count against the threshold. */
  evictions?: { host: string; at: string }[];
  /** The partition the last poll saw, so operators hear of it once, not once per run. */
  partition?: string;
  /** Nova or Keystone could not be read at the last poll, so operators hear of it once. */
  novaUnreachable?: string;
  /** Continue as new after this many polls (the server may suggest it sooner). Default 500. */
  continueAsNewAfterPolls?: number;
}

export interface HypervisorEvictionWatchStatus extends OperationWaits {
  region: string;
  polls: number;
  lastPollAt?: string;
  hosts: number;
  /** Failed hosts still in their grace: host and polls seen. */
  waiting: { host: string; polls: number }[];
  /** Hosts whose eviction has been started and that are still failed. */
  evicting: string[];
  /** Set while more hosts failed than the threshold allows: nothing is evicted. */
  partition?: string;
  /** Set while Nova or Keystone cannot be read: why, and since when. The watch keeps polling. */
  novaUnreachable?: string;
  /** Hosts evicted within the failure window (counted against the threshold), and when. */
  recentEvictions: { host: string; at: string }[];
  threshold: string;
  /** Hosts whose eviction was started, over the watch's life (this run). */
  startedThisRun: string[];
}

export const hypervisorEvictionWatchStatusQuery = defineQuery<HypervisorEvictionWatchStatus>(
  'hypervisorEvictionWatchStatus',
);
