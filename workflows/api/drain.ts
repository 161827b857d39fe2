// Node drain and uncordon: input, plan, status and result.
import { defineQuery } from '@temporalio/workflow';
import type { OperationWaits, PodRef } from './common';

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
