// Rook/Ceph upgrade and the health gate's verdict: input, plan, status and result.
import { defineQuery } from '@temporalio/workflow';
import type { MaintenanceWindows } from '../policy/maintenance-window';
import type { CephGateFailure, CephGateVerdict } from '../policy/ceph-health-gate';
import type { RookCephChange, RookCephPlan } from '../policy/rook-upgrade';
import type { OperationWaits } from './common';

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
