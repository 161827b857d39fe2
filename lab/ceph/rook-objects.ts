// The Kubernetes side of the lab's Rook cluster, named and labelled as Rook names and labels it:
// the CephCluster, one Deployment per Ceph daemon, the toolbox, and the host they run on.
import type { V1Deployment, V1Node, V1PodSpec } from '@kubernetes/client-node';
import { nodeObject } from '../objects';
import { CephDaemon, deploymentName } from './layout';

export const ROOK_NAMESPACE = 'rook-ceph';
export const CEPH_CLUSTER = 'rook-ceph';
export const OPERATOR_DEPLOYMENT = 'rook-ceph-operator';
export const HELM_RELEASE = 'rook-ceph';
export const TOOLBOX_DEPLOYMENT = 'rook-ceph-tools';
export const TOOLBOX_CONTAINER = 'rook-ceph-tools';

/** Labels Rook puts on its daemon Deployments. */
export const ROOK_LABELS = {
  cluster: 'rook_cluster',
  rookVersion: 'rook-version',
  cephVersion: 'ceph-version',
  daemonType: 'ceph_daemon_type',
  daemonId: 'ceph_daemon_id',
} as const;

/** The node every rook-ceph pod runs on: this machine (the real daemons' host). */
export const CEPH_HOST = 'lab-ceph-host';
const CEPH_HOST_TAINT = { key: 'lab.steward.dev/ceph', effect: 'NoSchedule' as const };
export const CEPH_HOST_PLACEMENT: Pick<V1PodSpec, 'nodeSelector' | 'tolerations'> = {
  nodeSelector: { 'kubernetes.io/hostname': CEPH_HOST },
  tolerations: [{ key: CEPH_HOST_TAINT.key, operator: 'Exists', effect: CEPH_HOST_TAINT.effect }],
};

/**
 * Rook's `ceph-version` label for the Ceph an image runs, from the image's tag (`…:v18.2.4` and
 * `…:v18.2.2-20240311` give `18.2.4-0`, `18.2.2-0`); undefined for a tag that names no version.
 * Rook asks the image itself; the lab's binaries are all 16.2.15, so the tag is the version here.
 */
export function cephVersionLabel(image: string): string | undefined {
  const tag = /:([^:/]+)$/.exec(image)?.[1] ?? '';
  const m = /^v?(\d+)\.(\d+)\.(\d+)(-.*)?$/.exec(tag);
  return m ? `${m[1]}.${m[2]}.${m[3]}-0` : undefined;
}

/** The storage host, registered at 127.0.0.1 so the apiserver reaches its kubelet (KWOK's server). */
export function cephHostNode(kubeletPort: number): V1Node {
  const node = nodeObject({
    name: CEPH_HOST,
    role: 'worker',
    kubeletVersion: 'v1.31.14',
    labels: {},
    taints: [CEPH_HOST_TAINT],
    unschedulable: false,
    gpus: 0,
    cpu: '16',
    memory: '64Gi',
    pods: 110,
  });
  // Not the lab's KWOK's node (its annotation and kubelet label): the Ceph host's KWOK plays it.
  const labels = Object.fromEntries(
    Object.entries(node.metadata?.labels ?? {}).filter(([k]) => k.startsWith('kubernetes.io/')),
  );
  return {
    ...node,
    metadata: { ...node.metadata, annotations: undefined, labels },
    status: {
      ...node.status,
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
      daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
    },
  };
}

export interface DaemonVersions {
  rook: string;
  image: string;
}

/** The Deployment Rook runs a daemon in, labelled with the versions it was last rolled to. */
export function daemonDeployment(d: CephDaemon, versions: DaemonVersions): V1Deployment {
  const selector = {
    app: `rook-ceph-${d.type}`,
    [ROOK_LABELS.cluster]: ROOK_NAMESPACE,
    [ROOK_LABELS.daemonId]: d.id,
  };
  const podLabels = {
    ...selector,
    [ROOK_LABELS.daemonType]: d.type,
    [d.type]: d.id,
    [ROOK_LABELS.rookVersion]: versions.rook,
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: deploymentName(d),
      namespace: ROOK_NAMESPACE,
      labels: {
        ...podLabels,
        [ROOK_LABELS.cephVersion]: cephVersionLabel(versions.image) ?? '',
        'app.kubernetes.io/name': `ceph-${d.type}`,
        'app.kubernetes.io/instance': d.id,
        'app.kubernetes.io/component': 'cephclusters.ceph.rook.io',
        'app.kubernetes.io/part-of': CEPH_CLUSTER,
        'app.kubernetes.io/managed-by': 'rook-ceph-operator',
        'app.kubernetes.io/created-by': 'rook-ceph-operator',
      },
    },
    spec: {
      replicas: 1,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: podLabels },
        spec: {
          ...CEPH_HOST_PLACEMENT,
          containers: [
            {
              name: d.type,
              image: versions.image,
              command: [`ceph-${d.type}`],
              args: ['--foreground', `--id=${d.id}`],
            },
          ],
        },
      },
    },
  };
}

/** Rook's toolbox (deploy/examples/toolbox.yaml): `kubectl exec` into it runs `ceph`. */
export function toolboxDeployment(image: string): V1Deployment {
  const labels = { app: TOOLBOX_DEPLOYMENT };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: TOOLBOX_DEPLOYMENT, namespace: ROOK_NAMESPACE, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          ...CEPH_HOST_PLACEMENT,
          containers: [
            {
              name: TOOLBOX_CONTAINER,
              image,
              command: ['/bin/bash'],
              args: ['-m', '-c', '/usr/local/bin/toolbox.sh'],
            },
          ],
        },
      },
    },
  };
}

export function cephClusterObject(image: string) {
  return {
    apiVersion: 'ceph.rook.io/v1',
    kind: 'CephCluster',
    metadata: { name: CEPH_CLUSTER, namespace: ROOK_NAMESPACE },
    spec: {
      cephVersion: { image },
      dataDirHostPath: '/var/lib/rook',
      mon: { count: 3, allowMultiplePerNode: true },
      mgr: { count: 1 },
    },
  };
}
