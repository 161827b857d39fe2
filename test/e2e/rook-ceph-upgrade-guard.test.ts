// The cluster's guard between a Kubernetes upgrade and a Rook/Ceph upgrade, through the CLI on the
// Rook/Ceph lab (the lab that has Rook's Helm release, operator and CephCluster, so a refusal that
// changes nothing is a real claim): a Kubernetes upgrade waiting for its maintenance window holds
// the cluster's lease; `steward rook-upgrade` is refused naming it, before any Ceph read and with
// nothing changed. The upgrade is then terminated with the temporal CLI (killed, never releasing):
// the guard lists it until its next lease check, then drops it, and the same Rook upgrade starts.
// Then the fault matrix's scrubbing cell runs on the same lab (test/support/fault-matrix-cell.ts).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, it } from 'node:test';
import { waitFor } from '../../lab/wait';
import { TEMPORAL_BIN } from '../../scripts/stack';
import { loadConfig } from '../../workers/config';
import { clusterLeasesQuery, workflowIds, type RookCephUpgradeResult } from '../../workflows/api';
import { DEFAULT_LEASE_CHECK_SECONDS } from '../../workflows/policy/cluster-leases';
import { describeWindow } from '../../workflows/policy/maintenance-window';
import { auditEvents, clientWrites, describeAuditEvent } from '../support/audit';
import { rookDriver } from '../../scripts/bench/fault-matrix-rook';
import { matrixCellTest } from '../support/fault-matrix-cell';
import { rookChangeables, rookHelmRelease } from '../support/lab-rook';
import { startTestStack, type TestStack } from '../support/stack';
import { dailyWindow } from '../support/windows';

let stack: TestStack;

before(
  async () => {
    stack = await startTestStack('ceph-lab.yaml');
  },
  { timeout: 300_000 },
);
after(async () => stack?.stop());

const UPGRADE = workflowIds.upgrade('lab');
const ROOK = workflowIds.rookUpgrade('lab');
const HOUR = 3_600_000;
const output = (run: { stdout: string; stderr: string }) => `${run.stdout}${run.stderr}`;
const holders = async () =>
  (
    await stack.client.workflow.getHandle(workflowIds.guard('lab')).query(clusterLeasesQuery)
  ).leases.map((lease) => lease.holder.workflowId);
/** `steward status guard/lab`: the guard's leases as an operator sees them. */
const guardStatus = async () => {
  const run = await stack.steward('status', workflowIds.guard('lab'));
  assert.equal(run.code, 0, output(run));
  return run.stdout;
};

it('refuses a Rook/Ceph upgrade while a Kubernetes upgrade holds the cluster, naming it, before any Ceph read, changing nothing', async () => {
  const closed = describeWindow(dailyWindow(Date.now() + 3 * HOUR, HOUR));
  const started = await stack.steward(
    'k8s-upgrade',
    'lab',
    '--to',
    '1.32',
    '--window',
    closed,
    '--detach',
  );
  assert.equal(started.code, 0, output(started));
  await waitFor(
    'the Kubernetes upgrade to wait for its window, holding the lease',
    async () => {
      const status = (await stack.steward('status', UPGRADE)).stdout;
      return /^lab: waiting-for-window /m.test(status) || status;
    },
    { timeoutMs: 60_000, intervalMs: 1_000 },
  );
  assert.deepEqual(await holders(), [UPGRADE]);

  const unchanged = await rookChangeables(stack.lab);
  const auditMark = auditEvents(stack.lab.stateDir).length;
  const refused = await stack.steward('rook-upgrade', 'lab', '--rook', 'v1.16.7');
  assert.equal(refused.code, 1, output(refused));
  assert.match(
    refused.stderr,
    /^steward: refused: cluster lab: rook-ceph-upgrade refused: a Kubernetes upgrade and a Rook\/Ceph upgrade never run at once; held by k8s-upgrade\/lab \(kubernetes-upgrade, 1 node, since \S+\)$/m,
  );

  // Before the lease it read Rook's Kubernetes objects only (the CephCluster, the operator's and
  // the daemons' Deployments); its first Ceph read, the gate before, comes after the lease.
  const history = await stack.client.workflow.getHandle(ROOK).fetchHistory();
  const activities = (history.events ?? [])
    .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter((name) => name !== undefined && name !== 'notifyOperators');
  assert.deepEqual(activities, ['readRookCluster', 'acquireClusterLease']);

  assert.deepEqual(await rookChangeables(stack.lab), unchanged, 'nothing changed');
  const writes = clientWrites(auditEvents(stack.lab.stateDir).slice(auditMark)).filter((e) =>
    ['deployments', 'cephclusters', 'secrets'].includes(e.objectRef?.resource ?? ''),
  );
  assert.deepEqual(writes.map(describeAuditEvent), [], 'the apiserver recorded no write');
  assert.deepEqual(await holders(), [UPGRADE], 'the refused upgrade took nothing');
});

it('a Kubernetes upgrade killed without releasing loses its lease at the next lease check; the Rook/Ceph upgrade then runs', async (t) => {
  const { temporal } = loadConfig({ STEWARD_CONFIG: stack.configPath });
  await promisify(execFile)(TEMPORAL_BIN, [
    'workflow',
    'terminate',
    '--address',
    temporal.address,
    '--namespace',
    temporal.namespace,
    '--workflow-id',
    UPGRADE,
    '--reason',
    'killed by the e2e test, without releasing its lease',
  ]);
  const killedAt = Date.now();
  assert.equal(
    (await stack.client.workflow.getHandle(UPGRADE).describe()).status.name,
    'TERMINATED',
  );
  assert.match(
    await guardStatus(),
    /^ {2}k8s-upgrade\/lab \(kubernetes-upgrade, 1 node, since \S+\)$/m,
  );

  await waitFor('the lease to expire', async () => (await holders()).length === 0, {
    timeoutMs: (DEFAULT_LEASE_CHECK_SECONDS + 30) * 1000,
  });
  const seconds = (Date.now() - killedAt) / 1000;
  assert.ok(seconds <= DEFAULT_LEASE_CHECK_SECONDS + 15, `expired after ${seconds}s`);
  t.diagnostic(`the killed holder's lease expired ${seconds.toFixed(1)} s after termination`);
  assert.doesNotMatch(await guardStatus(), /k8s-upgrade\/lab/);

  const startedAt = Date.now();
  const run = await stack.steward('rook-upgrade', 'lab', '--rook', 'v1.16.7', '--pause', '1s');
  assert.equal(run.code, 0, output(run));
  const result: RookCephUpgradeResult = await stack.client.workflow.getHandle(ROOK).result();
  assert.equal(result.outcome, 'upgraded', result.message);
  assert.equal((await rookHelmRelease(stack.lab)).chart, 'rook-ceph-v1.16.7');
  assert.deepEqual(await holders(), [], 'released when it ended');
  t.diagnostic(`the Rook upgrade ran ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
});

it(
  "the fault matrix's cell: a Ceph upgrade with PGs scrubbing, killed: upgraded, nothing unsafe or doubled",
  matrixCellTest('rook-ceph-upgrade/pgs-scrubbing', rookDriver(), { stack: () => stack }),
);
