import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pickEvictions, type BudgetState } from '../../workflows/policy/pod-eviction-pacing';

const budget = (key: string, disruptionsAllowed: number): BudgetState => ({
  key,
  disruptionsAllowed,
  description: `PodDisruptionBudget ${key} allows ${disruptionsAllowed} disruptions`,
});

describe('pickEvictions', () => {
  it('tries only as many pods as each budget allows, and says which budget blocks the rest', () => {
    const web = budget('shop/web', 1);
    const api = budget('shop/api', 2);
    const pick = pickEvictions([
      { uid: 'w1', ready: true, budgets: [web] },
      { uid: 'w2', ready: true, budgets: [web] },
      { uid: 'a1', ready: true, budgets: [api] },
      { uid: 'a2', ready: true, budgets: [api] },
      { uid: 'a3', ready: true, budgets: [api] },
    ]);
    assert.deepEqual(pick.attempt, ['w1', 'a1', 'a2']);
    assert.deepEqual(
      [...pick.blocked],
      [
        ['w2', web.description],
        ['a3', api.description],
      ],
    );
  });

  it('tries pods without a budget, with several budgets, or not ready: the apiserver decides', () => {
    const zero = budget('shop/web', 0);
    const pick = pickEvictions([
      { uid: 'free', ready: true, budgets: [] },
      { uid: 'both', ready: true, budgets: [zero, budget('shop/other', 0)] },
      { uid: 'sick', ready: false, budgets: [zero] },
      { uid: 'held', ready: true, budgets: [zero] },
    ]);
    assert.deepEqual(pick.attempt, ['free', 'both', 'sick']);
    assert.deepEqual([...pick.blocked.keys()], ['held']);
  });

  it('tries nothing under a budget that allows no disruption', () => {
    const pick = pickEvictions([{ uid: 'p', ready: true, budgets: [budget('ns/pdb', 0)] }]);
    assert.deepEqual(pick.attempt, []);
  });
});
