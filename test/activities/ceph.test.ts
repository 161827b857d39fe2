// The Ceph and Rook activities against the lab's real Ceph (through the ceph CLI and through the
// Rook toolbox's exec) and its real apiserver and helm, checked against what the ceph CLI,
// kubectl and helm themselves say.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, type Activities } from '../../activities';
import { setCephDaemonFault } from '../../lab';
import { helmBinary } from '../../lab/ceph/helm';
import { waitFor } from '../../lab/wait';
import { INVALID_INPUT } from '../../workflows/api';
import { cephHealthGate } from '../../workflows/policy/ceph-health-gate';
import { labClusterConfig } from '../../scripts/stack';
import { startTestLab, type TestLab } from '../support/lab';
import {
  cephClusterJson,
  daemonLabels,
  kubectlApply,
  leaveRookReleasePending,
  rookRestarts,
} from '../support/lab-rook';

let lab: TestLab;
let act: Activities;
before(
  async () => {
    lab = await startTestLab('ceph-lab.yaml');
    const config = labClusterConfig(lab);
    act = createActivities({
      clusters: {
        lab: config,
        toolbox: { ...config, ceph: { toolbox: { namespace: 'rook-ceph' } } },
      },
      helm: helmBinary(),
    });
  },
  { timeout: 300_000 },
);
after(async () => lab?.stop());

/** The ceph CLI as an operator runs it on the lab. */
const ceph = async (...args: string[]) =>
  JSON.parse(
    (await promisify(execFile)('ceph', ['--conf', lab.ceph!.conf, ...args, '--format', 'json']))
      .stdout,
  );
const helm = async (...args: string[]) =>
  (await promisify(execFile)(helmBinary(), [...args, '--kubeconfig', lab.kubeconfigPath])).stdout;

async function rejectsInvalid(call: Promise<unknown>, field: string): Promise<void> {
  await assert.rejects(call, (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.type, INVALID_INPUT);
    assert.equal((err.details?.[0] as { field: string }).field, field);
    return true;
  });
}

describe('Ceph facts', () => {
  for (const cluster of ['lab', 'toolbox']) {
    it(`through ${cluster === 'lab' ? 'the ceph CLI' : 'the Rook toolbox'}, as the ceph CLI says`, async () => {
      const facts = await act.cephHealthFacts({ cluster });
      const [health, quorum, osds, pgStat] = await Promise.all([
        ceph('health', 'detail'),
        ceph('quorum_status'),
        ceph('osd', 'dump'),
        ceph('pg', 'stat'),
      ]);
      assert.equal(facts.health.status, health.status);
      assert.equal(facts.health.status, 'HEALTH_OK');
      assert.deepEqual(facts.quorum.quorum, [...quorum.quorum_names].sort());
      assert.deepEqual(facts.quorum.mons.sort(), ['a', 'b', 'c']);
      assert.deepEqual(
        facts.osds.map((o) => [o.id, o.up, o.in]),
        osds.osds.map((o: { osd: number; up: number; in: number }) => [
          o.osd,
          o.up === 1,
          o.in === 1,
        ]),
      );
      assert.equal(facts.pgs.total, pgStat.pg_summary.num_pgs);
      assert.deepEqual(facts.pgs.notClean, []);
      assert.deepEqual(cephHealthGate(facts), { pass: true, failures: [], allowed: [] });
      const versions = await act.cephVersions({ cluster });
      assert.deepEqual(versions, await ceph('versions'));
    });

    it(`ok-to-stop through ${cluster}: one OSD may stop, two may not, with Ceph's reason`, async () => {
      const one = await act.cephOsdOkToStop({ cluster, osds: [0] });
      assert.equal(one.okToStop, true);
      assert.deepEqual(one.osds, [0]);
      const two = await act.cephOsdOkToStop({ cluster, osds: [0, 1] });
      assert.equal(two.okToStop, false);
      assert.match(
        two.reason ?? '',
        /^Error EBUSY: unsafe to stop osd\(s\) at this time \(\d+ PGs are or would become offline\)/,
      );
      assert.ok(two.pgsBecomeInactive.length > 0);
    });
  }

  it('a stopped OSD and a mon out of quorum, named as Ceph names them', async () => {
    await setCephDaemonFault(lab.kubeconfigPath, 'osd.1', 'down');
    await setCephDaemonFault(lab.kubeconfigPath, 'mon.c', 'down');
    try {
      let verdict = cephHealthGate(await act.cephHealthFacts({ cluster: 'lab' }));
      await waitFor(
        'OSD_DOWN and MON_DOWN',
        async () => {
          verdict = cephHealthGate(await act.cephHealthFacts({ cluster: 'lab' }));
          const text = JSON.stringify(verdict.failures);
          return (text.includes('OSD_DOWN') && text.includes('MON_DOWN')) || text;
        },
        { timeoutMs: 90_000, intervalMs: 1_000 },
      );
      const messages = verdict.failures.map((f) => `${f.check}: ${f.message}`);
      assert.ok(messages.includes('osds: osd.1 down'), messages.join('\n'));
      assert.ok(
        messages.some((m) => /^quorum: mon\.c out of quorum/.test(m)),
        messages.join('\n'),
      );
      assert.ok(messages.some((m) => m.includes('osd.1 (root=default,host=vm) is down')));
      assert.ok(
        messages.some((m) => /mon\.c \(rank \d\) addr .* is down \(out of quorum\)/.test(m)),
      );
      const dump = await ceph('osd', 'dump');
      assert.equal(dump.osds.find((o: { osd: number }) => o.osd === 1).up, 0);
      // Through the toolbox too.
      const viaToolbox = await act.cephOsds({ cluster: 'toolbox' });
      assert.equal(viaToolbox.find((o) => o.id === 1)?.up, false);
    } finally {
      await setCephDaemonFault(lab.kubeconfigPath, 'osd.1', undefined);
      await setCephDaemonFault(lab.kubeconfigPath, 'mon.c', undefined);
    }
    await waitFor(
      'the gate to pass again',
      async () => {
        const v = cephHealthGate(await act.cephHealthFacts({ cluster: 'lab' }));
        return v.pass || JSON.stringify(v.failures);
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
  });

  it('refuses bad input naming the field', async () => {
    await rejectsInvalid(act.cephHealth({ cluster: 'nope' }), 'cluster');
    await rejectsInvalid(act.cephOsdOkToStop({ cluster: 'lab', osds: [] }), 'osds');
    await rejectsInvalid(act.cephOsdOkToStop({ cluster: 'lab', osds: [-1] }), 'osds');
  });

  it("uses the configured keyring: a wrong key fails with Ceph's own message", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-keyring-'));
    const keyring = join(dir, 'keyring');
    const key = (await promisify(execFile)('ceph-authtool', ['--gen-print-key'])).stdout.trim();
    writeFileSync(keyring, `[client.admin]\n\tkey = ${key}\n`, { mode: 0o600 });
    const wrongKey = createActivities({
      clusters: {
        lab: { ...labClusterConfig(lab), ceph: { cli: { conf: lab.ceph!.conf, keyring } } },
      },
      cephTimeoutMs: 10_000,
    });
    try {
      await assert.rejects(wrongKey.cephHealth({ cluster: 'lab' }), /permission denied/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Runs an activity that needs an activity context (heartbeats). */
const inActivity = <R>(run: () => Promise<R>) =>
  new MockActivityEnvironment().run(run) as Promise<R>;

describe('Rook', () => {
  it('reads the CephCluster, the operator and the daemons as kubectl shows them', async () => {
    const facts = await act.readRookCluster({ cluster: 'lab' });
    const cc = await cephClusterJson(lab);
    assert.equal(facts.cephCluster.image, cc.spec.cephVersion.image);
    assert.equal(facts.cephCluster.image, 'quay.io/ceph/ceph:v18.2.4');
    assert.equal(facts.cephCluster.phase, 'Ready');
    assert.equal(facts.cephCluster.health, cc.status.ceph.health);
    assert.deepEqual(facts.cephCluster.version, {
      image: 'quay.io/ceph/ceph:v18.2.4',
      version: '18.2.4-0',
    });
    assert.equal(facts.operator.version, 'v1.15.9');
    assert.equal(facts.operator.rolledOut, true);
    const labels = [
      await daemonLabels(lab, 'rook-version'),
      await daemonLabels(lab, 'ceph-version'),
    ];
    assert.deepEqual(
      facts.daemons.map((d) => [d.deployment, d.rookVersion, d.cephVersion]),
      Object.keys(labels[0])
        .sort()
        .map((name) => [name, labels[0][name], labels[1][name]]),
    );
    assert.deepEqual(
      facts.daemons.map((d) => d.deployment),
      ['mgr-a', 'mon-a', 'mon-b', 'mon-c', 'osd-0', 'osd-1', 'osd-2'].map((n) => `rook-ceph-${n}`),
    );
  });

  it("reads crash collectors, MDS and RGW Deployments by Rook's labels, and no other Deployment", async () => {
    // As Rook labels them (crash collectors carry no ceph_daemon_type); 0 replicas: no pods.
    const deployment = (name: string, labels: Record<string, string>) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'rook-ceph', labels: { rook_cluster: 'rook-ceph', ...labels } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'c', image: 'quay.io/ceph/ceph:v18.2.4' }] },
        },
      },
    });
    const extra = [
      deployment('rook-ceph-crashcollector-lab-ceph-host', {
        app: 'rook-ceph-crashcollector',
        crash: 'crash',
        ceph_daemon_id: 'crash',
        'rook-version': 'v1.15.9',
      }),
      deployment('rook-ceph-mds-fs-a', { ceph_daemon_type: 'mds', ceph_daemon_id: 'fs-a' }),
      deployment('rook-ceph-rgw-store-a', { ceph_daemon_type: 'rgw', ceph_daemon_id: 'store' }),
      deployment('rook-ceph-exporter-lab-ceph-host', { app: 'rook-ceph-exporter' }),
    ];
    await kubectlApply(lab, extra);
    try {
      const { daemons } = await act.readRookCluster({ cluster: 'lab' });
      const byName = Object.fromEntries(daemons.map((d) => [d.deployment, d]));
      assert.equal(byName['rook-ceph-crashcollector-lab-ceph-host']?.type, 'crashcollector');
      assert.equal(byName['rook-ceph-crashcollector-lab-ceph-host']?.rookVersion, 'v1.15.9');
      assert.equal(byName['rook-ceph-mds-fs-a']?.type, 'mds');
      assert.equal(byName['rook-ceph-rgw-store-a']?.type, 'rgw');
      assert.equal(byName['rook-ceph-exporter-lab-ceph-host'], undefined, 'not a Ceph daemon');
      assert.equal(daemons.length, 7 + 3);
    } finally {
      await lab.kubectl(
        'delete',
        'deployment',
        '-n',
        'rook-ceph',
        ...extra.map((d) => d.metadata.name),
      );
    }
  });

  it('refuses a bad chart version or image, naming the field, and changes nothing', async () => {
    const before = JSON.parse(await helm('list', '-n', 'rook-ceph', '-o', 'json'));
    await rejectsInvalid(act.upgradeRookOperator({ cluster: 'lab', version: '1.16' }), 'version');
    await rejectsInvalid(
      act.setCephImage({ cluster: 'lab', image: 'quay.io/ceph/ceph:latest' }),
      'image',
    );
    await rejectsInvalid(act.readRookCluster({ cluster: 'nope' }), 'cluster');
    assert.deepEqual(JSON.parse(await helm('list', '-n', 'rook-ceph', '-o', 'json')), before);
    assert.equal(
      (await act.readRookCluster({ cluster: 'lab' })).cephCluster.image,
      'quay.io/ceph/ceph:v18.2.4',
    );
  });

  it("reports helm's own message for a chart version the repository lacks", async () => {
    await assert.rejects(
      act.upgradeRookOperator({ cluster: 'lab', version: 'v1.16.99' }),
      /helm upgrade: .*v1\.16\.99/,
    );
  });

  it('upgrades the operator with helm once; a second call changes nothing', async () => {
    const first = await act.upgradeRookOperator({ cluster: 'lab', version: 'v1.16.7' });
    assert.deepEqual(first, { changed: true, from: 'rook-ceph-v1.15.9', to: 'rook-ceph-v1.16.7' });
    const second = await act.upgradeRookOperator({ cluster: 'lab', version: 'v1.16.7' });
    assert.deepEqual(second, {
      changed: false,
      from: 'rook-ceph-v1.16.7',
      to: 'rook-ceph-v1.16.7',
    });
    const releases = JSON.parse(await helm('list', '-n', 'rook-ceph', '-o', 'json'));
    assert.equal(releases[0].chart, 'rook-ceph-v1.16.7');
    assert.equal(releases[0].revision, '2');
    assert.deepEqual(await act.readRookRelease({ cluster: 'lab' }), {
      revision: 2,
      status: 'deployed',
      chart: 'rook-ceph-v1.16.7',
      appVersion: 'v1.16.7',
    });
    // The values it was installed with (the storage host's placement) are kept.
    const values = JSON.parse(
      await helm('get', 'values', 'rook-ceph', '-n', 'rook-ceph', '-o', 'json'),
    );
    assert.equal(values.nodeSelector['kubernetes.io/hostname'], 'lab-ceph-host');
    await waitFor(
      'the new operator running',
      async () => {
        const op = (await act.readRookCluster({ cluster: 'lab' })).operator;
        return (op.version === 'v1.16.7' && op.rolledOut) || JSON.stringify(op);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  });

  it('sets the Ceph image once; a second call changes nothing', async () => {
    const first = await act.setCephImage({ cluster: 'lab', image: 'quay.io/ceph/ceph:v18.2.6' });
    assert.deepEqual(first, { changed: true, from: 'quay.io/ceph/ceph:v18.2.4' });
    const second = await act.setCephImage({ cluster: 'lab', image: 'quay.io/ceph/ceph:v18.2.6' });
    assert.deepEqual(second, { changed: false, from: 'quay.io/ceph/ceph:v18.2.6' });
    const cc = await cephClusterJson(lab);
    assert.equal(cc.spec.cephVersion.image, 'quay.io/ceph/ceph:v18.2.6');
    assert.equal(cc.metadata.generation, 2);
  });

  it("scaling the operator to 0 stops Rook's roll where it is; back to 1 it goes on, and the waits see it through", async () => {
    // The roll to v18.2.6 (and Rook v1.16.7) that the tests above began is under way.
    const stopped = await act.scaleRookOperator({ cluster: 'lab', replicas: 0 });
    assert.deepEqual(stopped, { changed: true, from: 1 });
    assert.deepEqual(await act.scaleRookOperator({ cluster: 'lab', replicas: 0 }), {
      changed: false,
      from: 0,
    });
    const facts = await act.readRookCluster({ cluster: 'lab' });
    assert.deepEqual([facts.operator.replicas, facts.operator.rolledOut], [0, false]);
    const restartsWhenStopped = rookRestarts(lab).length;
    await new Promise((r) => setTimeout(r, 8_000));
    assert.equal(rookRestarts(lab).length, restartsWhenStopped, 'no restart while stopped');

    assert.deepEqual(await act.scaleRookOperator({ cluster: 'lab', replicas: 1 }), {
      changed: true,
      from: 0,
    });
    const deadlineMs = Date.now() + 240_000;
    for (const group of ['mon', 'mgr', 'osd'] as const) {
      const rolled = await inActivity(() =>
        act.awaitRookGroup({
          cluster: 'lab',
          group,
          target: { ceph: 'quay.io/ceph/ceph:v18.2.6' },
          deadlineMs,
        }),
      );
      assert.ok(rolled.reached, JSON.stringify(rolled.last));
    }
    const gate = await inActivity(() =>
      act.awaitCephGate({ cluster: 'lab', passes: 3, deadlineMs }),
    );
    assert.ok(gate.reached, JSON.stringify(gate.last));
    assert.equal(gate.last.passes, 3);
    assert.match(gate.last.last.summary, /^HEALTH_OK; \d+ PGs: \d+ active\+clean;/);
    assert.ok(rookRestarts(lab).length > restartsWhenStopped, 'Rook went on');
  });

  it('a release a crash left pending-upgrade: refused naming the release and the exact `helm rollback`, which gets it out', async () => {
    // The operator's release is deployed at revision 2 (rook-ceph-v1.16.7, the test above).
    const pending = await leaveRookReleasePending(lab);
    assert.equal(pending, 3);
    const history = async () =>
      (
        JSON.parse(await helm('history', 'rook-ceph', '-n', 'rook-ceph', '-o', 'json')) as {
          revision: number;
          status: string;
        }[]
      ).map((h) => `${h.revision} ${h.status}`);
    assert.deepEqual(await history(), ['1 superseded', '2 deployed', '3 pending-upgrade']);
    let refused = '';
    await assert.rejects(
      act.upgradeRookOperator({ cluster: 'lab', version: 'v1.16.7' }),
      (err: Error) => {
        refused = err.message;
        return true;
      },
    );
    assert.match(
      refused,
      /^Helm release rook-ceph in namespace rook-ceph is pending-upgrade at revision 3 \(rook-ceph-v1\.16\.7\): .*Steward does not roll it back by itself; once no helm works on it, run `helm rollback rook-ceph 2 --namespace rook-ceph --kube-context lab` \(back to rook-ceph-v1\.16\.7\), then retry$/,
    );
    assert.deepEqual(
      await history(),
      ['1 superseded', '2 deployed', '3 pending-upgrade'],
      'nothing changed',
    );

    // The named command, as a person runs it, gets the release out; the upgrade then goes on.
    const command = /`helm (rollback [^`]+)`/.exec(refused)![1].split(' ');
    await helm(...command);
    assert.equal((await act.readRookRelease({ cluster: 'lab' }))?.status, 'deployed');
    assert.deepEqual(await act.upgradeRookOperator({ cluster: 'lab', version: 'v1.16.7' }), {
      changed: false,
      from: 'rook-ceph-v1.16.7',
      to: 'rook-ceph-v1.16.7',
    });
  });

  it('a wait whose deadline passes first reports where the roll stands and Ceph with it', async () => {
    const waited = await inActivity(() =>
      act.awaitRookGroup({
        cluster: 'lab',
        group: 'osd',
        target: { ceph: 'quay.io/ceph/ceph:v18.2.9' },
        deadlineMs: Date.now() + 1_000,
      }),
    );
    assert.equal(waited.reached, false);
    assert.deepEqual(waited.last.rolled, []);
    assert.equal(waited.last.pending.length, 3);
    assert.match(
      waited.last.pending[0],
      /^rook-ceph-osd-0 at quay\.io\/ceph\/ceph:v18\.2\.6 \(ceph-version 18\.2\.6-0\)$/,
    );
    assert.equal(waited.last.ceph?.verdict.pass, true);
  });
});
