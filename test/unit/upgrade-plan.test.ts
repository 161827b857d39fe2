import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_KUBERNETES_RELEASES } from '../../activities/kubernetes/releases';
import {
  parseUpgradeInput,
  planUpgrade,
  type ClusterFacts,
} from '../../workflows/policy/upgrade-plan';

const node = (
  name: string,
  controlPlane = false,
  ready = true,
  { selected = true, kubeletVersion = 'v1.31.14' } = {},
) => ({ name, controlPlane, ready, kubeletVersion, selected });

const facts = (
  nodes = [
    node('cp-1', true),
    node('cp-2', true),
    node('w1'),
    node('w2'),
    node('w3'),
    node('w4'),
    node('w5'),
  ],
): ClusterFacts => ({
  controlPlaneVersion: 'v1.31.14',
  nodes,
  addons: {
    manifestCalicoInKubeSystem: false,
    snapshotController: 'v8.1.0',
    kubeSystemSnapshotController: false,
  },
});

const plan = (input: object, f = facts()) =>
  planUpgrade(parseUpgradeInput({ cluster: 'lab', ...input }), f, DEFAULT_KUBERNETES_RELEASES);

function refusedOn(field: string, run: () => unknown): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure);
    assert.equal((err.details?.[0] as { field: string }).field, field);
    return true;
  });
}

describe('planUpgrade', () => {
  it('steps one minor at a time, control plane in order, workers in bounded batches, add-ons where due', () => {
    const p = plan({ target: '1.33', maxUnavailable: 2 });
    assert.deepEqual(p.steps, [
      {
        version: 'v1.32.13',
        addons: [
          { kind: 'snapshot-controller', version: 'v8.2.0', removeKubeSystemDeployment: false },
        ],
      },
      { version: 'v1.33.13', addons: [] },
    ]);
    assert.deepEqual(p.controlPlaneOrder, ['cp-1', 'cp-2']);
    assert.deepEqual(p.workerBatches, [['w1', 'w2'], ['w3', 'w4'], ['w5']]);
    assert.equal(p.workersWaitFor, undefined);
  });

  it('sizes batches from a percentage and counts NotReady workers against the bound', () => {
    const nodes = [
      node('w1'),
      node('w2', false, false),
      node('w3'),
      node('w4'),
      node('w5'),
      node('w6'),
      node('w7'),
      node('w8'),
    ];
    const p = plan({ target: '1.32', maxUnavailable: '25%' }, facts(nodes));
    assert.equal(p.maxUnavailable, 2);
    assert.deepEqual(p.workerBatches, [['w1'], ['w3'], ['w4'], ['w5'], ['w6'], ['w7'], ['w8']]);
    assert.match(p.workersWaitFor ?? '', /NotReady worker\(s\) w2/);
  });

  it('refuses bad input naming the field', () => {
    refusedOn('maxUnavailable', () => plan({ target: '1.32', maxUnavailable: 0 }));
    refusedOn('maxUnavailable', () => plan({ target: '1.32', maxUnavailable: 'lots' }));
    refusedOn('target', () => plan({ target: '1.30' }));
    refusedOn('target', () => plan({ target: '1.40' }));
    refusedOn('target', () => plan({ target: '' }));
    refusedOn('cluster', () => plan({ target: '1.32', cluster: 'Bad!' }));
    refusedOn('approvalPoints[0]', () => plan({ target: '1.32', approvalPoints: ['always'] }));
    refusedOn('nodes.include', () => plan({ target: '1.32', nodes: { include: '' } }));
    refusedOn('nodes.label', () => plan({ target: '1.32', nodes: { label: 'x' } }));
  });

  it('leaves excluded workers out of the batches but counts them while NotReady', () => {
    const nodes = [
      node('cp-1', true, true, { selected: false }),
      node('w1'),
      node('w2', false, false, { selected: false }),
      node('w3', false, true, { selected: false }),
      node('w4'),
      node('w5'),
    ];
    const p = plan({ target: '1.32', maxUnavailable: 2 }, facts(nodes));
    assert.deepEqual(p.controlPlaneOrder, ['cp-1'], 'the control plane is upgraded whole');
    assert.deepEqual(p.excluded, ['w2', 'w3']);
    assert.deepEqual(p.workerBatches, [['w1'], ['w4'], ['w5']]);
  });

  it('ignores an excluded worker that lags behind when planning the path, within the skew policy', () => {
    const lagging = node('old', false, true, { selected: false, kubeletVersion: 'v1.30.14' });
    const p = plan({ target: '1.33' }, facts([node('cp-1', true), node('w1'), lagging]));
    assert.deepEqual(
      p.steps.map((s) => s.version),
      ['v1.32.13', 'v1.33.13'],
    );
    refusedOn('nodes', () =>
      plan(
        { target: '1.33' },
        facts([
          node('cp-1', true),
          node('older', false, true, { selected: false, kubeletVersion: 'v1.29.15' }),
        ]),
      ),
    );
  });

  it('carries the approval points into the plan', () => {
    const p = plan({ target: '1.32', approvalPoints: ['before-workers'] });
    assert.deepEqual(p.approvalPoints, ['before-workers']);
  });
});

describe('planUpgrade: monitoring CRDs', () => {
  const withChart = (monitoringChart: string | undefined): ClusterFacts => {
    const f = facts();
    return { ...f, addons: { ...f.addons, monitoringChart } };
  };
  const crdMajors = (p: ReturnType<typeof plan>) =>
    p.steps.map((s) => s.addons.flatMap((a) => (a.kind === 'monitoring-crds' ? [a.major] : [])));

  it('follow the last version step, one per chart major, in order', () => {
    const p = plan({ target: '1.33', monitoringChart: '62.7.0' }, withChart('60.0.0'));
    assert.deepEqual(crdMajors(p), [[], [61, 62]]);
    assert.deepEqual(p.steps[1].addons, [
      { kind: 'monitoring-crds', major: 61, operatorVersion: 'v0.75.0' },
      { kind: 'monitoring-crds', major: 62, operatorVersion: 'v0.76.0' },
    ]);
    assert.deepEqual(crdMajors(plan({ target: '1.32' }, withChart('60.0.0'))), [[]]);
    assert.deepEqual(
      crdMajors(plan({ target: '1.32', monitoringChart: '60.4.0' }, withChart('60.0.0'))),
      [[]],
    );
  });

  it('refuse a downgrade, a malformed version, a missing chart and a cluster already at the target', () => {
    refusedOn('monitoringChart', () =>
      plan({ target: '1.32', monitoringChart: '59.1.0' }, withChart('60.0.0')),
    );
    refusedOn('monitoringChart', () => plan({ target: '1.32', monitoringChart: 'v62' }));
    refusedOn('monitoringChart', () =>
      plan({ target: '1.32', monitoringChart: '62.0.0' }, withChart(undefined)),
    );
    refusedOn('monitoringChart', () =>
      plan({ target: '1.31', monitoringChart: '62.0.0' }, withChart('60.0.0')),
    );
  });
});
