import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  nextControlPlaneNode,
  nextWorkerBatch,
  parseMaxUnavailable,
  type NodeState,
} from '../../workflows/policy/worker-batches';

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
