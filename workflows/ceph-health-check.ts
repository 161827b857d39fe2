// cephHealthCheck: the health gate's verdict on a cluster's Ceph now, with Ceph's own messages
// (`steward ceph-health`). Reads once, changes nothing.
import type { CephHealthReport } from './api';
import { surfaceInvalidInput } from './activity-errors';
import { kubernetesFewAttempts as reads } from './operation/activity-profiles';
import { cephHealthGate, describeCephHealth } from './policy/ceph-health-gate';
import { parseClusterInput } from './policy/drain-input';
import { showReadOnly } from './operation/visibility';

export function cephHealthCheck(input: { cluster: string }): Promise<CephHealthReport> {
  const { cluster } = parseClusterInput(input);
  showReadOnly(`Ceph health gate of ${cluster}`);
  return readCephHealth(cluster);
}

/** The gate's verdict now, for this workflow and the Rook/Ceph plan. */
export async function readCephHealth(cluster: string): Promise<CephHealthReport> {
  const facts = await surfaceInvalidInput(reads.cephHealthFacts({ cluster }));
  return { cluster, verdict: cephHealthGate(facts), summary: describeCephHealth(facts) };
}
