import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AcquireLeaseRequest, Lease, LeaseOperation } from '../../workflows/api';
import {
  acquireLease,
  describeLease,
  parseAcquireRequest,
  withoutHolders,
} from '../../workflows/policy/cluster-leases';

const SINCE = '2026-12-06T21:00:00.000Z';
const NOW = '2026-12-06T22:00:00.000Z';

/** `k8s@3` a cluster-wide lease for 3 nodes; `drain:w1` one for node w1. */
function lease(spec: string, run = 'r1'): Lease {
  const [op, rest] = spec.split(/[@:]/);
  const operation = (
    {
      k8s: 'kubernetes-upgrade',
      node: 'node-upgrade',
      rook: 'rook-ceph-upgrade',
      reinstall: 'node-reinstall',
      drain: 'drain',
    } as Record<string, LeaseOperation>
  )[op];
  const nodes = spec.includes(':') ? rest.split(',') : [];
  const unavailable = spec.includes('@') ? Number(rest) : nodes.length;
  return {
    holder: { workflowId: `${op}/${rest}`, firstRunId: run },
    operation,
    nodes,
    unavailable,
    since: SINCE,
  };
}

/** A request from another workflow than any `lease(spec)`'s, unless `holder` says. */
const ask = (spec: string, budget = 2, holder = { workflowId: 'asking', firstRunId: 'r2' }) => {
  const { operation, nodes, unavailable } = lease(spec);
  const request: AcquireLeaseRequest = {
    holder,
    operation,
    nodes,
    unavailable,
    maxUnavailableNodes: budget,
  };
  return request;
};

describe('acquireLease', () => {
  const cases: [string, string[], string, number, true | RegExp][] = [
    ['an idle cluster', [], 'k8s@2', 2, true],
    [
      'a drain beside a drain of another node, within the budget',
      ['drain:w1'],
      'drain:w2',
      2,
      true,
    ],
    [
      'a reinstall beside a Kubernetes upgrade, within the budget',
      ['k8s@1'],
      'reinstall:w3',
      2,
      true,
    ],
    ['a drain beside a Rook/Ceph upgrade (PDBs guard the OSDs)', ['rook@0'], 'drain:w1', 2, true],
    [
      'a Rook/Ceph upgrade during a Kubernetes upgrade',
      ['k8s@1'],
      'rook@0',
      5,
      /cluster lab: rook-ceph-upgrade refused: a Kubernetes upgrade and a Rook\/Ceph upgrade never run at once; held by k8s\/1 \(kubernetes-upgrade, 1 node, since 2026-12-06T21:00:00.000Z\)/,
    ],
    [
      'a Kubernetes upgrade during a Rook/Ceph upgrade',
      ['rook@0'],
      'k8s@1',
      5,
      /never run at once; held by rook\/0/,
    ],
    [
      'a reinstall during a Rook/Ceph upgrade',
      ['rook@0'],
      'reinstall:w1',
      5,
      /takes a host's OSDs down/,
    ],
    [
      'a second Kubernetes upgrade (another scheduled run)',
      ['k8s@1'],
      'k8s@1',
      5,
      /one Kubernetes upgrade at a time/,
    ],
    ['a second Rook/Ceph upgrade', ['rook@0'], 'rook@0', 5, /one Rook\/Ceph upgrade at a time/],
    ['one node upgraded alone beside a drain of another', ['drain:w1'], 'node:w2', 2, true],
    [
      'one node upgraded alone during a Kubernetes upgrade',
      ['k8s@1'],
      'node:w3',
      5,
      /node-upgrade refused: a Kubernetes upgrade upgrades the nodes itself.*held by k8s\/1/,
    ],
    [
      'one node upgraded alone during a Rook/Ceph upgrade',
      ['rook@0'],
      'node:w1',
      5,
      /never run at once; held by rook\/0/,
    ],
    [
      'a reinstall of a node upgraded alone',
      ['node:w1'],
      'reinstall:w1',
      5,
      /w1 already taken; held by node\/w1 \(node-upgrade, node w1,/,
    ],
    [
      'a reinstall of a node being drained',
      ['drain:w1'],
      'reinstall:w1',
      5,
      /w1 already taken; held by drain\/w1 \(drain, node w1,/,
    ],
    [
      'a drain beyond the budget',
      ['k8s@2'],
      'drain:w1',
      2,
      /1 more unavailable node\(s\) would exceed the budget of 2 \(2 taken\); held by k8s\/2/,
    ],
    [
      'a request larger than the budget on its own',
      [],
      'k8s@3',
      2,
      /may make 3 nodes unavailable, more than the cluster's budget of 2 \(clusters\.lab\.guard\.maxUnavailableNodes\)$/,
    ],
  ];
  for (const [what, held, request, budget, expected] of cases) {
    it(`${expected === true ? 'grants' : 'refuses'} ${what}`, () => {
      const leases = held.map((h) => lease(h));
      const { decision, leases: after } = acquireLease('lab', leases, ask(request, budget), NOW);
      if (expected === true) {
        assert.ok(decision.granted);
        assert.equal(decision.lease.since, NOW);
        assert.deepEqual(after, [...leases, decision.lease]);
      } else {
        assert.ok(!decision.granted);
        assert.match(decision.reason, expected);
        assert.deepEqual(after, leases, 'a refusal changes no lease');
      }
    });
  }

  it('renews the lease of a holder that asks again (a run continued as new), keeping its since', () => {
    const held = lease('k8s@2', 'r1');
    const again = ask('k8s@1', 2, held.holder);
    const { decision, leases } = acquireLease('lab', [held], again, NOW);
    assert.ok(decision.granted);
    assert.equal(decision.lease.since, SINCE);
    assert.equal(decision.lease.unavailable, 1);
    assert.deepEqual(leases, [decision.lease]);
  });

  it("replaces the lease of a workflow ID's ended run with its new run's", () => {
    const { decision, leases } = acquireLease(
      'lab',
      [lease('k8s@2', 'r1')],
      ask('k8s@2', 2, { workflowId: 'k8s/2', firstRunId: 'r2' }),
      NOW,
    );
    assert.ok(decision.granted);
    assert.equal(decision.lease.since, NOW);
    assert.deepEqual(
      leases.map((l) => l.holder.firstRunId),
      ['r2'],
    );
  });
});

describe('withoutHolders', () => {
  it('drops exactly the leases of the given holders (workflow ID and first run)', () => {
    const a = lease('drain:w1', 'r1');
    const b = lease('drain:w2', 'r1');
    assert.deepEqual(withoutHolders([a, b], [{ workflowId: 'drain/w1', firstRunId: 'r1' }]), [b]);
    assert.deepEqual(withoutHolders([a, b], [{ workflowId: 'drain/w1', firstRunId: 'r9' }]), [
      a,
      b,
    ]);
  });
});

describe('describeLease', () => {
  it('names the holder, the operation, the nodes and since when', () => {
    assert.equal(
      describeLease(lease('reinstall:w4')),
      'reinstall/w4 (node-reinstall, node w4, since 2026-12-06T21:00:00.000Z)',
    );
    assert.equal(
      describeLease(lease('k8s@3')),
      'k8s/3 (kubernetes-upgrade, 3 nodes, since 2026-12-06T21:00:00.000Z)',
    );
  });
});

describe('parseAcquireRequest', () => {
  const bad: [string, object, RegExp][] = [
    ['an unknown operation', { ...ask('drain:w1'), operation: 'reboot' }, /^operation: /],
    [
      'fewer unavailable than named nodes',
      { ...ask('drain:w1,w2'), unavailable: 1 },
      /^unavailable: must count every node/,
    ],
    ['a budget of 0', ask('drain:w1', 0), /^maxUnavailableNodes: must be at least 1/],
    [
      'no holder run',
      { ...ask('drain:w1'), holder: { workflowId: 'asking', firstRunId: '' } },
      /^holder\.firstRunId: is required/,
    ],
    ['a bad node name', ask('drain:W_1'), /^nodes\[0\]: must be a Kubernetes node name/],
  ];
  for (const [what, input, expected] of bad) {
    it(`refuses ${what}`, () =>
      assert.throws(
        () => parseAcquireRequest(input),
        (err: Error) => expected.test(err.message),
      ));
  }
  it('accepts a well-formed request', () =>
    assert.deepEqual(parseAcquireRequest(ask('k8s@2')), ask('k8s@2')));
});
