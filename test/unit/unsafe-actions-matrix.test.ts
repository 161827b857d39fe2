// The fault matrix's plan (seeded, a cell re-planned alone gets the same runs, enough kills per
// operation) and its table (the cells with unsafe actions or doubled side effects named).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  matrixTable,
  OPERATIONS,
  planMatrix,
  type CellResult,
} from '../../scripts/bench/fault-matrix-plan';

const options = { seed: 16, killsPerOperation: 20, maxDelayMs: 30_000 };

describe('planMatrix', () => {
  it('plans every operation under every fault it meets, with at least 20 kills per operation', () => {
    const cells = planMatrix(options);
    for (const operation of OPERATIONS) {
      const mine = cells.filter((c) => c.operation === operation);
      assert.ok(
        mine.some((c) => c.fault.name === 'none'),
        `${operation} without a fault`,
      );
      const kills = mine.reduce((n, c) => n + c.runs.length, 0);
      assert.ok(kills >= 20, `${operation}: ${kills} kills`);
    }
    assert.ok(cells.some((c) => c.id === 'hypervisor-eviction/nova-down-60s'));
    assert.ok(!cells.some((c) => c.id === 'drain/nova-down-60s'));
  });
  it('is seeded: the same seed plans the same kills, another seed others', () => {
    const kills = (seed: number) => planMatrix({ ...options, seed }).map((c) => c.runs);
    assert.deepEqual(kills(16), kills(16));
    assert.notDeepEqual(kills(16), kills(17));
  });
  it('plans a cell alone as in the whole matrix, and refuses a cell it does not have', () => {
    const id = 'reinstall-custom/bmc-refuses-boot-device';
    const whole = planMatrix(options).find((c) => c.id === id);
    assert.deepEqual(planMatrix({ ...options, cell: id }), [whole]);
    assert.throws(() => planMatrix({ ...options, cell: 'drain/nope' }), /no cell drain\/nope/);
  });
  it('kills in each step in turn, within the longest delay', () => {
    const [cell] = planMatrix({ ...options, cell: 'drain/none' });
    assert.deepEqual(
      cell.runs.map((r) => r.kill.step),
      cell.runs.map((_, i) => i),
    );
    assert.ok(cell.runs.every((r) => r.kill.delayMs >= 0 && r.kill.delayMs < 30_000));
  });
});

describe('matrixTable', () => {
  const [none, pdb] = planMatrix({ ...options, killsPerOperation: 2 }).filter(
    (c) => c.operation === 'drain',
  );
  const result = (cell: CellResult['cell'], unsafe: number, doubled: number): CellResult => ({
    cell,
    kills: cell.runs.length,
    asExpected: cell.runs.length,
    unsafe,
    doubled,
  });
  it('prints a line per cell and names the cells with unsafe or doubled effects', () => {
    const table = matrixTable([result(none, 0, 0), result(pdb, 1, 2)]);
    assert.match(
      table,
      /^operation \| fault +\| runs \| kills \| as expected \| unsafe \| doubled$/m,
    );
    assert.match(table, /^drain +\| pdb-never-allows \| 1 +\| 1 +\| 1\/1 +\| 1 +\| 2 *$/m);
    assert.match(table, /non-zero cells: drain\/pdb-never-allows$/);
  });
  it('says so when no cell has any', () => {
    assert.match(matrixTable([result(none, 0, 0)]), /no unsafe action, no doubled side effect$/);
  });
});
