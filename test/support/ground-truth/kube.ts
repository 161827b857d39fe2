// Kubernetes beside a run: samplers of each PodDisruptionBudget's pods (Ready or not, from the
// pods themselves rather than the budget's lagging status) and of the nodes' cordons, and Helm's
// releases as the cluster stores them (one Secret per revision).
import { gunzipSync } from 'node:zlib';
import {
  CoreV1Api,
  KubeConfig,
  PolicyV1Api,
  type V1Node,
  type V1Pod,
  type V1PodDisruptionBudget,
} from '@kubernetes/client-node';
import { selectorMatches } from '../../../activities/kubernetes/label-selector';
import { CORDONED_BY_ANNOTATION } from '../../../activities/kubernetes/nodes';
import type { HelmRevision, NodeSample, PdbSample } from './records';
import { startSampler } from './sampler';

function apis(kubeconfigPath: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return { core: kc.makeApiClient(CoreV1Api), policy: kc.makeApiClient(PolicyV1Api) };
}

const scaled = (value: number | string, total: number) =>
  typeof value === 'number' ? value : Math.ceil((parseInt(value, 10) * total) / 100);

/** The Ready pods a budget needs, with `expected` pods under its controllers. */
export function requiredReady(pdb: V1PodDisruptionBudget, expected: number): number {
  const spec = pdb.spec ?? {};
  if (spec.minAvailable !== undefined) return scaled(spec.minAvailable, expected);
  if (spec.maxUnavailable !== undefined)
    return Math.max(0, expected - scaled(spec.maxUnavailable, expected));
  return 0;
}

export const podReady = (pod: V1Pod) =>
  !pod.metadata?.deletionTimestamp &&
  (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** One look at every budget: its selected pods and what it requires. */
export function pdbSamples(at: string, pdbs: V1PodDisruptionBudget[], pods: V1Pod[]): PdbSample[] {
  return pdbs.map((pdb) => {
    const namespace = pdb.metadata?.namespace ?? '';
    const selected = pods.filter(
      (p) =>
        p.metadata?.namespace === namespace &&
        selectorMatches(pdb.spec?.selector, p.metadata?.labels ?? {}),
    );
    // The controllers' scale, as the disruption controller counts it: an evicted pod still
    // terminating beside its replacement is not one more expected pod.
    const expected =
      pdb.status?.expectedPods || selected.filter((p) => !p.metadata?.deletionTimestamp).length;
    return {
      at,
      namespace,
      name: pdb.metadata?.name ?? '',
      required: requiredReady(pdb, expected),
      pods: selected.map((p) => ({ name: p.metadata?.name ?? '', ready: podReady(p) })),
    };
  });
}

/** Samples every PodDisruptionBudget of the cluster every `intervalMs`. */
export function samplePdbs(kubeconfigPath: string, intervalMs = 200) {
  const { core, policy } = apis(kubeconfigPath);
  return startSampler<PdbSample>(intervalMs, async () => {
    const at = new Date().toISOString();
    const [pdbs, pods] = await Promise.all([
      policy.listPodDisruptionBudgetForAllNamespaces(),
      core.listPodForAllNamespaces(),
    ]);
    return pdbSamples(at, pdbs.items, pods.items);
  });
}

/** One look at the nodes' cordons. */
export const nodeSample = (at: string, nodes: V1Node[]): NodeSample => ({
  at,
  nodes: nodes.map((n) => ({
    name: n.metadata?.name ?? '',
    unschedulable: n.spec?.unschedulable === true,
    ...(n.metadata?.annotations?.[CORDONED_BY_ANNOTATION] && {
      cordonedBy: n.metadata.annotations[CORDONED_BY_ANNOTATION],
    }),
  })),
});

/** Samples the nodes' cordons every `intervalMs`. */
export function sampleNodes(kubeconfigPath: string, intervalMs = 200) {
  const { core } = apis(kubeconfigPath);
  return startSampler<NodeSample>(intervalMs, async () => [
    nodeSample(new Date().toISOString(), (await core.listNode()).items),
  ]);
}

/** Helm's release record inside a release Secret's `release` key (base64 of gzipped JSON). */
export function helmRelease(data: string): {
  name: string;
  namespace: string;
  version: number;
  info: { status: string; last_deployed: string };
  chart: { metadata: { version: string } };
} {
  const helmEncoded = Buffer.from(data, 'base64').toString('utf8');
  return JSON.parse(gunzipSync(Buffer.from(helmEncoded, 'base64')).toString('utf8'));
}

/** Every revision of every Helm release in the cluster, oldest first. */
export async function helmRevisions(kubeconfigPath: string): Promise<HelmRevision[]> {
  const { items } = await apis(kubeconfigPath).core.listSecretForAllNamespaces({
    labelSelector: 'owner=helm',
  });
  return items
    .filter((s) => s.data?.release)
    .map((s) => {
      const r = helmRelease(s.data!.release);
      return {
        namespace: r.namespace,
        release: r.name,
        revision: r.version,
        chartVersion: r.chart.metadata.version,
        status: r.info.status,
        at: r.info.last_deployed,
      };
    })
    .sort((a, b) => a.at.localeCompare(b.at) || a.revision - b.revision);
}
