// What every operation shares: the task queue, search attributes, operator decisions and waits,
// refused input, and the workflow IDs Steward derives.
import { defineSignal, defineUpdate } from '@temporalio/workflow';
import {
  ApplicationFailure,
  defineSearchAttributeKey,
  SearchAttributeType,
} from '@temporalio/common';

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
