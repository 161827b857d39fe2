// The lab's Rook/Ceph: a real Ceph cluster, Rook's objects on the real apiserver, the operator's
// Helm release, and the lab Rook operator really restarting the daemons in an upgrade. Checked
// with the clients an operator uses: ceph, rados, kubectl (exec into the toolbox too) and helm.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { setCephDaemonFault, setPgStaysDegraded } from '../../lab';
import { helmBinary } from '../../lab/ceph/helm';
import { CEPH_DAEMONS, processName } from '../../lab/ceph/layout';
import { readDaemon } from '../../lab/daemon';
import { waitFor } from '../../lab/wait';
import { startTestLab, type TestLab } from '../support/lab';
import { cephClusterJson, daemonLabels, patchCephImage } from '../support/lab-rook';

let lab: TestLab;
before(async () => (lab = await startTestLab('ceph-lab.yaml')), { timeout: 300_000 });
after(async () => lab?.stop());

const run = async (command: string, ...args: string[]) =>
  (await promisify(execFile)(command, args)).stdout;
const ceph = async (...args: string[]) =>
  JSON.parse(await run('ceph', '--conf', lab.ceph!.conf, ...args, '--format', 'json'));
const helm = (...args: string[]) =>
  run(helmBinary(), ...args, '--kubeconfig', lab.kubeconfigPath, '--namespace', 'rook-ceph');
const cephCluster = () => cephClusterJson(lab);
const labels = (key: string) => daemonLabels(lab, key);
const operatorPods = async () =>
  JSON.parse(
    await lab.kubectl(
      'get',
      'pod',
      '-n',
      'rook-ceph',
      '-l',
      'app=rook-ceph-operator',
      '-o',
      'json',
    ),
  ).items;
const ORDER = CEPH_DAEMONS.map((d) => `rook-ceph-${d.type}-${d.id}`);
const pids = () => CEPH_DAEMONS.map((d) => readDaemon(lab.stateDir, processName(d))?.pid);

interface Observed {
  /** Deployments in the order their label reached the target. */
  order: string[];
  /** Health check codes Ceph raised meanwhile. */
  checks: Set<string>;
}

/**
 * Polls Ceph and kubectl until every daemon's `key` label is `value`, the CephCluster is Ready and
 * Ceph is HEALTH_OK with every PG active+clean (HEALTH_OK alone can come while PGs still peer).
 */
async function watchRoll(key: string, value: string, timeoutMs = 240_000): Promise<Observed> {
  const seen: Observed = { order: [], checks: new Set() };
  await waitFor(
    `every ${key} ${value}, CephCluster Ready, HEALTH_OK`,
    async () => {
      const health = await ceph('health');
      for (const code of Object.keys(health.checks)) seen.checks.add(code);
      const current = await labels(key);
      for (const name of ORDER) {
        if (current[name] === value && !seen.order.includes(name)) seen.order.push(name);
      }
      const cc = await cephCluster();
      const states = (await ceph('pg', 'stat')).pg_summary.num_pg_by_state.map(
        (s: { name: string }) => s.name,
      );
      return (
        (seen.order.length === ORDER.length &&
          cc.status?.phase === 'Ready' &&
          health.status === 'HEALTH_OK' &&
          states.join() === 'active+clean') ||
        `${cc.status?.phase}: ${cc.status?.message}; ${health.status}; PGs ${states.join(', ')}`
      );
    },
    { timeoutMs, intervalMs: 500 },
  );
  return seen;
}

describe('the Rook/Ceph lab', () => {
  it('runs a real Ceph cluster at HEALTH_OK with data in every PG, as every client sees it', async () => {
    const status = await ceph('status');
    assert.equal(status.health.status, 'HEALTH_OK');
    assert.deepEqual([...status.quorum_names].sort(), ['a', 'b', 'c']);
    assert.equal(status.mgrmap.available, true);
    assert.deepEqual(
      [status.osdmap.num_osds, status.osdmap.num_up_osds, status.osdmap.num_in_osds],
      [3, 3, 3],
    );
    assert.deepEqual(
      status.pgmap.pgs_by_state.map((s: { state_name: string }) => s.state_name),
      ['active+clean'],
    );
    const objects = (await run('rados', '--conf', lab.ceph!.conf, '--pool', 'lab-data', 'ls'))
      .trim()
      .split('\n');
    assert.equal(objects.length, 8);

    const cc = await cephCluster();
    assert.equal(cc.status.phase, 'Ready');
    assert.equal(cc.status.ceph.health, 'HEALTH_OK');
    assert.equal(cc.status.ceph.fsid, status.fsid);
    assert.deepEqual(cc.status.version, {
      image: 'quay.io/ceph/ceph:v18.2.4',
      version: '18.2.4-0',
    });
    assert.deepEqual(
      await labels('ceph-version'),
      Object.fromEntries(ORDER.map((n) => [n, '18.2.4-0'])),
    );
    assert.deepEqual(
      await labels('rook-version'),
      Object.fromEntries(ORDER.map((n) => [n, 'v1.15.9'])),
    );
    // kubectl exec into Rook's toolbox reaches the same cluster.
    const viaToolbox = await lab.kubectl(
      'exec',
      '-n',
      'rook-ceph',
      'deploy/rook-ceph-tools',
      '--',
      'ceph',
      'fsid',
    );
    assert.equal(viaToolbox.trim(), status.fsid);
    const [release] = JSON.parse(await helm('list', '-o', 'json'));
    assert.deepEqual([release.chart, release.status], ['rook-ceph-v1.15.9', 'deployed']);
  });

  it('rolls a new Ceph image daemon by daemon, through degraded PGs, back to HEALTH_OK', async () => {
    const before = pids();
    await patchCephImage(lab, 'quay.io/ceph/ceph:v18.2.6');
    const seen = await watchRoll('ceph-version', '18.2.6-0');
    assert.deepEqual(seen.order, ORDER, 'mons, then the mgr, then OSDs, one at a time');
    assert.ok(
      seen.checks.has('OSD_DOWN') || seen.checks.has('PG_DEGRADED'),
      [...seen.checks].join(),
    );
    // Every daemon is a new process.
    pids().forEach((pid, i) => assert.notEqual(pid, before[i], ORDER[i]));
    const cc = await cephCluster();
    assert.deepEqual(cc.status.version, {
      image: 'quay.io/ceph/ceph:v18.2.6',
      version: '18.2.6-0',
    });
    assert.deepEqual(Object.keys(cc.status.ceph.versions.overall), [
      'ceph version 18.2.6 (lab quay.io/ceph/ceph:v18.2.6) reef (stable)',
    ]);
  });

  it('stops the roll at an OSD whose restart does not come back, and goes on once it does', async () => {
    await setCephDaemonFault(lab.kubeconfigPath, 'osd.1', 'stays-down');
    try {
      await patchCephImage(lab, 'quay.io/ceph/ceph:v18.2.7');
      await waitFor(
        'the roll to wait on osd.1',
        async () => {
          const message: string = (await cephCluster()).status?.message ?? '';
          return /osd\.1 to come back|osd\.2 is not ok to stop/.test(message) || message;
        },
        { timeoutMs: 180_000, intervalMs: 500 },
      );
      const detail = await ceph('health', 'detail');
      assert.match(
        JSON.stringify(detail.checks.OSD_DOWN),
        /osd\.1 \(root=default,host=vm\) is down/,
      );
      // osd.2 is not touched while osd.1 is down: it keeps its old version.
      await new Promise((r) => setTimeout(r, 5_000));
      assert.equal((await labels('ceph-version'))['rook-ceph-osd-2'], '18.2.6-0');
      const stuck = (await cephCluster()).status;
      assert.equal(stuck.phase, 'Progressing');
      // Rook's status.version is the last image it finished rolling.
      assert.deepEqual(stuck.version, { image: 'quay.io/ceph/ceph:v18.2.6', version: '18.2.6-0' });
    } finally {
      await setCephDaemonFault(lab.kubeconfigPath, 'osd.1', undefined);
    }
    await watchRoll('ceph-version', '18.2.7-0');
  });

  it('keeps a PG degraded while the fault is on', async () => {
    await setPgStaysDegraded(lab.stateDir, true);
    await waitFor('PG_DEGRADED', async () => 'PG_DEGRADED' in (await ceph('health')).checks, {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    await new Promise((r) => setTimeout(r, 10_000));
    const detail = await ceph('health', 'detail');
    assert.match(
      JSON.stringify(detail.checks.PG_DEGRADED.detail),
      /is active\+undersized\+degraded/,
    );
    assert.deepEqual(Object.keys(detail.checks), ['PG_DEGRADED']);
    await setPgStaysDegraded(lab.stateDir, false);
    await waitFor('HEALTH_OK', async () => (await ceph('health')).status === 'HEALTH_OK', {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
  });

  it('upgrades the operator with helm: a new operator pod, then every daemon at its rook-version', async () => {
    const [oldPod] = await operatorPods();
    await helm(
      'upgrade',
      'rook-ceph',
      'rook-ceph',
      '--repo',
      lab.ceph!.chartRepo,
      '--version',
      'v1.16.7',
      '--reset-then-reuse-values',
      '--wait',
      '--timeout',
      '2m',
    );
    await watchRoll('rook-version', 'v1.16.7');
    const pod = await operatorPods();
    assert.equal(pod.length, 1);
    assert.notEqual(pod[0].metadata.uid, oldPod.metadata.uid);
    assert.equal(pod[0].spec.containers[0].image, 'docker.io/rook/ceph:v1.16.7');
  });
});
