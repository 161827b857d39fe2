// The operation census's tally: counts and ages by kind, cluster and phase, never by workflow.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OperationCensus, type RunningOperation } from '../../workers/operation-census';

const op = (workflowId: string, phase: string, operation = 'drain'): RunningOperation => ({
  workflowId,
  operation,
  cluster: 'prod-a',
  phase,
});
const lease = (operation: 'drain' | 'kubernetes-upgrade', since: string) => ({
  holder: { workflowId: 'x', firstRunId: 'r' },
  operation,
  nodes: [],
  unavailable: 0,
  since,
});
const T0 = Date.parse('2026-12-07T12:00:00Z');
const value = (rows: { labels: Record<string, string>; value: number }[], phase: string) =>
  rows.find((r) => r.labels.phase === phase)?.value;

describe('OperationCensus', () => {
  it('counts operations by kind, cluster and phase, with no workflow in any label', () => {
    const census = new OperationCensus();
    const { operations } = census.tally(
      [
        op('drain/prod-a/n1', 'evicting'),
        op('drain/prod-a/n2', 'evicting'),
        op('drain/prod-a/n3', 'waiting-for-operator'),
      ],
      [],
      T0,
    );
    assert.deepEqual(operations, [
      { labels: { operation: 'drain', cluster: 'prod-a', phase: 'evicting' }, value: 2 },
      {
        labels: { operation: 'drain', cluster: 'prod-a', phase: 'waiting-for-operator' },
        value: 1,
      },
    ]);
  });

  it('ages a phase from when it was first seen there; a new phase starts again', () => {
    const census = new OperationCensus();
    census.tally([op('a', 'waiting-for-operator'), op('b', 'evicting')], [], T0);
    census.tally([op('a', 'waiting-for-operator'), op('b', 'evicting')], [], T0 + 30_000);
    const later = census.tally(
      [op('a', 'waiting-for-operator'), op('b', 'waiting-for-operator')],
      [],
      T0 + 90_000,
    );
    assert.equal(value(later.oldestInPhase, 'waiting-for-operator'), 90, 'the older of the two');
    const afterRetry = census.tally([op('a', 'evicting')], [], T0 + 100_000);
    assert.equal(value(afterRetry.oldestInPhase, 'evicting'), 0, 'a left and came back: anew');
  });

  it('shows a label set that emptied as 0, so its gauge does not keep its last value', () => {
    const census = new OperationCensus();
    census.tally([op('a', 'waiting-for-operator')], [], T0);
    const { operations, oldestInPhase } = census.tally([], [], T0 + 1000);
    assert.equal(value(operations, 'waiting-for-operator'), 0);
    assert.equal(value(oldestInPhase, 'waiting-for-operator'), 0);
  });

  it("ages each cluster's oldest lease by the holder's operation", () => {
    const census = new OperationCensus();
    const guards = [
      {
        cluster: 'prod-a',
        leases: [
          lease('drain', '2026-12-07T11:59:00Z'),
          lease('drain', '2026-12-07T10:00:00Z'),
          lease('kubernetes-upgrade', '2026-12-07T11:00:00Z'),
        ],
      },
    ];
    const { leaseHeld } = census.tally([], guards, T0);
    assert.deepEqual(leaseHeld, [
      { labels: { cluster: 'prod-a', operation: 'drain' }, value: 7200 },
      { labels: { cluster: 'prod-a', operation: 'kubernetes-upgrade' }, value: 3600 },
    ]);
    const released = census.tally([], [{ cluster: 'prod-a', leases: [] }], T0 + 1000);
    assert.ok(released.leaseHeld.every((r) => r.value === 0));
  });
});
