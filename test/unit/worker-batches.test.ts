import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  nextControlPlaneNode,
  nextWorkerBatch,
  parseMaxUnavailable,
  workerWindow,
  type NodeState,
} from '../../workflows/policy/worker-batches';
import type { ClusterFacts } from '../../workflows/policy/upgrade-plan';

const nodes = (spec: string): NodeState[] =>
  // "r" ready to do, "d" done and ready, "n" NotReady to do, "x" NotReady and done
  [...spec].map((c, i) => ({
    name: `w${i + 1}`,
    ready: c === 'r' || c === 'd',
    done: c === 'd' || c === 'x',
  }));

describe('parseMaxUnavailable', () => {
  const good: [string | number, number, number][] = [
    ['2', 10, 2],
    [3, 10, 3],
    ['25%', 10, 2],
    ['25%', 3, 1],
    ['100%', 8, 8],
  ];
  for (const [text, workers, expected] of good) {
    it(`${text} of ${workers} workers is ${expected}`, () =>
      assert.equal(parseMaxUnavailable(text, workers), expected));
  }
  for (const bad of ['0', 0, '-1', '0%', '150%', '1.5', 'two', '']) {
    it(`refuses ${JSON.stringify(bad)}`, () =>
      assert.throws(() => parseMaxUnavailable(bad, 10), /must be/));
  }
});

describe('nextWorkerBatch', () => {
  const cases: [string, number, string[] | RegExp][] = [
    ['rrrrr', 2, ['w1', 'w2']],
    ['ddrrr', 2, ['w3', 'w4']],
    ['ddddr', 3, ['w5']],
    ['rnrrr', 2, ['w1']],
    ['rnnrr', 2, /NotReady worker\(s\) w2, w3 to be Ready \(bound: 2 unavailable\)/],
    ['xrrrr', 1, /NotReady worker\(s\) w1/],
    ['dnddd', 3, /NotReady worker\(s\) w2 to be Ready/],
    ['ddddd', 1, /every worker is done/],
  ];
  for (const [spec, max, expected] of cases) {
    it(`${spec} with maxUnavailable ${max}`, () => {
      const batch = nextWorkerBatch(nodes(spec), max);
      if (Array.isArray(expected)) assert.deepEqual(batch, { nodes: expected });
      else {
        assert.deepEqual(batch.nodes, []);
        assert.match(batch.waitingFor ?? '', expected);
      }
    });
  }
});

describe('nextWorkerBatch in a rolling window (workers in flight)', () => {
  // [spec, maxUnavailable, in flight, to start, or what it waits for (undefined: the window is full)]
  const cases: [string, number, string[], string[] | RegExp | undefined][] = [
    ['rrrrr', 2, ['w1'], ['w2']],
    ['rrrrr', 3, ['w1'], ['w2', 'w3']],
    ['rrrrr', 2, ['w1', 'w2'], undefined],
    // An in-flight worker restarting its kubelet is NotReady: it is counted once, not twice.
    ['nrrrr', 2, ['w1'], ['w2']],
    ['nnrrr', 2, ['w1'], /NotReady worker\(s\) w2 to be Ready \(bound: 2 unavailable\)/],
    ['rnrrr', 3, ['w1'], ['w3']],
    ['xrrrr', 2, ['w2'], /NotReady worker\(s\) w1/],
    // Nothing left to start: the last workers finish, nothing to wait for.
    ['ddrdd', 2, ['w3'], undefined],
    ['dddnd', 2, ['w3'], /NotReady worker\(s\) w4 to be Ready/],
  ];
  for (const [spec, max, inFlight, expected] of cases) {
    it(`${spec} with maxUnavailable ${max} and ${inFlight.join(', ')} in flight`, () => {
      const batch = nextWorkerBatch(nodes(spec), max, inFlight);
      if (Array.isArray(expected)) assert.deepEqual(batch, { nodes: expected });
      else if (expected === undefined) assert.deepEqual(batch, { nodes: [] });
      else {
        assert.deepEqual(batch.nodes, []);
        assert.match(batch.waitingFor ?? '', expected);
      }
    });
  }
  it('never has more than maxUnavailable unavailable while workers finish one by one', () => {
    const states = nodes('rnrrrrrrrr');
    const inFlight: string[] = [];
    let worst = 0;
    for (let round = 0; round < 20; round++) {
      inFlight.push(...nextWorkerBatch(states, 3, inFlight).nodes);
      const unavailable = new Set([
        ...inFlight,
        ...states.filter((n) => !n.ready).map((n) => n.name),
      ]);
      worst = Math.max(worst, unavailable.size);
      const done = inFlight.shift();
      const node = states.find((n) => n.name === done);
      if (node) node.done = true;
    }
    assert.equal(worst, 3);
    assert.deepEqual(
      states.filter((n) => !n.done).map((n) => n.name),
      ['w2'],
      'all but the NotReady worker',
    );
  });
});

describe('workerWindow', () => {
  const fact = (name: string, spec: string): ClusterFacts['nodes'][number] => ({
    name,
    controlPlane: spec.includes('cp'),
    kubeletVersion: spec.includes('new') ? 'v1.32.13' : 'v1.31.14',
    ready: !spec.includes('down'),
    selected: !spec.includes('excluded'),
  });
  const cluster = [
    fact('cp-1', 'cp down'),
    fact('w1', 'new'),
    fact('w2', 'down'),
    fact('w3', ''),
    fact('w4', 'excluded'),
    fact('w5', 'new down'),
    fact('w6', ''),
    fact('w7', ''),
    fact('w8', ''),
  ];
  const names = (limit: number, exclude: string[] = []) =>
    workerWindow(cluster, { version: 'v1.32.13', exclude, limit }).map((n) => n.name);
  it('holds every NotReady worker and the first candidates up to the limit', () =>
    assert.deepEqual(names(2), ['w2', 'w5', 'w3', 'w6']));
  it('leaves out the workers in flight or skipped', () =>
    assert.deepEqual(names(2, ['w3', 'w7']), ['w2', 'w5', 'w6', 'w8']));
  it('holds no candidate once every selected worker is at the version or excluded', () =>
    assert.deepEqual(names(5, ['w3', 'w6', 'w7', 'w8']), ['w2', 'w5']));
});

describe('nextControlPlaneNode', () => {
  it('takes one node at a time, in order', () =>
    assert.deepEqual(nextControlPlaneNode(nodes('drr')), { nodes: ['w2'] }));
  it('waits while another control-plane node is NotReady', () => {
    const batch = nextControlPlaneNode(nodes('rxr'));
    assert.deepEqual(batch.nodes, []);
    assert.match(batch.waitingFor ?? '', /w2 to be Ready/);
  });
  it('may take a NotReady node itself when the others are Ready', () =>
    assert.deepEqual(nextControlPlaneNode(nodes('dnr')), { nodes: ['w2'] }));
  it('is done when every node is', () =>
    assert.deepEqual(nextControlPlaneNode(nodes('ddd')).nodes, []));
});
