// The cluster guard's leases: what an operation asks before it disrupts a cluster, and the answer.
import { defineQuery, defineUpdate } from '@temporalio/workflow';

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
