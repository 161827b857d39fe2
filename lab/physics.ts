// The lab's upgrade physics: a controller that plays what Steward's node-upgrade Jobs do to a
// real host (kubeadm upgrade, kubelet restart, device plugin losing its GPUs). Run as a lab
// daemon (`startKubernetes` starts it); see lab/README.md, "Upgrade physics".
import {
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  V1Node,
  V1Pod,
} from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { KUBELET_LABEL } from './kubernetes';
import { runDaemon } from './daemon';
import { keepLeases } from './lease-keeper';
import { keepWatching, untilWatched } from './watch';
import { GPU_PRESENT_LABEL, GPU_RESOURCE, kubeletStartingCondition } from './objects';

/** Labels Steward puts on an upgrade Job and its pod template (the contract with the activity). */
export const UPGRADE_LABELS = {
  node: 'steward.dev/upgrade-node',
  version: 'steward.dev/upgrade-version',
  kubeadm: 'steward.dev/kubeadm',
} as const;

/** Node annotation a test sets to make the next upgrade on that node go wrong. */
export const FAULT_ANNOTATION = 'lab.steward.dev/fault';
/**
 * `job-fails`: the upgrade pod fails (exit code 1) and nothing is upgraded.
 * `never-ready`: the kubelet does not come back after its restart; the node stays NotReady
 * (Unknown once the lease expires) until the fault is cleared.
 */
export type UpgradeFault = 'job-fails' | 'never-ready';
export const UPGRADE_FAULTS: readonly UpgradeFault[] = ['job-fails', 'never-ready'];

/** Node label: the physics holds this node's kubelet down (fault `never-ready`). */
export const HELD_LABEL = 'lab.steward.dev/kubelet-held';
/** Node label: the device plugin lost its GPUs in a kubelet restart (allocatable 0). */
export const GPU_UNHEALTHY_LABEL = 'lab.steward.dev/gpu-unhealthy';
/** Node annotation, JSON {@link GpuOutage}: what to restore and which plugin pods are stale. */
export const GPU_OUTAGE_ANNOTATION = 'lab.steward.dev/gpu-outage';
/** Pod annotation the physics sets on an upgrade pod once it has played it. */
export const UPGRADE_DONE_ANNOTATION = 'steward.dev/upgrade-done';

/** Control-plane static pods whose image `kubeadm upgrade` moves to the new version. */
const CONTROL_PLANE_COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

interface GpuOutage {
  /** Allocatable `nvidia.com/gpu` before the restart. */
  gpus: string;
  /** UIDs of the device-plugin pods on the node at the restart: deleting one is the fix. */
  stalePluginPods: string[];
}

export interface PhysicsOptions {
  /** How long the kubelet is down (NotReady) in a restart. */
  restartMs: number;
  /** How long the upgrade script runs before it restarts the kubelet. */
  jobMs: number;
  pollMs: number;
  pluginNamespace: string;
  pluginSelector: string;
}

export const DEFAULT_PHYSICS: PhysicsOptions = {
  restartMs: 3_000,
  jobMs: 500,
  pollMs: 250,
  pluginNamespace: 'k8s-nvidia-device-plugin',
  pluginSelector: 'app.kubernetes.io/name=nvidia-device-plugin',
};

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategicPatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const VERSION = /^v\d+\.\d+\.\d+$/;

const log = (message: string) => console.log(`${new Date().toISOString()} ${message}`);

export class UpgradePhysics {
  private readonly core: CoreV1Api;
  private readonly kc: KubeConfig;
  /**
   * Upgrade pods being played or played: a pod list read before a play ended still shows the pod
   * Running and unmarked, and must not play it again. A failed play is released for a retry.
   */
  private readonly claimed = new Set<string>();

  constructor(
    kc: KubeConfig,
    private readonly options: PhysicsOptions,
  ) {
    this.kc = kc;
    this.core = kc.makeApiClient(CoreV1Api);
  }

  /**
   * Plays an upgrade pod as soon as the watch shows it Running; the poll is the safety net (a
   * watch that ended between two events) and restores held and unhealthy nodes.
   */
  async run(signal: AbortSignal): Promise<void> {
    log(`upgrade physics running: ${JSON.stringify(this.options)}`);
    const watching = keepWatching<V1Pod>(
      this.kc,
      '/api/v1/pods',
      { labelSelector: UPGRADE_LABELS.node },
      (pod) => this.playIfDue(pod),
      signal,
      log,
    );
    while (!signal.aborted) {
      try {
        await this.tick();
      } catch (err) {
        log(`tick failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      await sleep(this.options.pollMs).catch(() => undefined);
    }
    await watching;
  }

  async tick(): Promise<void> {
    const [pods, held, unhealthy] = await Promise.all([
      this.core.listPodForAllNamespaces({ labelSelector: UPGRADE_LABELS.node }),
      this.core.listNode({ labelSelector: HELD_LABEL }),
      this.core.listNode({ labelSelector: GPU_UNHEALTHY_LABEL }),
    ]);
    for (const pod of pods.items) this.playIfDue(pod);
    await Promise.all(held.items.map((n) => this.releaseIfFixed(n)));
    await Promise.all(unhealthy.items.map((n) => this.restoreGpusIfPluginRestarted(n)));
  }

  private playIfDue(pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? '';
    // KWOK's pod-ready stage has started it (the kubelet runs the container); KWOK's
    // pod-complete stage leaves these pods to us.
    if (
      pod.status?.phase !== 'Running' ||
      !pod.spec?.nodeName ||
      pod.metadata?.deletionTimestamp ||
      pod.metadata?.annotations?.[UPGRADE_DONE_ANNOTATION] ||
      this.claimed.has(uid)
    ) {
      return;
    }
    this.claimed.add(uid);
    this.upgrade(pod).catch((err: unknown) => {
      log(`${podName(pod)}: ${err instanceof Error ? err.message : String(err)}; retrying`);
      this.claimed.delete(uid);
    });
  }

  /** Plays one upgrade pod: what `kubeadm upgrade apply|node` and the kubelet upgrade do. */
  private async upgrade(pod: V1Pod): Promise<void> {
    const nodeName = pod.spec!.nodeName!;
    const labels = pod.metadata?.labels ?? {};
    const version = labels[UPGRADE_LABELS.version] ?? '';
    const kubeadm = labels[UPGRADE_LABELS.kubeadm];
    log(`${podName(pod)}: upgrading ${nodeName} to ${version} (kubeadm upgrade ${kubeadm})`);
    await sleep(this.options.jobMs);
    const [node, mirrorPods] = await Promise.all([
      this.core.readNode({ name: nodeName }),
      this.controlPlanePods(nodeName),
    ]);
    const fault = node.metadata?.annotations?.[FAULT_ANNOTATION];
    if (fault === 'job-fails') {
      log(`${podName(pod)}: fault job-fails: exit 1, ${nodeName} untouched`);
      return this.finish(pod, 1);
    }
    if (!VERSION.test(version) || (kubeadm !== 'apply' && kubeadm !== 'node')) {
      log(`${podName(pod)}: bad labels version=${version} kubeadm=${kubeadm}: exit 1`);
      return this.finish(pod, 1);
    }
    // `kubeadm upgrade apply` sets the version in kubeadm-config; it, and `kubeadm upgrade node`
    // on a control-plane node, rewrite the node's static pod manifests; the kubelet then replaces
    // their mirror pods (each on its own).
    await Promise.all([
      kubeadm === 'apply' && this.setClusterVersion(version),
      ...mirrorPods.map((p) => this.upgradeStaticPod(p, version)),
    ]);
    await this.restartKubelet(node, version, fault === 'never-ready');
    await this.finish(pod, 0);
    log(`${podName(pod)}: done`);
  }

  private async setClusterVersion(version: string): Promise<void> {
    const cm = await this.core.readNamespacedConfigMap({
      name: 'kubeadm-config',
      namespace: 'kube-system',
    });
    const config = (parse(cm.data?.ClusterConfiguration ?? '') ?? {}) as Record<string, unknown>;
    config.kubernetesVersion = version;
    await this.core.patchNamespacedConfigMap(
      {
        name: 'kubeadm-config',
        namespace: 'kube-system',
        body: {
          metadata: { resourceVersion: cm.metadata?.resourceVersion },
          data: { ClusterConfiguration: stringify(config) },
        },
      },
      mergePatch,
    );
    log(`kubeadm-config: kubernetesVersion ${version}`);
  }

  /** The node's mirror pods of the control-plane components kubeadm upgrades. */
  private async controlPlanePods(nodeName: string): Promise<V1Pod[]> {
    const pods = await this.core.listNamespacedPod({
      namespace: 'kube-system',
      fieldSelector: `spec.nodeName=${nodeName}`,
      labelSelector: 'tier=control-plane',
    });
    return pods.items.filter((p) =>
      CONTROL_PLANE_COMPONENTS.includes(p.metadata?.labels?.component ?? ''),
    );
  }

  private async upgradeStaticPod(pod: V1Pod, version: string): Promise<void> {
    const containers = pod.spec?.containers ?? [];
    const images = containers.map((c) => withTag(c.image ?? '', version));
    const name = pod.metadata!.name!;
    await this.core.patchNamespacedPod(
      {
        name,
        namespace: 'kube-system',
        body: {
          spec: { containers: containers.map((c, i) => ({ name: c.name, image: images[i] })) },
        },
      },
      strategicPatch,
    );
    await this.core.patchNamespacedPodStatus(
      {
        name,
        namespace: 'kube-system',
        body: {
          status: {
            containerStatuses: (pod.status?.containerStatuses ?? []).map((s) => ({
              name: s.name,
              image: images[containers.findIndex((c) => c.name === s.name)] ?? s.image,
            })),
          },
        },
      },
      strategicPatch,
    );
    log(`${name}: image ${images.join(', ')}`);
  }

  /**
   * The kubelet restart: KWOK stops playing the node (the kubelet label says stopped), the node
   * posts Ready=False, and it comes back with the new version; a GPU node's device plugin loses
   * its registration, so allocatable GPUs drop to 0 until its pod is restarted.
   */
  private async restartKubelet(node: V1Node, version: string, neverReady: boolean) {
    const name = node.metadata!.name!;
    const gpus = gpuCount(node);
    const gpuNode = gpus > 0 || node.metadata?.labels?.[GPU_PRESENT_LABEL] === 'true';
    const annotations = node.metadata?.annotations ?? {};
    const outage: GpuOutage | undefined =
      gpuNode && !annotations[GPU_OUTAGE_ANNOTATION]
        ? { gpus: String(gpus), stalePluginPods: await this.pluginPodUids(name) }
        : undefined;
    await this.core.patchNode(
      {
        name,
        body: {
          metadata: {
            labels: {
              [KUBELET_LABEL.key]: KUBELET_LABEL.stopped,
              ...(neverReady ? { [HELD_LABEL]: 'true' } : {}),
              ...(gpuNode ? { [GPU_UNHEALTHY_LABEL]: 'true' } : {}),
            },
            annotations: outage ? { [GPU_OUTAGE_ANNOTATION]: JSON.stringify(outage) } : {},
          },
        },
      },
      mergePatch,
    );
    await this.core.patchNodeStatus(
      {
        name,
        body: {
          status: {
            conditions: [kubeletStartingCondition('kubelet is restarting (lab upgrade physics)')],
            nodeInfo: { kubeletVersion: version, kubeProxyVersion: version },
            ...(gpuNode ? { allocatable: { [GPU_RESOURCE]: '0' } } : {}),
          },
        },
      },
      strategicPatch,
    );
    log(`${name}: kubelet restarting, now ${version}${gpuNode ? ', GPUs unhealthy' : ''}`);
    if (neverReady) {
      log(`${name}: fault never-ready: the kubelet stays down`);
      return;
    }
    await sleep(this.options.restartMs);
    await this.startKubelet(name);
    // KWOK, managing the node again, plays node-initialize: Ready. Only then does the kubelet
    // report the upgrade pod's exit, so the Job completes after the node is back.
    const back = Date.now();
    await untilWatched<V1Node>(
      this.kc,
      `${name} Ready after the kubelet restart`,
      '/api/v1/nodes',
      { fieldSelector: `metadata.name=${name}` },
      (n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      60_000,
    );
    log(`${name}: Ready ${Date.now() - back} ms after the kubelet started`);
  }

  private async startKubelet(name: string, extraLabels: Record<string, null> = {}) {
    await this.core.patchNode(
      {
        name,
        body: {
          metadata: { labels: { [KUBELET_LABEL.key]: KUBELET_LABEL.running, ...extraLabels } },
        },
      },
      mergePatch,
    );
    log(`${name}: kubelet running`);
  }

  /** A node held down by `never-ready` comes back once the test clears the fault. */
  private async releaseIfFixed(node: V1Node): Promise<void> {
    if (node.metadata?.annotations?.[FAULT_ANNOTATION] === 'never-ready') return;
    await this.startKubelet(node.metadata!.name!, { [HELD_LABEL]: null });
  }

  private async restoreGpusIfPluginRestarted(node: V1Node): Promise<void> {
    const name = node.metadata!.name!;
    const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (!ready) return;
    const raw = node.metadata?.annotations?.[GPU_OUTAGE_ANNOTATION];
    const outage = raw ? (JSON.parse(raw) as GpuOutage) : { gpus: '0', stalePluginPods: [] };
    const pods = await this.core.listNamespacedPod({
      namespace: this.options.pluginNamespace,
      labelSelector: this.options.pluginSelector,
      fieldSelector: `spec.nodeName=${name}`,
    });
    const fresh = pods.items.find(
      (p) =>
        !outage.stalePluginPods.includes(p.metadata?.uid ?? '') &&
        !p.metadata?.deletionTimestamp &&
        p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    if (!fresh) return;
    await this.core.patchNodeStatus(
      { name, body: { status: { allocatable: { [GPU_RESOURCE]: outage.gpus } } } },
      strategicPatch,
    );
    await this.core.patchNode(
      {
        name,
        body: {
          metadata: {
            labels: { [GPU_UNHEALTHY_LABEL]: null },
            annotations: { [GPU_OUTAGE_ANNOTATION]: null },
          },
        },
      },
      mergePatch,
    );
    log(`${name}: device plugin ${podName(fresh)} registered, ${outage.gpus} GPUs allocatable`);
  }

  private async pluginPodUids(node: string): Promise<string[]> {
    const pods = await this.core.listNamespacedPod({
      namespace: this.options.pluginNamespace,
      labelSelector: this.options.pluginSelector,
      fieldSelector: `spec.nodeName=${node}`,
    });
    return pods.items.map((p) => p.metadata?.uid ?? '');
  }

  /** The upgrade container exits: the pod succeeds (0) or fails; the Job controller sees it. */
  private async finish(pod: V1Pod, exitCode: number): Promise<void> {
    const now = new Date().toISOString();
    const reason = exitCode === 0 ? 'Completed' : 'Error';
    const running = new Map(
      (pod.status?.containerStatuses ?? []).map((s) => [s.name, s.state?.running?.startedAt]),
    );
    const name = pod.metadata!.name!;
    const namespace = pod.metadata!.namespace!;
    const marked = this.core.patchNamespacedPod(
      {
        name,
        namespace,
        body: { metadata: { annotations: { [UPGRADE_DONE_ANNOTATION]: 'true' } } },
      },
      mergePatch,
    );
    const exited = this.core.patchNamespacedPodStatus(
      {
        name,
        namespace,
        body: {
          status: {
            phase: exitCode === 0 ? 'Succeeded' : 'Failed',
            conditions: ['Ready', 'ContainersReady'].map((type) => ({
              type,
              status: 'False',
              reason: exitCode === 0 ? 'PodCompleted' : 'PodFailed',
              lastTransitionTime: now,
            })),
            containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
              name: c.name,
              image: c.image,
              imageID: '',
              ready: false,
              started: false,
              restartCount: 0,
              state: {
                terminated: {
                  exitCode,
                  reason,
                  startedAt: running.get(c.name) ?? now,
                  finishedAt: now,
                },
              },
            })),
          },
        },
      },
      strategicPatch,
    );
    // Both at once: the mark only keeps a restarted physics from playing a Running pod again.
    await Promise.all([marked, exited]);
  }
}

function gpuCount(node: V1Node): number {
  const allocatable = Number(node.status?.allocatable?.[GPU_RESOURCE] ?? 0);
  return allocatable > 0 ? allocatable : Number(node.status?.capacity?.[GPU_RESOURCE] ?? 0);
}

/** `registry.k8s.io/kube-apiserver:v1.31.14` with tag `v1.32.0`. */
function withTag(image: string, tag: string): string {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return `${colon > slash ? image.slice(0, colon) : image}:${tag}`;
}

const podName = (p: V1Pod) => `${p.metadata?.namespace}/${p.metadata?.name}`;

async function main(argv: string[], stop: AbortSignal): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      'restart-ms': { type: 'string' },
      'job-ms': { type: 'string' },
    },
  });
  if (!values.kubeconfig)
    throw new Error('usage: physics.ts --kubeconfig F [--restart-ms N] [--job-ms N]');
  const kc = new KubeConfig();
  kc.loadFromFile(values.kubeconfig);
  const options: PhysicsOptions = {
    ...DEFAULT_PHYSICS,
    ...(values['restart-ms'] ? { restartMs: Number(values['restart-ms']) } : {}),
    ...(values['job-ms'] ? { jobMs: Number(values['job-ms']) } : {}),
  };
  // The lease keeper works around a KWOK bug that upgrades trigger (lab/lease-keeper.ts).
  await Promise.all([new UpgradePhysics(kc, options).run(stop), keepLeases(kc, stop)]);
}

if (require.main === module) runDaemon(main);
