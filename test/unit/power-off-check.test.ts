import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  judgePowerOff,
  podsADrainWouldEvict,
  rookOsdIds,
  type PowerOffFacts,
} from '../../workflows/policy/power-off-check';
import { pod } from '../support/fake-cluster';

const web = { pod: { namespace: 'shop', name: 'web-1', uid: 'u-web' }, budgets: ['shop/web'] };
const tmp = { pod: { namespace: 'shop', name: 'tmp-1', uid: 'u-tmp' }, budgets: [] };
const facts = (f: Partial<PowerOffFacts> = {}): PowerOffFacts => ({
  reinstall: 'reinstall/w1',
  node: 'w1',
  pods: [],
  approvedPods: new Set(),
  instances: [],
  ...f,
});

describe('power-off check', () => {
  it('an empty host with no OSDs may go', () =>
    assert.deepEqual(judgePowerOff(facts()), { go: true }));

  it('pods still bound: a question naming the reinstall, the host and each pod with its budget', () => {
    const v = judgePowerOff(facts({ pods: [web, tmp] }));
    assert.equal(v.go, false);
    assert.ok(!v.go && v.approvable);
    assert.match(
      v.go ? '' : v.problem,
      /^reinstall\/w1 would power off w1 with 2 pods still bound to it \(1 under a PodDisruptionBudget\): shop\/web-1 \(PodDisruptionBudget shop\/web\), shop\/tmp-1 \(no PodDisruptionBudget\)/,
    );
  });

  it('an approval covers the pods it named, not one that came after it', () => {
    const approvedPods = new Set(['u-web']);
    assert.deepEqual(judgePowerOff(facts({ pods: [web], approvedPods })), { go: true });
    const v = judgePowerOff(facts({ pods: [web, tmp], approvedPods }));
    assert.ok(!v.go);
    assert.deepEqual(v.go ? [] : v.pods, [tmp.pod]);
  });

  it('instances on a hypervisor and OSDs Ceph will not stop cannot be approved away', () => {
    const instances = judgePowerOff(facts({ instances: [{ name: 'vm-1', status: 'ACTIVE' }] }));
    assert.ok(!instances.go && !instances.approvable);
    assert.match(
      instances.go ? '' : instances.problem,
      /1 Nova instances still on w1: vm-1 \(ACTIVE\)/,
    );
    const osds = judgePowerOff(
      facts({
        osds: { ids: [3, 4], okToStop: false, reason: 'Error EBUSY: unsafe to stop osd(s)' },
      }),
    );
    assert.ok(!osds.go && !osds.approvable);
    assert.match(
      osds.go ? '' : osds.problem,
      /Ceph says OSDs 3, 4 on w1 may not stop: Error EBUSY/,
    );
    assert.deepEqual(judgePowerOff(facts({ osds: { ids: [3], okToStop: true } })), { go: true });
  });

  it('pods a drain would evict: not DaemonSet, mirror or finished pods', () => {
    const pods = [
      pod('web-1'),
      pod('agent-1', { controller: { kind: 'DaemonSet', name: 'agent' } }),
      pod('kube-apiserver-w1', { mirror: true, controller: { kind: 'Node', name: 'w1' } }),
      pod('job-1', { phase: 'Succeeded' }),
      pod('bare-1', { controller: undefined, controllerExists: false }),
    ];
    assert.deepEqual(
      podsADrainWouldEvict(pods).map((p) => p.name),
      ['web-1', 'bare-1'],
    );
  });

  it("Rook OSD pods name their OSD; the prepare Job's pods do not", () =>
    assert.deepEqual(
      rookOsdIds([
        'rook-ceph-osd-12-6c9f7b8d5-x2k4p',
        'rook-ceph-osd-3-7d4b9c-abcde',
        'rook-ceph-osd-3-7d4b9c-fghij',
        'rook-ceph-osd-prepare-w1-9xk2l',
        'rook-ceph-mon-a-5f6d7c-qwert',
      ]),
      [3, 12],
    ));
});
