// The Tigera operator migration's two activities: install the operator from its Helm chart (a
// chart repository or a path, as the cluster's configuration says; release `calico` in
// namespace tigera-operator, as Yaook installs it) and create the Installation `default` with an
// empty spec, which makes the operator adopt the manifest-based Calico it finds in kube-system
// (Calico's "Migrate Calico to an operator-managed installation"); and read how far that got.
// Both are safe to repeat: `helm upgrade --install` of the same chart changes nothing, and an
// Installation already there is left as it is.
import { ApplicationFailure } from '@temporalio/common';
import type { TigeraMigrationFacts } from '../../workflows/policy/tigera-migration';
import { helmContext, runHelm } from '../common/helm';
import { orNotFound, statusCode } from './api-errors';
import type { Clusters } from './clusters';

/** Where the Tigera operator's chart comes from: a repository, or a path when no repo is set. */
export interface TigeraConfig {
  helm: { chart?: string; repo?: string; version?: string; release?: string };
}

export const TIGERA_NAMESPACE = 'tigera-operator';
const INSTALLATION = { group: 'operator.tigera.io', version: 'v1', plural: 'installations' };
const TIGERA_STATUS = { group: 'operator.tigera.io', version: 'v1', plural: 'tigerastatuses' };

/** Whether `create` made the object; false when it was already there. */
const ignoreConflict = (create: Promise<unknown>): Promise<boolean> =>
  create.then(
    () => true,
    (err: unknown) => {
      if (statusCode(err) === 409) return false;
      throw err;
    },
  );

interface Condition {
  type: string;
  status: string;
  message?: string;
}

export function tigeraActivities(clusters: Clusters, helmBinary: string, timeoutMs: number) {
  const chartOf = (cluster: string) => {
    const config = clusters.config(cluster);
    const helm = config.tigera?.helm;
    if (!helm) {
      throw ApplicationFailure.nonRetryable(
        `no Tigera operator chart configured for cluster "${cluster}": set clusters.${cluster}.tigera.helm (a chart repository, or the chart's path), or migrate by hand and skip this step`,
        'TigeraNotConfigured',
      );
    }
    const chart = helm.chart ?? 'tigera-operator';
    const from = helm.repo ? ['--repo', helm.repo] : [];
    const version = helm.version ? ['--version', helm.version] : [];
    return { kube: config, release: helm.release ?? 'calico', args: [chart, ...from, ...version] };
  };

  return {
    /** `helm upgrade --install` of the operator, then the Installation that starts the migration. */
    async installTigeraOperator({ cluster }: { cluster: string }): Promise<{ summary: string }> {
      const c = chartOf(cluster);
      const { core, custom } = clusters.apis(cluster);
      const namespace = { metadata: { name: TIGERA_NAMESPACE } };
      if (!(await orNotFound(core.readNamespace({ name: TIGERA_NAMESPACE })))) {
        await ignoreConflict(core.createNamespace({ body: namespace }));
      }
      await runHelm(
        helmBinary,
        [
          'upgrade',
          '--install',
          c.release,
          ...c.args,
          '--namespace',
          TIGERA_NAMESPACE,
          // The Installation is Steward's, with an empty spec: the operator fills it from what runs.
          '--set',
          'installation.enabled=false',
          '--wait',
          '--timeout',
          `${Math.floor(timeoutMs / 1000) - 10}s`,
          ...helmContext(c.kube),
        ],
        timeoutMs,
      );
      const body = {
        apiVersion: 'operator.tigera.io/v1',
        kind: 'Installation',
        metadata: { name: 'default' },
        spec: {},
      };
      const created = await ignoreConflict(
        custom.createClusterCustomObject({ ...INSTALLATION, body }),
      );
      return {
        summary: `Tigera operator (release ${c.release}) installed; Installation default ${created ? 'created' : 'already there'}`,
      };
    },

    async readTigeraMigration({ cluster }: { cluster: string }): Promise<TigeraMigrationFacts> {
      const { core, apps, custom } = clusters.apis(cluster);
      const [installation, status, calicoSystem, nodes, left] = await Promise.all([
        orNotFound(custom.getClusterCustomObject({ ...INSTALLATION, name: 'default' })),
        orNotFound(
          custom.getClusterCustomObject({ ...TIGERA_STATUS, name: 'calico' }) as Promise<{
            status?: { conditions?: Condition[] };
          }>,
        ),
        orNotFound(
          apps.readNamespacedDaemonSet({ namespace: 'calico-system', name: 'calico-node' }),
        ),
        core.listNode(),
        manifestCalicoLeft(clusters, cluster),
      ]);
      const available = status?.status?.conditions?.find((c) => c.type === 'Available');
      return {
        installation: installation !== undefined,
        ...(available && { available: { status: available.status, message: available.message } }),
        ...(calicoSystem && {
          calicoSystem: {
            desired: calicoSystem.status?.desiredNumberScheduled ?? 0,
            ready: calicoSystem.status?.numberReady ?? 0,
          },
        }),
        nodes: nodes.items.length,
        kubeSystem: left,
      };
    },
  };
}

/** What of a manifest-based Calico is in kube-system: its DaemonSet, Deployments and pods. */
async function manifestCalicoLeft(clusters: Clusters, cluster: string): Promise<string[]> {
  const { core, apps } = clusters.apis(cluster);
  const namespace = 'kube-system';
  const [daemonSet, typha, controllers, pods] = await Promise.all([
    orNotFound(apps.readNamespacedDaemonSet({ namespace, name: 'calico-node' })),
    orNotFound(apps.readNamespacedDeployment({ namespace, name: 'calico-typha' })),
    orNotFound(apps.readNamespacedDeployment({ namespace, name: 'calico-kube-controllers' })),
    core.listNamespacedPod({
      namespace,
      labelSelector: 'k8s-app in (calico-node, calico-typha, calico-kube-controllers)',
    }),
  ]);
  return [
    ...(daemonSet ? ['DaemonSet calico-node'] : []),
    ...(typha ? ['Deployment calico-typha'] : []),
    ...(controllers ? ['Deployment calico-kube-controllers'] : []),
    ...(pods.items.length > 0 ? [`${pods.items.length} calico pods`] : []),
  ];
}
