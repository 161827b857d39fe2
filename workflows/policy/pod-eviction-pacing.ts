// Which pods to try to evict now, given what their PodDisruptionBudgets allow. Trying only as
// many pods as a budget allows avoids a storm of refused (429) evictions while a drain waits.

export interface BudgetState {
  /** "namespace/name" */
  key: string;
  disruptionsAllowed: number;
  /** How the budget reads to an operator, e.g. "PodDisruptionBudget shop/web allows 0 disruptions (2/3 healthy)". */
  description: string;
}

export interface EvictionCandidate {
  uid: string;
  ready: boolean;
  /** The budgets whose selector matches the pod. */
  budgets: BudgetState[];
}

export interface EvictionPick {
  attempt: string[];
  /** uid → what blocks it. */
  blocked: Map<string, string>;
}

export function pickEvictions(candidates: EvictionCandidate[]): EvictionPick {
  const allowance = new Map<string, number>();
  for (const c of candidates) for (const b of c.budgets) allowance.set(b.key, b.disruptionsAllowed);
  const pick: EvictionPick = { attempt: [], blocked: new Map() };
  for (const c of candidates) {
    // No budget: nothing to respect. Several: the apiserver refuses and says why. Not ready: an
    // unhealthy pod may be evictable under the budget's unhealthyPodEvictionPolicy; the
    // apiserver decides.
    if (c.budgets.length !== 1 || !c.ready) {
      pick.attempt.push(c.uid);
      continue;
    }
    const [budget] = c.budgets;
    const left = allowance.get(budget.key) ?? 0;
    if (left > 0) {
      allowance.set(budget.key, left - 1);
      pick.attempt.push(c.uid);
    } else {
      pick.blocked.set(c.uid, budget.description);
    }
  }
  return pick;
}
