// An in-memory node and its pods behind the drain activities' signatures, for workflow tests that
// exercise the workflow's decisions. The real activities are tested against the lab.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Activities } from '../../activities';
import type { EvictRoundInput, EvictRoundResult } from '../../activities/kubernetes/eviction';
import { invalidInput, type PodRef } from '../../workflows/api';
import type { PodFacts } from '../../workflows/policy/pod-filters';

let uidCounter = 0;

export function pod(name: string, facts: Partial<Omit<PodFacts, 'pod'>> = {}): PodFacts {
  return {
    pod: { namespace: 'shop', name, uid: `uid-${name}-${++uidCounter}` },
    phase: 'Running',
    controller: { kind: 'ReplicaSet', name: `${name.split('-')[0]}-rs` },
    controllerExists: true,
    mirror: false,
    usesEmptyDir: false,
    terminating: false,
    ...facts,
  };
}

export class FakeCluster {
  unschedulable = false;
  cordonedBy: string | undefined;
  readonly blocked = new Set<string>();
  readonly evictions = new Map<string, number>();
  readonly calls: string[] = [];

  constructor(
    readonly node: string,
    public pods: PodFacts[],
  ) {}

  block(name: string): void {
    this.blocked.add(this.find(name).pod.uid);
  }

  unblock(name: string): void {
    this.blocked.delete(this.find(name).pod.uid);
  }

  private find(name: string): PodFacts {
    const found = this.pods.find((p) => p.pod.name === name);
    if (!found) throw new Error(`no pod ${name}`);
    return found;
  }

  private checkNode(node: string): void {
    if (node !== this.node) throw invalidInput('node', `no node "${node}" in cluster "lab"`);
  }

  activities(): Pick<
    Activities,
    'describeNode' | 'listNodePods' | 'cordonNode' | 'uncordonNode' | 'evictRound'
  > {
    return {
      describeNode: async ({ node }) => {
        this.calls.push('describeNode');
        this.checkNode(node);
        return {
          name: node,
          unschedulable: this.unschedulable,
          cordonedBy: this.cordonedBy,
          ready: true,
          kubeletVersion: 'v1.31.0',
        };
      },
      listNodePods: async ({ node }) => {
        this.calls.push('listNodePods');
        this.checkNode(node);
        return this.pods;
      },
      cordonNode: async ({ owner }) => {
        this.calls.push('cordonNode');
        if (this.unschedulable) {
          return { cordonedBySteward: this.cordonedBy === owner, message: 'already cordoned' };
        }
        this.unschedulable = true;
        this.cordonedBy = owner;
        return { cordonedBySteward: true, message: 'cordoned' };
      },
      uncordonNode: async ({ force }) => {
        this.calls.push('uncordonNode');
        if (!this.unschedulable)
          return { uncordoned: false, message: 'not cordoned; nothing to do' };
        if (!this.cordonedBy && !force)
          return { uncordoned: false, message: 'cordoned by someone other than Steward' };
        this.unschedulable = false;
        this.cordonedBy = undefined;
        return { uncordoned: true, message: 'uncordoned' };
      },
      evictRound: async (input: EvictRoundInput): Promise<EvictRoundResult> => {
        this.calls.push('evictRound');
        const evicted: PodRef[] = [];
        const gone: PodRef[] = [];
        const left = [];
        for (const ref of input.pods) {
          if (this.blocked.has(ref.uid)) {
            left.push({
              pod: ref,
              blocker: 'PodDisruptionBudget shop/web allows 0 disruptions (2/2 healthy)',
            });
            continue;
          }
          this.evictions.set(ref.uid, (this.evictions.get(ref.uid) ?? 0) + 1);
          this.pods = this.pods.filter((p) => p.pod.uid !== ref.uid);
          evicted.push(ref);
          gone.push(ref);
        }
        if (left.length > 0) await sleep(Math.min(input.roundSeconds * 1000, 200));
        return { evicted, gone, left };
      },
    };
  }
}
