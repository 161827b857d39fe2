import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  disabledBySteward,
  instanceMove,
  reinstallDisableReason,
  type InstanceMove,
} from '../../workflows/policy/hypervisor-emptying';

describe('instanceMove', () => {
  const cases: [string, string, string | null, InstanceMove][] = [
    ['a running instance moves live', 'ACTIVE', null, { kind: 'live-migration' }],
    ['a paused one too (it stays paused)', 'PAUSED', null, { kind: 'live-migration' }],
    ['a stopped one is cold-migrated', 'SHUTOFF', null, { kind: 'migration' }],
    [
      'one in ERROR is left to a person',
      'ERROR',
      null,
      { reason: 'vm-1 is ERROR: neither live- nor cold-migrated by Steward' },
    ],
    [
      'a suspended one too',
      'SUSPENDED',
      null,
      { reason: 'vm-1 is SUSPENDED: neither live- nor cold-migrated by Steward' },
    ],
    [
      'one with a task in progress waits for it, whatever its status',
      'ACTIVE',
      'migrating',
      { reason: 'vm-1 is busy (task migrating)' },
    ],
  ];
  for (const [name, status, taskState, expected] of cases) {
    it(name, () => assert.deepEqual(instanceMove({ name: 'vm-1', status, taskState }), expected));
  }
});

describe('disabledBySteward', () => {
  const cases: [string, string | null, boolean][] = [
    ['a reinstall', reinstallDisableReason('reinstall/hv-1'), true],
    ['an eviction', 'failed; fenced and evicted by Steward (evict/lab/hv-1)', true],
    ['a person', 'broken DIMM, ticket 4711', false],
    ['a person quoting Steward', 'reinstall by Steward (reinstall/hv-1) and then RMA', false],
    ['no reason', null, false],
  ];
  for (const [name, reason, expected] of cases) {
    it(`${name}: ${expected}`, () => assert.equal(disabledBySteward(reason), expected));
  }
});
