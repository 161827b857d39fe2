// Several FakeClusters as one cluster behind the activities a Kubernetes upgrade calls, for the
// rollout's workflow tests: it routes each call to its node and records what the rollout did.
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities';
import { DEFAULT_KUBERNETES_RELEASES } from '../../activities/kubernetes/releases';
import { stepWaitActivities } from '../../activities/kubernetes/step-waits';
import type { AddonStep } from '../../workflows/policy/addon-steps';
import type { TigeraMigrationFacts } from '../../workflows/policy/tigera-migration';
import type { ClusterFacts } from '../../workflows/policy/upgrade-plan';
import { workerWindow } from '../../workflows/policy/worker-batches';
import { FakeCluster, pod } from './fake-cluster';

export interface FleetNode {
  name: string;
  controlPlane?: boolean;
  labels?: Record<string, string>;
}

type FleetActivities = ReturnType<FakeCluster['activities']> &
  ReturnType<FakeCluster['upgradeActivities']> &
  Pick<
    Activities,
    | 'readUpgradeFacts'
    | 'readWorkerWindow'
    | 'applyAddonStep'
    | 'readKubernetesReleases'
    | 'installTigeraOperator'
    | 'readTigeraMigration'
  >;

export class FakeFleet {
  controlPlaneVersion = 'v1.31.14';
  readonly nodes = new Map<string, FakeCluster>();
  /** Job names in the order the rollout created them, with the kubeadm mode. */
  readonly jobs: string[] = [];
  readonly addonsApplied: AddonStep[] = [];
  /** applyAddonStep fails while this is set. */
  addonFails = false;
  /** The most workers cordoned at once. */
  worstWorkersCordoned = 0;
  /** Nodes whose Ready condition is False. */
  readonly notReady = new Set<string>();
  /** Calico from manifests in kube-system, until the (fake) Tigera operator has moved it. */
  manifestCalico = false;
  /** How many Jobs had been created at each installTigeraOperator. */
  readonly tigeraInstalls: number[] = [];
  /** The Tigera operator never reports Calico Available while this is set. */
  tigeraStuck = false;
  /** What readKubernetesReleases answers, as a worker's config would name them. */
  releases = DEFAULT_KUBERNETES_RELEASES;

  constructor(private readonly spec: FleetNode[]) {
    for (const n of spec) this.nodes.set(n.name, new FakeCluster(n.name, [pod(`web-${n.name}`)]));
  }

  /** Every node and the control plane at `version`. */
  at(version: string): this {
    this.controlPlaneVersion = version;
    for (const node of this.nodes.values()) node.kubeletVersion = version;
    return this;
  }

  node(name: string): FakeCluster {
    const found = this.nodes.get(name);
    if (!found) throw new Error(`no node ${name}`);
    return found;
  }

  private byJob(name: string): FakeCluster {
    const node = this.spec.find((n) => name.startsWith(`upgrade-${n.name}-v`));
    if (!node) throw new Error(`no node for Job ${name}`);
    return this.node(node.name);
  }

  /** "key=value" selectors only; the real activity leaves matching to the apiserver. */
  private matches(labels: Record<string, string> = {}, selector?: string): boolean {
    if (selector === undefined) return false;
    const [key, value] = selector.split('=');
    return labels[key] === value;
  }

  activities(): FleetActivities {
    const per = (name: string) => ({
      ...this.node(name).activities(),
      ...this.node(name).upgradeActivities(),
    });
    const workersCordoned = () =>
      this.spec.filter((n) => !n.controlPlane && this.node(n.name).unschedulable).length;
    const activities = {
      readUpgradeFacts: async ({ nodes: selectors = {} }): Promise<ClusterFacts> => ({
        controlPlaneVersion: this.controlPlaneVersion,
        nodes: this.spec.map((n) => ({
          name: n.name,
          controlPlane: n.controlPlane ?? false,
          kubeletVersion: this.node(n.name).kubeletVersion,
          ready: !this.notReady.has(n.name),
          selected:
            (selectors.include === undefined || this.matches(n.labels, selectors.include)) &&
            !this.matches(n.labels, selectors.exclude),
        })),
        addons: {
          manifestCalicoInKubeSystem: this.manifestCalico,
          snapshotController: 'v8.1.0',
          kubeSystemSnapshotController: false,
        },
      }),
      readKubernetesReleases: async () => this.releases,
      readWorkerWindow: async ({ cluster, nodes, ...read }): Promise<ClusterFacts['nodes']> =>
        workerWindow((await activities.readUpgradeFacts({ cluster, nodes })).nodes, read),
      describeNode: (a) => per(a.node).describeNode(a),
      listNodePods: (a) => per(a.node).listNodePods(a),
      cordonNode: async (a) => {
        const result = await per(a.node).cordonNode(a);
        this.worstWorkersCordoned = Math.max(this.worstWorkersCordoned, workersCordoned());
        return result;
      },
      uncordonNode: (a) => per(a.node).uncordonNode(a),
      evictRound: (a) => per(a.node).evictRound(a),
      ensureUpgradeJob: async (a) => {
        const result = await per(a.node).ensureUpgradeJob(a);
        if (result.created) this.jobs.push(`${result.name} ${a.kubeadm}`);
        return result;
      },
      upgradeJobState: async (a) => {
        const node = this.byJob(a.name);
        const state = await node.upgradeActivities().upgradeJobState(a);
        if (state.state === 'succeeded' && this.jobs.includes(`${a.name} apply`)) {
          this.controlPlaneVersion = node.kubeletVersion;
        }
        return state;
      },
      deleteUpgradeJob: (a) => this.byJob(a.name).upgradeActivities().deleteUpgradeJob(a),
      gpuFacts: (a) => per(a.node).gpuFacts(a),
      deletePodOnce: async (a) => {
        for (const node of this.nodes.values()) {
          if (await node.upgradeActivities().deletePodOnce(a)) return true;
        }
        return false;
      },
      readNodeCheckFacts: (a) => per(a.node).readNodeCheckFacts(a),
      applyAddonStep: async ({ step }) => {
        if (this.addonFails) {
          throw ApplicationFailure.nonRetryable('manifests refused by the apiserver');
        }
        this.addonsApplied.push(step);
        return { summary: `applied ${step.kind}` };
      },
      installTigeraOperator: async () => {
        this.tigeraInstalls.push(this.jobs.length);
        return { summary: 'installed' };
      },
      readTigeraMigration: async (): Promise<TigeraMigrationFacts> => {
        const n = this.spec.length;
        const installed = this.tigeraInstalls.length > 0;
        if (installed && !this.tigeraStuck) this.manifestCalico = false;
        return {
          installation: installed,
          ...(installed && {
            available: this.manifestCalico
              ? { status: 'False', message: 'calico-node not ready' }
              : { status: 'True' },
          }),
          ...(installed && { calicoSystem: { desired: n, ready: this.manifestCalico ? 0 : n } }),
          nodes: n,
          kubeSystem: this.manifestCalico ? ['DaemonSet calico-node'] : [],
        };
      },
    } satisfies Omit<FleetActivities, keyof ReturnType<typeof stepWaitActivities>>;
    return { ...activities, ...stepWaitActivities(activities) };
  }
}
