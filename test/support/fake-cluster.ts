// An in-memory node and its pods behind the drain activities' signatures, for workflow tests that
// exercise the workflow's decisions. The real activities are tested against the lab.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Activities } from '../../activities';
import type { EvictRoundInput, EvictRoundResult } from '../../activities/kubernetes/pod-eviction';
import { stepWaitActivities } from '../../activities/kubernetes/step-waits';
import { invalidInput, type PodRef } from '../../workflows/api';
import type { PodFacts } from '../../workflows/policy/pod-filters';

type UpgradeReads = Pick<
  Activities,
  | 'ensureUpgradeJob'
  | 'upgradeJobState'
  | 'deleteUpgradeJob'
  | 'gpuFacts'
  | 'deletePodOnce'
  | 'readNodeCheckFacts'
>;

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
  kubeletVersion = 'v1.31.14';
  gpus = 0;
  gpusAllocatable = 0;
  pluginUid = 'plugin-1';
  /** The next upgrade Jobs fail while this is set. */
  jobFails = false;
  /** Upgrade Jobs keep running while this is set. */
  jobHeld = false;
  readonly jobs = new Map<string, 'running' | 'succeeded' | 'failed'>();
  readonly jobsCreated: string[] = [];
  unschedulable = false;
  cordonedBy: string | undefined;
  bootId = 'boot-1';
  crashLooping: { pod: string; container: string; restarts: number }[] = [];
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

  /**
   * Upgrade activities: a Job ends at its first read (setting the kubelet version and, on a GPU
   * node, leaving the GPUs unhealthy until the plugin pod is deleted), or fails while jobFails.
   */
  upgradeActivities(): UpgradeReads &
    Pick<Activities, 'awaitUpgradeJob' | 'awaitNodeReady' | 'awaitGpusBack'> {
    const upgrade = this.upgradeReads();
    return {
      ...upgrade,
      ...stepWaitActivities({ ...upgrade, describeNode: this.activities().describeNode }),
    };
  }

  private upgradeReads(): UpgradeReads {
    return {
      ensureUpgradeJob: async ({ node, version }) => {
        const name = `upgrade-${node}-${version}`;
        if (this.jobs.has(name)) return { name, created: false };
        this.jobs.set(name, 'running');
        this.jobsCreated.push(name);
        return { name, created: true };
      },
      upgradeJobState: async ({ name }) => {
        if (this.jobs.get(name) === 'running' && !this.jobHeld) {
          this.jobs.set(name, this.jobFails ? 'failed' : 'succeeded');
          if (!this.jobFails) {
            this.kubeletVersion = name.slice(name.lastIndexOf('-') + 1);
            this.gpusAllocatable = 0;
          }
        }
        const state = this.jobs.get(name)!;
        return state === 'failed'
          ? { state, reason: 'BackoffLimitExceeded: Job has reached the specified backoff limit' }
          : { state };
      },
      deleteUpgradeJob: async ({ name }) => {
        this.jobs.delete(name);
      },
      gpuFacts: async () => ({
        capacity: this.gpus,
        allocatable: this.gpusAllocatable,
        plugins:
          this.gpus === 0
            ? []
            : [
                {
                  namespace: 'k8s-nvidia-device-plugin',
                  name: 'nvdp-x',
                  uid: this.pluginUid,
                  ready: true,
                  terminating: false,
                },
              ],
      }),
      deletePodOnce: async ({ uid }) => {
        if (uid !== this.pluginUid) return false;
        this.pluginUid = `${uid}+`;
        this.gpusAllocatable = this.gpus;
        return true;
      },
      readNodeCheckFacts: async () => ({
        node: { ready: true, kubeletVersion: this.kubeletVersion },
        apiserver: { ready: true, detail: 'ok' },
        controlPlanePods: [],
        crashLooping: this.crashLooping,
      }),
    };
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
          kubeletVersion: this.kubeletVersion,
          bootId: this.bootId,
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
      uncordonNode: async ({ owner, force }) => {
        this.calls.push('uncordonNode');
        if (!this.unschedulable) {
          this.cordonedBy = undefined;
          return { uncordoned: false, message: 'not cordoned; nothing to do' };
        }
        const held = this.cordonedBy !== undefined && this.cordonedBy === owner;
        if (!held && !force)
          return { uncordoned: false, message: `cordoned by ${this.cordonedBy ?? 'someone else'}` };
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
