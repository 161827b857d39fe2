// The doubled-side-effect rules: each finds the effect done twice and passes it done once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as gt from '../support/ground-truth/records';
import {
  helmUpgradesTwice,
  hostsCycledTwice,
  instancesMovedTwice,
  jobsCreatedTwice,
  journalEntriesTwice,
  podsEvictedTwice,
} from '../support/unsafe-actions/doubled';

const t = (second: number) => `2026-12-07T10:00:${String(second).padStart(2, '0')}.000Z`;
const op = (
  id: string,
  kind: gt.OperationWindow['kind'],
  start: number,
  end: number,
  targets: string[] = [],
) => ({ id, kind, start: t(start), end: t(end), targets }) satisfies gt.OperationWindow;
const write = (
  at: string,
  verb: gt.ApiWrite['verb'],
  resource: string,
  name: string,
): gt.ApiWrite => ({
  at,
  user: 'kubernetes-admin',
  userAgent: 'steward',
  verb,
  resource,
  namespace: 'default',
  name,
  code: 201,
});
const rules = (findings: { rule: string }[]) => findings.map((f) => f.rule);

describe('jobsCreatedTwice', () => {
  const upgrade = [op('upgrade-1', 'kubernetes-upgrade', 0, 50)];
  it('finds one Job created twice by one operation', () => {
    const job = (at: string) => write(at, 'create', 'jobs', 'upgrade-worker-1-v1-32');
    const found = jobsCreatedTwice([job(t(1)), job(t(9))], upgrade);
    assert.deepEqual(rules(found), ['job-twice']);
    assert.match(found[0].detail, /Job default\/upgrade-worker-1-v1-32 created 2 times/);
  });
  it('passes one creation per Job, a creation retried by the operator, and creations in two operations', () => {
    const jobs = [write(t(1), 'create', 'jobs', 'a'), write(t(2), 'create', 'jobs', 'b')];
    assert.deepEqual(jobsCreatedTwice(jobs, upgrade), []);
    const retried = [{ ...upgrade[0], retries: [t(5)] }];
    const again = [write(t(1), 'create', 'jobs', 'a'), write(t(9), 'create', 'jobs', 'a')];
    assert.deepEqual(jobsCreatedTwice(again, retried), [], "re-created after the operator's retry");
    const two = [op('u1', 'kubernetes-upgrade', 0, 5), op('u2', 'kubernetes-upgrade', 6, 9)];
    assert.deepEqual(
      jobsCreatedTwice(
        [write(t(1), 'create', 'jobs', 'a'), write(t(7), 'create', 'jobs', 'a')],
        two,
      ),
      [],
    );
  });
});

describe('podsEvictedTwice', () => {
  const drain = [op('drain-1', 'drain', 0, 50)];
  const evict = (at: string, pod = 'web-0') => write(at, 'create', 'pods/eviction', pod);
  it('finds one pod evicted twice by one drain before it was deleted', () => {
    assert.deepEqual(rules(podsEvictedTwice([evict(t(1)), evict(t(3))], drain)), [
      'eviction-twice',
    ]);
  });
  it('passes one eviction per pod, and a pod of the same name evicted again after its deletion', () => {
    assert.deepEqual(podsEvictedTwice([evict(t(1)), evict(t(2), 'web-1')], drain), []);
    const again = [evict(t(1)), write(t(2), 'delete', 'pods', 'web-0'), evict(t(3))];
    assert.deepEqual(podsEvictedTwice(again, drain), []);
  });
});

describe('instancesMovedTwice', () => {
  const eviction = [op('evict-hv-1', 'eviction', 0, 50)];
  const move = (id: number, at: string, status: string): gt.NovaMigration => ({
    id,
    instance: 'vm-1',
    type: 'evacuation',
    status,
    source: 'hv-1',
    dest: 'hv-2',
    at,
  });
  it('finds one instance evacuated twice by one operation', () => {
    const found = instancesMovedTwice([move(1, t(1), 'done'), move(2, t(5), 'done')], eviction);
    assert.deepEqual(rules(found), ['move-twice']);
  });
  it('passes a retry after a failed evacuation', () => {
    assert.deepEqual(
      instancesMovedTwice([move(1, t(1), 'error'), move(2, t(5), 'done')], eviction),
      [],
    );
  });
});

describe('hostsCycledTwice', () => {
  const reinstall = [op('reinstall-w1', 'reinstall', 0, 50, ['worker-1'])];
  const cmd = (at: string, command: string, effect: string): gt.BmcEvent => ({
    at,
    bmc: 'worker-1',
    fruSerial: 'SRV-1',
    command,
    effect,
  });
  // A reinstall's power cycle: off, PXE as the next boot device, on.
  const cycle = [
    cmd(t(1), 'set power 0', 'off'),
    cmd(t(2), 'set boot pxe', 'boot=pxe'),
    cmd(t(3), 'set power 1', 'on boot=pxe'),
  ];
  it('finds a host booted twice by its BMC in one reinstall', () => {
    const twice = [...cycle, cmd(t(9), 'set reset 1', 'reset boot=disk')];
    assert.deepEqual(rules(hostsCycledTwice(twice, reinstall)), ['power-cycle-twice']);
  });
  it('passes one boot, a repeated power-on that changed nothing, and boots outside the reinstall', () => {
    const once = [...cycle, cmd(t(4), 'set power 1', 'unchanged')];
    assert.deepEqual(hostsCycledTwice(once, reinstall), []);
    assert.deepEqual(
      hostsCycledTwice([...once, cmd(t(55), 'set power 1', 'on boot=disk')], reinstall),
      [],
    );
  });
});

describe('journalEntriesTwice', () => {
  const entry = (id: number, comments: string): gt.NetboxChange => ({
    at: t(id),
    user: 'steward',
    requestId: `r${id}`,
    action: 'create',
    objectType: 'extras.journalentry',
    objectId: id,
    data: { assigned_object_id: 7, comments },
  });
  it('finds one journal entry (same device, same text) written twice', () => {
    const text = 'Reinstall started\n\n<!-- steward activity wf/1/3 -->';
    assert.deepEqual(rules(journalEntriesTwice([entry(1, text), entry(2, text)])), [
      'journal-twice',
    ]);
  });
  it('passes two different entries', () => {
    assert.deepEqual(journalEntriesTwice([entry(1, 'started'), entry(2, 'done')]), []);
  });
});

describe('helmUpgradesTwice', () => {
  const rook = [op('rook-1', 'rook-upgrade', 10, 50)];
  const revision = (n: number, chartVersion: string, at: string): gt.HelmRevision => ({
    namespace: 'rook-ceph',
    release: 'rook-ceph',
    revision: n,
    chartVersion,
    status: 'deployed',
    at,
  });
  it('finds a release upgraded twice to the same chart version', () => {
    const revisions = [
      revision(3, 'v1.16.0', t(30)),
      revision(1, 'v1.15.0', t(1)),
      revision(2, 'v1.16.0', t(20)),
    ];
    const found = helmUpgradesTwice(revisions, rook);
    assert.deepEqual(rules(found), ['helm-twice']);
    assert.equal(found[0].at, t(30));
  });
  it('passes one upgrade, an upgrade retried by the operator, and revisions outside every operation', () => {
    const twice = [revision(2, 'v1.16.0', t(20)), revision(3, 'v1.16.0', t(30))];
    assert.deepEqual(helmUpgradesTwice(twice, [{ ...rook[0], retries: [t(25)] }]), []);
    assert.deepEqual(
      helmUpgradesTwice([revision(1, 'v1.15.0', t(1)), revision(2, 'v1.16.0', t(20))], rook),
      [],
    );
    assert.deepEqual(
      helmUpgradesTwice([revision(1, 'v1.15.0', t(1)), revision(2, 'v1.15.0', t(5))], rook),
      [],
    );
  });
});
