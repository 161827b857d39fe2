import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addonStepsFor,
  monitoringCrdSteps,
  type AddonFacts,
} from '../../workflows/policy/addon-steps';

const facts = (f: Partial<AddonFacts> = {}): AddonFacts => ({
  manifestCalicoInKubeSystem: false,
  kubeSystemSnapshotController: false,
  ...f,
});

describe('addonStepsFor', () => {
  it('migrates a manifest-based Calico to the Tigera operator at 1.26 only', () => {
    const calico = facts({ manifestCalicoInKubeSystem: true, snapshotController: 'v6.2.1' });
    assert.deepEqual(addonStepsFor('v1.26.15', calico), [{ kind: 'tigera-operator-migration' }]);
    assert.deepEqual(addonStepsFor('v1.25.16', calico), []);
    assert.deepEqual(
      addonStepsFor('v1.27.16', calico).map((s) => s.kind),
      ['snapshot-controller'],
    );
    assert.deepEqual(addonStepsFor('v1.26.15', facts({ snapshotController: 'v6.2.1' })), []);
  });

  const snapshots: [string, string][] = [
    ['v1.24.17', 'v6.2.1'],
    ['v1.27.16', 'v6.3.3'],
    ['v1.28.15', 'v7.0.2'],
    ['v1.29.14', 'v8.0.1'],
    ['v1.30.14', 'v8.0.1'],
    ['v1.32.13', 'v8.2.0'],
  ];
  for (const [k8s, controller] of snapshots) {
    it(`runs snapshot-controller ${controller} on ${k8s}`, () => {
      const [step] = addonStepsFor(k8s, facts());
      assert.deepEqual(step, {
        kind: 'snapshot-controller',
        version: controller,
        removeKubeSystemDeployment: false,
      });
    });
  }

  it('removes the old kube-system Deployment first from v7 on, and leaves a current controller alone', () => {
    const old = facts({ snapshotController: 'v6.3.3', kubeSystemSnapshotController: true });
    assert.deepEqual(addonStepsFor('v1.28.15', old), [
      { kind: 'snapshot-controller', version: 'v7.0.2', removeKubeSystemDeployment: true },
    ]);
    assert.deepEqual(addonStepsFor('v1.27.16', old), []);
    assert.deepEqual(addonStepsFor('v1.30.14', facts({ snapshotController: 'v8.0.1' })), []);
  });

  it('knows no snapshot-controller for a minor outside its table', () => {
    assert.deepEqual(addonStepsFor('v1.23.17', facts()), []);
  });
});

describe('monitoringCrdSteps', () => {
  it('applies the CRDs of every major step in order', () => {
    assert.deepEqual(
      monitoringCrdSteps(55, 58).map((s) => (s.kind === 'monitoring-crds' ? s.major : 0)),
      [56, 57, 58],
    );
    assert.deepEqual(monitoringCrdSteps(58, 58), []);
  });
  it('refuses a downgrade', () =>
    assert.throws(() => monitoringCrdSteps(58, 57), /cannot go from major 58 to 57/));
});
