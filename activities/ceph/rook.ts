// Rook as the Kubernetes API shows it (the CephCluster, the operator's rollout, the daemon
// Deployments' version labels, the operator's Helm release) and the two changes an upgrade
// makes: the operator's chart version (helm) and the CephCluster's Ceph image. Both changes read
// first and do nothing when the cluster is already there.
import { PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { helmContext, runHelm } from '../common/helm';
import { invalidInput } from '../../workflows/api';
import type { RookDaemon } from '../../workflows/policy/rook-upgrade';
import { notCephImage, notRookVersion } from '../../workflows/policy/rook-version';
import { statusMessage } from '../kubernetes/api-errors';
import type { ClusterConfig, Clusters } from '../kubernetes/clusters';

export interface RookConfig {
  /** Namespace of the operator, its release and the CephCluster (default rook-ceph). */
  namespace?: string;
  /** The CephCluster's name (default rook-ceph). */
  cephCluster?: string;
  /** The operator's Deployment (default rook-ceph-operator). */
  operator?: string;
  /** The operator's Helm release: `helm upgrade RELEASE CHART --repo REPO --version V`. */
  helm: { repo: string; release?: string; chart?: string };
}

export interface RookClusterFacts {
  cephCluster: {
    image?: string;
    phase?: string;
    message?: string;
    /** status.ceph.health and its checks as Rook last saw them. */
    health?: string;
    healthDetails: Record<string, { severity: string; message: string }>;
    /** status.version: the image Rook last finished orchestrating, and its version. */
    version?: { image: string; version: string };
    /** status.ceph.versions: per daemon type, how many daemons run which version. */
    versions: Record<string, Record<string, number>>;
    generation?: number;
    observedGeneration?: number;
  };
  operator: {
    image?: string;
    /** The image tag, Rook's version (v1.15.3). */
    version?: string;
    /** spec.replicas: 0 while an upgrade has stopped Rook's roll. */
    replicas: number;
    /** The Deployment's rollout finished: every replica updated and available. */
    rolledOut: boolean;
  };
  daemons: RookDaemon[];
}

export interface HelmRelease {
  revision: number;
  status: string;
  /** rook-ceph-v1.15.3 */
  chart: string;
  appVersion: string;
}

interface CephClusterObject {
  metadata: { generation?: number };
  spec?: { cephVersion?: { image?: string } };
  status?: {
    phase?: string;
    message?: string;
    version?: { image: string; version: string };
    ceph?: {
      health?: string;
      details?: Record<string, { severity: string; message: string }>;
      versions?: Record<string, Record<string, number>>;
    };
    observedGeneration?: number;
  };
}

const rolledOut = (d: V1Deployment): boolean => {
  const want = d.spec?.replicas ?? 1;
  const s = d.status;
  return (
    (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
    s?.updatedReplicas === want &&
    s?.availableReplicas === want &&
    s?.replicas === want
  );
};

/**
 * A daemon Deployment's group: its ceph_daemon_type (mon, mgr, osd, mds, rgw, nfs, rbd-mirror);
 * Rook labels crash collectors only `app: rook-ceph-crashcollector`. '' for other Deployments.
 */
const daemonType = (labels: Record<string, string>): string =>
  labels['ceph_daemon_type'] ??
  (labels['app'] === 'rook-ceph-crashcollector' ? 'crashcollector' : '');

const tagOf = (image: string | undefined) => (image ? /:([^:/]+)$/.exec(image)?.[1] : undefined);

export function rookActivities(clusters: Clusters, helmBinary: string, timeoutMs: number) {
  const rook = (cluster: string) => {
    const config = clusters.config(cluster);
    if (!config.rook) throw invalidInput('cluster', `no Rook configured for cluster "${cluster}"`);
    const r = config.rook;
    return {
      namespace: r.namespace ?? 'rook-ceph',
      cephCluster: r.cephCluster ?? 'rook-ceph',
      operator: r.operator ?? 'rook-ceph-operator',
      release: r.helm.release ?? 'rook-ceph',
      chart: r.helm.chart ?? 'rook-ceph',
      repo: r.helm.repo,
      kube: config,
    };
  };
  const cephClusterRef = (r: ReturnType<typeof rook>) => ({
    group: 'ceph.rook.io',
    version: 'v1',
    namespace: r.namespace,
    plural: 'cephclusters',
    name: r.cephCluster,
  });
  const readCephCluster = async (cluster: string) => {
    const r = rook(cluster);
    try {
      return (await clusters
        .apis(cluster)
        .custom.getNamespacedCustomObject(cephClusterRef(r))) as CephClusterObject;
    } catch (err) {
      throw new Error(`CephCluster ${r.namespace}/${r.cephCluster}: ${statusMessage(err)}`);
    }
  };
  const helm = (kube: ClusterConfig, args: string[]) =>
    runHelm(helmBinary, [...args, ...helmContext(kube)], timeoutMs);
  const release = async (cluster: string): Promise<HelmRelease | undefined> => {
    const r = rook(cluster);
    const out = await helm(r.kube, [
      'list',
      '--namespace',
      r.namespace,
      '--filter',
      `^${r.release}$`,
      '--all',
      '--output',
      'json',
    ]);
    const found = (
      JSON.parse(out) as {
        name: string;
        revision: string;
        status: string;
        chart: string;
        app_version: string;
      }[]
    ).find((x) => x.name === r.release);
    return found
      ? {
          revision: Number(found.revision),
          status: found.status,
          chart: found.chart,
          appVersion: found.app_version,
        }
      : undefined;
  };

  /** A release left pending-upgrade (-install, -rollback) and the exact command out of it. */
  const pendingWayOut = async (r: ReturnType<typeof rook>, current: HelmRelease) => {
    const history = JSON.parse(
      await helm(r.kube, ['history', r.release, '--namespace', r.namespace, '--output', 'json']),
    ) as { revision: number | string; status: string; chart: string }[];
    const back = history
      .filter((h) => Number(h.revision) < current.revision)
      .filter((h) => h.status === 'deployed' || h.status === 'superseded')
      .at(-1);
    const context = r.kube.context ? ` --kube-context ${r.kube.context}` : '';
    const wayOut = back
      ? `once no helm works on it, run \`helm rollback ${r.release} ${back.revision} --namespace ${r.namespace}${context}\` (back to ${back.chart}), then retry`
      : `it has no earlier deployed revision: see \`helm history ${r.release} --namespace ${r.namespace}${context}\``;
    return `Helm release ${r.release} in namespace ${r.namespace} is ${current.status} at revision ${current.revision} (${current.chart}): a helm operation on it was interrupted, or is still running; Steward does not roll it back by itself; ${wayOut}`;
  };

  return {
    /** The CephCluster, the operator's rollout and version, and every daemon's version labels. */
    async readRookCluster({ cluster }: { cluster: string }): Promise<RookClusterFacts> {
      const r = rook(cluster);
      const { apps } = clusters.apis(cluster);
      const [cc, operator, daemons] = await Promise.all([
        readCephCluster(cluster),
        apps.readNamespacedDeployment({ name: r.operator, namespace: r.namespace }).catch((err) => {
          throw new Error(`Deployment ${r.namespace}/${r.operator}: ${statusMessage(err)}`);
        }),
        apps.listNamespacedDeployment({
          namespace: r.namespace,
          labelSelector: `rook_cluster=${r.namespace}`,
        }),
      ]);
      const operatorImage = operator.spec?.template.spec?.containers[0]?.image;
      return {
        cephCluster: {
          image: cc.spec?.cephVersion?.image,
          phase: cc.status?.phase,
          message: cc.status?.message,
          health: cc.status?.ceph?.health,
          healthDetails: cc.status?.ceph?.details ?? {},
          version: cc.status?.version,
          versions: cc.status?.ceph?.versions ?? {},
          generation: cc.metadata.generation,
          observedGeneration: cc.status?.observedGeneration,
        },
        operator: {
          image: operatorImage,
          version: tagOf(operatorImage),
          replicas: operator.spec?.replicas ?? 1,
          rolledOut: rolledOut(operator),
        },
        daemons: daemons.items
          .map((d) => {
            const labels = d.metadata?.labels ?? {};
            return {
              deployment: d.metadata?.name ?? '',
              type: daemonType(labels),
              id: labels['ceph_daemon_id'] ?? '',
              rookVersion: labels['rook-version'],
              cephVersion: labels['ceph-version'],
              image: d.spec?.template.spec?.containers[0]?.image,
              rolledOut: rolledOut(d),
            };
          })
          .filter((d) => d.type !== '')
          .sort((a, b) => a.deployment.localeCompare(b.deployment)),
      };
    },

    /** The operator's Helm release as `helm list` reports it, or undefined when none. */
    readRookRelease: ({ cluster }: { cluster: string }) => release(cluster),

    /**
     * `helm upgrade` of the operator's release to chart `version`, keeping the values it was
     * installed with; nothing when the release is already deployed at that version.
     */
    async upgradeRookOperator({
      cluster,
      version,
    }: {
      cluster: string;
      version: string;
    }): Promise<{ changed: boolean; from: string; to: string }> {
      const notVersion = notRookVersion(version);
      if (notVersion) throw invalidInput('version', notVersion);
      const r = rook(cluster);
      const current = await release(cluster);
      if (!current) {
        throw new Error(`no Helm release ${r.release} in namespace ${r.namespace} to upgrade`);
      }
      // No rollback by Steward: a pending release may still be in a live helm's hands (a
      // person's, or ours whose worker died mid-call), and a rollback would race it.
      if (current.status.startsWith('pending-')) throw new Error(await pendingWayOut(r, current));
      const target = `${r.chart}-${version}`;
      if (current.chart === target && current.status === 'deployed') {
        return { changed: false, from: current.chart, to: target };
      }
      await helm(r.kube, [
        'upgrade',
        r.release,
        r.chart,
        '--repo',
        r.repo,
        '--version',
        version,
        '--namespace',
        r.namespace,
        // The values the release was installed with, on the new chart's defaults.
        '--reset-then-reuse-values',
      ]);
      return { changed: true, from: current.chart, to: target };
    },

    /**
     * Scales the operator's Deployment to `replicas`: 0 stops Rook's roll where it is (a daemon
     * being restarted comes back by itself), 1 lets it go on. Returns the replicas it had.
     */
    async scaleRookOperator({
      cluster,
      replicas,
    }: {
      cluster: string;
      replicas: number;
    }): Promise<{ changed: boolean; from: number }> {
      const r = rook(cluster);
      const { apps } = clusters.apis(cluster);
      const where = `Deployment ${r.namespace}/${r.operator}`;
      try {
        const scale = await apps.readNamespacedDeploymentScale({
          name: r.operator,
          namespace: r.namespace,
        });
        const from = scale.spec?.replicas ?? 0;
        if (from === replicas) return { changed: false, from };
        await apps.patchNamespacedDeploymentScale(
          { name: r.operator, namespace: r.namespace, body: { spec: { replicas } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        return { changed: true, from };
      } catch (err) {
        throw new Error(`${where}: ${statusMessage(err)}`);
      }
    },

    /** Sets the CephCluster's spec.cephVersion.image; nothing when it already is `image`. */
    async setCephImage({
      cluster,
      image,
    }: {
      cluster: string;
      image: string;
    }): Promise<{ changed: boolean; from?: string }> {
      const notImage = notCephImage(image);
      if (notImage) throw invalidInput('image', notImage);
      const from = (await readCephCluster(cluster)).spec?.cephVersion?.image;
      if (from === image) return { changed: false, from };
      const r = rook(cluster);
      try {
        await clusters
          .apis(cluster)
          .custom.patchNamespacedCustomObject(
            { ...cephClusterRef(r), body: { spec: { cephVersion: { image } } } },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          );
      } catch (err) {
        throw new Error(`CephCluster ${r.namespace}/${r.cephCluster}: ${statusMessage(err)}`);
      }
      return { changed: true, from };
    },
  };
}
