// Node upgrades as Jobs pinned to the node (as the system-upgrade-controller does): one Job name
// per node and version, so a retried activity never starts a second upgrade of the same node.
import type { V1Job } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { orNotFound, statusCode } from './api-errors';
import type { Clusters } from './clusters';

export const UPGRADE_NAMESPACE = 'steward-system';
export const UPGRADE_LABELS = {
  node: 'steward.dev/upgrade-node',
  version: 'steward.dev/upgrade-version',
  kubeadm: 'steward.dev/kubeadm',
};

/** Runs on the host (chroot /host): kubeadm first, then the kubelet, as kubeadm's upgrade guide says. */
export const DEFAULT_UPGRADE_SCRIPT = `set -eu
v="\${KUBERNETES_VERSION#v}"
chroot /host /bin/sh -eu -c "
  apt-get update -q
  apt-get install -y -q --allow-change-held-packages kubeadm=$v-*
  if [ '$KUBEADM_MODE' = apply ]; then kubeadm upgrade apply -y v$v; else kubeadm upgrade node; fi
  apt-get install -y -q --allow-change-held-packages kubelet=$v-* kubectl=$v-*
  apt-mark hold kubeadm kubelet kubectl
  systemctl daemon-reload
  systemctl restart kubelet
"`;

export interface UpgradeJobInput {
  cluster: string;
  node: string;
  version: string;
  kubeadm: 'apply' | 'node';
  image: string;
  script?: string;
}

export type JobState =
  { state: 'running' } | { state: 'succeeded' } | { state: 'failed'; reason: string };

/** A DNS-label name from node and version; long node names keep a hash so names stay unique. */
export function upgradeJobName(node: string, version: string): string {
  const name = `upgrade-${node}-${version.replace(/\./g, '-')}`.replace(/[^a-z0-9-]/g, '-');
  if (name.length <= 63) return name;
  let hash = 0x811c9dc5;
  for (const ch of name) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return `${name.slice(0, 54)}-${hash.toString(16).padStart(8, '0')}`;
}

function upgradeJob(input: UpgradeJobInput): V1Job {
  const labels = {
    [UPGRADE_LABELS.node]: input.node,
    [UPGRADE_LABELS.version]: input.version,
    [UPGRADE_LABELS.kubeadm]: input.kubeadm,
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: upgradeJobName(input.node, input.version),
      namespace: UPGRADE_NAMESPACE,
      labels,
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: 1800,
      template: {
        metadata: { labels },
        spec: {
          // Bound to the node directly: it must run there although the node is cordoned.
          nodeName: input.node,
          restartPolicy: 'Never',
          hostPID: true,
          tolerations: [{ operator: 'Exists' }],
          containers: [
            {
              name: 'upgrade',
              image: input.image,
              command: ['/bin/sh', '-c', input.script ?? DEFAULT_UPGRADE_SCRIPT],
              env: [
                { name: 'KUBERNETES_VERSION', value: input.version },
                { name: 'KUBEADM_MODE', value: input.kubeadm },
              ],
              securityContext: { privileged: true },
              volumeMounts: [{ name: 'host', mountPath: '/host' }],
            },
          ],
          volumes: [{ name: 'host', hostPath: { path: '/' } }],
        },
      },
    },
  };
}

export function upgradeJobActivities(clusters: Clusters) {
  return {
    /** Creates the node's upgrade Job unless it exists; returns its name and whether it was created now. */
    async ensureUpgradeJob(input: UpgradeJobInput): Promise<{ name: string; created: boolean }> {
      const { core, batch } = clusters.apis(input.cluster);
      const job = upgradeJob(input);
      const name = job.metadata!.name!;
      /** False when a Job of that name exists. */
      const createJob = async (): Promise<boolean> => {
        try {
          await batch.createNamespacedJob({ namespace: UPGRADE_NAMESPACE, body: job });
          return true;
        } catch (err) {
          if (statusCode(err) === 409) return false;
          throw err;
        }
      };
      const createNamespace = async () => {
        try {
          await core.createNamespace({ body: { metadata: { name: UPGRADE_NAMESPACE } } });
        } catch (err) {
          if (statusCode(err) !== 409) throw err;
        }
      };
      // The namespace is there after the first upgrade: created only when the Job's create says
      // it is missing, not with a round trip before every Job.
      const created = await createJob().catch(async (err: unknown) => {
        if (statusCode(err) !== 404) throw err;
        await createNamespace();
        return createJob();
      });
      if (created) return { name, created: true };
      const existing = await batch.readNamespacedJob({ namespace: UPGRADE_NAMESPACE, name });
      const labels = existing.metadata?.labels ?? {};
      if (
        labels[UPGRADE_LABELS.node] !== input.node ||
        labels[UPGRADE_LABELS.version] !== input.version
      ) {
        throw ApplicationFailure.nonRetryable(
          `Job ${UPGRADE_NAMESPACE}/${name} exists but is not the upgrade of ${input.node} to ${input.version}`,
          'JobNameTaken',
        );
      }
      return { name, created: false };
    },

    /**
     * The Job's state; succeeded as soon as its pod has, before the Job controller marks the Job
     * Complete (about a second later, on the critical path of every node).
     */
    async upgradeJobState({ cluster, name }: { cluster: string; name: string }): Promise<JobState> {
      const { batch, core } = clusters.apis(cluster);
      const job = await batch.readNamespacedJob({ namespace: UPGRADE_NAMESPACE, name });
      const condition = (type: string) =>
        job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
      if (condition('Complete')) return { state: 'succeeded' };
      const failed = condition('Failed');
      if (failed)
        return {
          state: 'failed',
          reason: `${failed.reason ?? 'Failed'}: ${failed.message ?? ''}`.trim(),
        };
      // The Job's own selector (its controller-uid) never matches a pod of a deleted namesake.
      const selector = job.spec?.selector?.matchLabels ?? {};
      const pods = await core.listNamespacedPod({
        namespace: UPGRADE_NAMESPACE,
        labelSelector: Object.entries(selector)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      });
      const succeeded =
        Object.keys(selector).length > 0 && pods.items.some((p) => p.status?.phase === 'Succeeded');
      return succeeded ? { state: 'succeeded' } : { state: 'running' };
    },

    /** Removes a failed Job (and, in the background, its pod) so that an operator's retry can run it anew. */
    async deleteUpgradeJob({ cluster, name }: { cluster: string; name: string }): Promise<void> {
      await orNotFound(
        clusters.apis(cluster).batch.deleteNamespacedJob({
          namespace: UPGRADE_NAMESPACE,
          name,
          propagationPolicy: 'Background',
        }),
      );
    },
  };
}
