// Node upgrades as Jobs pinned to the node (as the system-upgrade-controller does): one Job name
// per node and version, so a retried activity never starts a second upgrade of the same node.
import type { CoreV1Api, V1Job } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { orNotFound, statusCode } from './api-errors';
import type { Clusters } from './clusters';
import { currentOperation, recordEvent } from './events';

export const UPGRADE_NAMESPACE = 'steward-system';
/** Pod Security admission lets only a privileged namespace run the upgrade's host-root pods. */
export const UPGRADE_NAMESPACE_LABELS = { 'pod-security.kubernetes.io/enforce': 'privileged' };
const JOB_TTL_SECONDS = 86_400;
export const UPGRADE_LABELS = {
  node: 'steward.dev/upgrade-node',
  version: 'steward.dev/upgrade-version',
  kubeadm: 'steward.dev/kubeadm',
};

/**
 * Runs on the host (chroot /host), as kubeadm's upgrade guide says: point the pkgs.k8s.io
 * repository (one minor per URL) at the target's minor, then kubeadm, `kubeadm upgrade`, and the
 * kubelet and kubectl, each unheld only while it is installed.
 */
export const DEFAULT_UPGRADE_SCRIPT = `exec chroot /host /bin/sh -eu -c '
v="\${KUBERNETES_VERSION#v}"
case "$v" in
  [0-9]*.[0-9]*.[0-9]*) ;;
  *) echo "KUBERNETES_VERSION: not a version: $KUBERNETES_VERSION" >&2; exit 2 ;;
esac
repos="$(grep -l "pkgs\\.k8s\\.io/core:/stable:/v" /etc/apt/sources.list.d/* || true)"
if [ -z "$repos" ]; then
  echo "no pkgs.k8s.io repository in /etc/apt/sources.list.d: add the one kubeadm installs from (the legacy apt.kubernetes.io is frozen)" >&2
  exit 1
fi
for f in $repos; do
  sed -i "s#\\(pkgs\\.k8s\\.io/core:/stable:/v\\)[0-9][0-9]*\\.[0-9][0-9]*/#\\1\${v%.*}/#g" "$f"
done
export DEBIAN_FRONTEND=noninteractive
apt-mark unhold kubeadm
apt-get update -q
apt-get install -y -q "kubeadm=$v-*"
apt-mark hold kubeadm
installed="$(kubeadm version -o short)"
if [ "$installed" != "v$v" ]; then echo "kubeadm is $installed after installing $v" >&2; exit 1; fi
if [ "$KUBEADM_MODE" = apply ]; then kubeadm upgrade apply -y "v$v"; else kubeadm upgrade node; fi
apt-mark unhold kubelet kubectl
apt-get install -y -q "kubelet=$v-*" "kubectl=$v-*"
apt-mark hold kubelet kubectl
systemctl daemon-reload
systemctl restart kubelet
'`;

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

export function upgradeJob(input: UpgradeJobInput): V1Job {
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
      // Steward reads a finished Job within seconds; a day leaves a failed one's log to the operator.
      ttlSecondsAfterFinished: JOB_TTL_SECONDS,
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

/** Writes the end of a node's upgrade Job on the node, once per Job (its UID), and returns `state`. */
async function jobEnded(core: CoreV1Api, job: V1Job, state: JobState): Promise<JobState> {
  const labels = job.metadata?.labels ?? {};
  const node = labels[UPGRADE_LABELS.node];
  if (node === undefined) return state;
  const jobName = `${UPGRADE_NAMESPACE}/${job.metadata?.name}`;
  await recordEvent(core, {
    object: { kind: 'Node', name: node },
    ...(state.state === 'failed'
      ? {
          reason: 'UpgradeStepFailed',
          type: 'Warning',
          message: `Upgrade to ${labels[UPGRADE_LABELS.version]} failed: Job ${jobName}: ${state.reason}`,
        }
      : {
          reason: 'UpgradeStep',
          message: `Upgraded to ${labels[UPGRADE_LABELS.version]}: Job ${jobName} succeeded`,
        }),
    key: `${job.metadata?.uid} ${state.state}`,
  });
  return state;
}

export function upgradeJobActivities(clusters: Clusters) {
  return {
    /** Creates the node's upgrade Job unless it exists; returns its name and whether it was created now. */
    async ensureUpgradeJob(input: UpgradeJobInput): Promise<{ name: string; created: boolean }> {
      const { core, batch } = clusters.apis(input.cluster);
      const job = upgradeJob(input);
      const name = job.metadata!.name!;
      /** The Job created, or undefined when a Job of that name exists. */
      const createJob = async (): Promise<V1Job | undefined> => {
        try {
          return await batch.createNamespacedJob({ namespace: UPGRADE_NAMESPACE, body: job });
        } catch (err) {
          if (statusCode(err) === 409) return undefined;
          throw err;
        }
      };
      const createNamespace = async () => {
        try {
          await core.createNamespace({
            body: { metadata: { name: UPGRADE_NAMESPACE, labels: UPGRADE_NAMESPACE_LABELS } },
          });
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
      if (created) {
        await recordEvent(core, {
          object: { kind: 'Node', name: input.node },
          reason: 'UpgradeStep',
          message: `Upgrading to ${input.version}: Job ${UPGRADE_NAMESPACE}/${name} runs kubeadm upgrade ${input.kubeadm} and the kubelet (${currentOperation()})`,
          key: `${created.metadata?.uid ?? name}`,
        });
        return { name, created: true };
      }
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
      const job = await orNotFound(batch.readNamespacedJob({ namespace: UPGRADE_NAMESPACE, name }));
      // Gone before it was read (deleted, or its TTL ran out while the worker was down): the
      // operator's retry runs it anew.
      if (!job) return { state: 'failed', reason: `Job ${UPGRADE_NAMESPACE}/${name} is gone` };
      const condition = (type: string) =>
        job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
      if (condition('Complete')) return jobEnded(core, job, { state: 'succeeded' });
      const failed = condition('Failed');
      if (failed)
        return jobEnded(core, job, {
          state: 'failed',
          reason: `${failed.reason ?? 'Failed'}: ${failed.message ?? ''}`.trim(),
        });
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
      return succeeded ? jobEnded(core, job, { state: 'succeeded' }) : { state: 'running' };
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
