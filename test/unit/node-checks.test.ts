import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeCheckProblems, type NodeCheckFacts } from '../../workflows/policy/node-checks';

const healthy: NodeCheckFacts = {
  node: { ready: true, kubeletVersion: 'v1.32.13' },
  apiserver: { ready: true, detail: 'ok' },
  controlPlanePods: [{ name: 'kube-apiserver-cp-1', ready: true }],
  crashLooping: [],
};

describe('nodeCheckProblems', () => {
  const cases: [string, Partial<NodeCheckFacts>, RegExp | undefined][] = [
    ['a healthy node passes', {}, undefined],
    ['a NotReady node', { node: { ready: false, kubeletVersion: 'v1.32.13' } }, /NotReady/],
    [
      'the old kubelet',
      { node: { ready: true, kubeletVersion: 'v1.31.14' } },
      /kubelet reports v1\.31\.14, not v1\.32\.13/,
    ],
    [
      'an apiserver not ready, with its failing checks',
      { apiserver: { ready: false, detail: '[-]etcd failed: reason withheld' } },
      /apiserver not ready: \[-\]etcd failed/,
    ],
    [
      'a control-plane pod not Ready',
      { controlPlanePods: [{ name: 'kube-scheduler-cp-2', ready: false }] },
      /control-plane pod\(s\) not Ready: kube-scheduler-cp-2/,
    ],
    [
      'a crash-looping container',
      { crashLooping: [{ pod: 'shop/web-1', container: 'app', restarts: 7 }] },
      /pod shop\/web-1 container app is crash-looping \(7 restarts\)/,
    ],
  ];
  for (const [name, facts, problem] of cases) {
    it(name, () => {
      const problems = nodeCheckProblems({ ...healthy, ...facts }, 'v1.32.13');
      if (problem === undefined) assert.deepEqual(problems, []);
      else {
        assert.equal(problems.length, 1, problems.join('; '));
        assert.match(problems[0], problem);
      }
    });
  }
});
