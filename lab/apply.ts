import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  V1Pod,
} from '@kubernetes/client-node';
import {
  daemonSetObject,
  deploymentObject,
  kubeadmConfigObject,
  mirrorPodObject,
  nodeObject,
  pdbObject,
  podObject,
} from './objects';
import { seedAddons } from './addons';
import { Scenario, scenarioDeployments, scenarioNodes } from './scenario';
import { waitFor } from './wait';

const FIELD_MANAGER = 'steward-lab';
const BUILT_IN_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

export interface ApplyOptions {
  /**
   * How long to wait for nodes and then for every scenario pod to be Ready: by default 180 s, and
   * half a second per node beyond that for dense clusters (a DaemonSet's pod per node).
   */
  timeoutMs?: number;
}

/**
 * Brings the cluster to `scenario` and waits until its nodes and pods are Ready. Safe to run
 * again: Namespaces, Deployments, PDBs and DaemonSets are server-side applied; Nodes, pods and
 * kubeadm-config are only created when missing, so an upgrade done since (a kubelet version,
 * kubernetesVersion in kubeadm-config) is never rolled back.
 */
export async function applyScenario(
  kubeconfigPath: string,
  scenario: Scenario,
  options: ApplyOptions = {},
): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const core = kc.makeApiClient(CoreV1Api);
  const apply = (o: KubernetesObject) =>
    objects.patch(o, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  const createIfMissing = (o: KubernetesObject) =>
    objects.create(o, undefined, undefined, FIELD_MANAGER).catch((err: unknown) => {
      if (!(err instanceof ApiException && err.code === 409)) throw err;
    });

  const nodes = scenarioNodes(scenario);
  const timeoutMs = options.timeoutMs ?? Math.max(180_000, nodes.length * 500);
  const deployments = scenarioDeployments(scenario);
  const namespaces = new Set(
    [
      ...scenario.namespaces,
      ...[...deployments, ...scenario.daemonSets, ...scenario.pods, ...scenario.mirrorPods].map(
        (w) => w.namespace,
      ),
    ].filter((ns) => !BUILT_IN_NAMESPACES.has(ns)),
  );
  await Promise.all(
    [...namespaces].map((name) =>
      apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
    ),
  );
  await Promise.all(nodes.map((n) => createIfMissing(nodeObject(n))));
  await createIfMissing(
    kubeadmConfigObject(
      scenario.kubernetesVersion,
      new URL(kc.getCurrentCluster()?.server ?? '').host,
    ),
  );
  await waitFor(
    'scenario nodes Ready',
    async () => {
      const ready = new Set(
        (await core.listNode()).items
          .filter((n) => conditionTrue(n.status?.conditions, 'Ready'))
          .map((n) => n.metadata?.name),
      );
      const missing = nodes.filter((n) => !ready.has(n.name)).map((n) => n.name);
      return missing.length === 0 || `not Ready: ${missing.join(', ')}`;
    },
    { timeoutMs },
  );
  await seedAddons(kubeconfigPath, scenario.addons);

  const workloads: KubernetesObject[] = [
    ...deployments.flatMap((d) =>
      [deploymentObject(d), pdbObject(d)].filter((o) => o !== undefined),
    ),
    ...scenario.daemonSets.map(daemonSetObject),
  ];
  await Promise.all(workloads.map(apply));

  // The ServiceAccount admission plugin refuses a pod until the controller manager has made
  // its namespace's `default` ServiceAccount.
  const podNamespaces = [...new Set(scenario.pods.map((p) => p.namespace))];
  await Promise.all(
    podNamespaces.map((namespace) =>
      waitFor(`ServiceAccount ${namespace}/default`, async () =>
        Boolean(await core.readNamespacedServiceAccount({ name: 'default', namespace })),
      ),
    ),
  );
  const controlPlane = (await core.listNode()).items.filter((n) =>
    nodes.some((s) => s.role === 'control-plane' && s.name === n.metadata?.name),
  );
  const pods: V1Pod[] = [
    ...scenario.pods.map(podObject),
    ...controlPlane.flatMap((n) =>
      scenario.mirrorPods.map((m) =>
        mirrorPodObject(
          m,
          { name: n.metadata?.name ?? '', uid: n.metadata?.uid ?? '' },
          scenario.kubernetesVersion,
        ),
      ),
    ),
  ];
  await Promise.all(pods.map(createIfMissing));

  await waitFor('scenario workloads Ready', () => scenarioNotReady(kc, workloads, pods), {
    timeoutMs,
  });
}

/** True when every workload and pod is Ready, else a description of what is not. */
async function scenarioNotReady(
  kc: KubeConfig,
  workloads: KubernetesObject[],
  pods: V1Pod[],
): Promise<true | string> {
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const key = (o: KubernetesObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;
  const [deployments, daemonSets, allPods] = await Promise.all([
    apps.listDeploymentForAllNamespaces(),
    apps.listDaemonSetForAllNamespaces(),
    core.listPodForAllNamespaces(),
  ]);
  const byKey = <T extends KubernetesObject>(items: T[]) => new Map(items.map((o) => [key(o), o]));
  const liveDeployments = byKey(deployments.items);
  const liveDaemonSets = byKey(daemonSets.items);
  const livePods = byKey(allPods.items);
  const waiting: string[] = [];
  for (const w of workloads) {
    if (w.kind === 'Deployment') {
      const d = liveDeployments.get(key(w));
      const want = d?.spec?.replicas ?? 0;
      const s = d?.status;
      const done =
        d !== undefined &&
        s?.observedGeneration === d.metadata?.generation &&
        (s?.updatedReplicas ?? 0) === want &&
        (s?.readyReplicas ?? 0) === want &&
        (s?.replicas ?? 0) === want;
      if (!done) waiting.push(`deployment ${key(w)} ${s?.readyReplicas ?? 0}/${want} ready`);
    } else if (w.kind === 'DaemonSet') {
      const d = liveDaemonSets.get(key(w));
      const s = d?.status;
      const done =
        d !== undefined &&
        s?.observedGeneration === d.metadata?.generation &&
        (s?.numberReady ?? 0) === (s?.desiredNumberScheduled ?? 0) &&
        (s?.updatedNumberScheduled ?? 0) === (s?.desiredNumberScheduled ?? 0);
      if (!done)
        waiting.push(
          `daemonset ${key(w)} ${s?.numberReady ?? 0}/${s?.desiredNumberScheduled ?? '?'} ready`,
        );
    }
  }
  for (const p of pods) {
    const live = livePods.get(key(p));
    if (live?.status?.phase !== 'Running' || !conditionTrue(live.status.conditions, 'Ready')) {
      waiting.push(`pod ${key(p)} ${live?.status?.phase ?? 'missing'}`);
    }
  }
  return waiting.length === 0 || waiting.slice(0, 8).join('; ');
}

function conditionTrue(conditions: { type: string; status: string }[] | undefined, type: string) {
  return conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
}
