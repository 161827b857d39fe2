import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import {
  addonStepsFor,
  monitoringChartSteps,
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
  it('applies the CRDs of every major step in order, each with the operator version of its major', () => {
    assert.deepEqual(monitoringCrdSteps(55, 58), [
      { kind: 'monitoring-crds', major: 56, operatorVersion: 'v0.71.0' },
      { kind: 'monitoring-crds', major: 57, operatorVersion: 'v0.72.0' },
      { kind: 'monitoring-crds', major: 58, operatorVersion: 'v0.73.0' },
    ]);
    assert.deepEqual(monitoringCrdSteps(58, 58), []);
  });
  it('carries the operator over a major whose notes name no operator upgrade', () =>
    assert.deepEqual(
      monitoringCrdSteps(59, 61).map((s) =>
        s.kind === 'monitoring-crds' ? s.operatorVersion : '',
      ),
      ['v0.74.0', 'v0.75.0'],
    ));
  it('refuses a downgrade', () =>
    assert.throws(() => monitoringCrdSteps(58, 57), /cannot go from major 58 to 57/));
  it('refuses a major it knows no operator for', () =>
    assert.throws(
      () => monitoringCrdSteps(65, 66),
      /no prometheus-operator version known for chart major 66 \(known: 43-65\)/,
    ));
});

describe('monitoringChartSteps', () => {
  function refused(run: () => unknown, reason: RegExp): void {
    assert.throws(run, (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure && err.nonRetryable);
      const details = err.details?.[0] as { field: string; reason: string };
      assert.equal(details.field, 'monitoringChart');
      assert.match(details.reason, reason);
      return true;
    });
  }
  it('steps from the deployed major to the target major', () => {
    assert.deepEqual(
      monitoringChartSteps('60.0.0', '62.7.0').map((s) =>
        s.kind === 'monitoring-crds' ? s.major : 0,
      ),
      [61, 62],
    );
    assert.deepEqual(monitoringChartSteps('60.0.0', '60.3.1'), []);
  });
  it('refuses a downgrade, a malformed version, no deployed chart and an unknown major', () => {
    refused(
      () => monitoringChartSteps('60.2.0', '60.1.9'),
      /older than the deployed kube-prometheus-stack 60\.2\.0/,
    );
    refused(() => monitoringChartSteps('60.2.0', '59.9.9'), /downgrades are not supported/);
    refused(() => monitoringChartSteps('60.2.0', 'v62'), /"v62" is not a chart version/);
    refused(
      () => monitoringChartSteps(undefined, '62.7.0'),
      /no kube-prometheus-stack is deployed/,
    );
    refused(() => monitoringChartSteps('65.0.0', '70.0.0'), /chart major 66/);
  });
});
