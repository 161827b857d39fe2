import type {
  V1Affinity,
  V1ConfigMap,
  V1DaemonSet,
  V1Deployment,
  V1Node,
  V1Pod,
  V1PodDisruptionBudget,
  V1PodSpec,
} from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { KUBELET_LABEL, KWOK_NODE_ANNOTATION, POD_CIDR, SERVICE_CIDR } from './kubernetes';
import type {
  ScenarioDaemonSet,
  ScenarioDeployment,
  ScenarioMirrorPod,
  ScenarioNode,
  ScenarioPod,
} from './scenario';

export const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';
export const GPU_RESOURCE = 'nvidia.com/gpu';
export const GPU_PRESENT_LABEL = 'nvidia.com/gpu.present';

type Workload = ScenarioDeployment | ScenarioDaemonSet | ScenarioPod;

/** The Ready condition a (re)starting kubelet posts until it is ready: False, KubeletNotReady. */
export function kubeletStartingCondition(message: string) {
  const now = new Date().toISOString();
  return {
    type: 'Ready',
    status: 'False',
    reason: 'KubeletNotReady',
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  };
}

/** A node as a kubeadm-joined kubelet would register it; KWOK then keeps it Ready. */
export function nodeObject(n: ScenarioNode): V1Node {
  const capacity: Record<string, string> = { cpu: n.cpu, memory: n.memory, pods: String(n.pods) };
  if (n.gpus > 0) capacity[GPU_RESOURCE] = String(n.gpus);
  const controlPlane = n.role === 'control-plane';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      annotations: { [KWOK_NODE_ANNOTATION.key]: KWOK_NODE_ANNOTATION.value },
      labels: {
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        [KUBELET_LABEL.key]: KUBELET_LABEL.running,
        ...(controlPlane ? { [CONTROL_PLANE_LABEL]: '' } : {}),
        ...(n.gpus > 0 ? { [GPU_PRESENT_LABEL]: 'true' } : {}),
        ...n.labels,
      },
    },
    spec: {
      unschedulable: n.unschedulable,
      taints: [
        ...(controlPlane ? [{ key: CONTROL_PLANE_LABEL, effect: 'NoSchedule' }] : []),
        ...n.taints,
      ],
    },
    status: {
      addresses: [
        { type: 'InternalIP', address: nodeIp(n.name) },
        { type: 'Hostname', address: n.name },
      ],
      capacity,
      allocatable: capacity,
      nodeInfo: {
        architecture: 'amd64',
        operatingSystem: 'linux',
        osImage: 'Ubuntu 22.04.5 LTS',
        kernelVersion: '5.15.0-125-generic',
        containerRuntimeVersion: 'containerd://1.7.24',
        kubeletVersion: n.kubeletVersion,
        kubeProxyVersion: n.kubeletVersion,
        machineID: hash(`machine/${n.name}`),
        systemUUID: hash(`uuid/${n.name}`),
        bootID: hash(`boot/${n.name}`),
      },
    },
  };
}

export function deploymentObject(d: ScenarioDeployment): V1Deployment {
  const labels = workloadLabels(d);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: d.name, namespace: d.namespace, labels },
    spec: {
      replicas: d.replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: podSpec(d) },
    },
  };
}

export function pdbObject(d: ScenarioDeployment): V1PodDisruptionBudget | undefined {
  if (!d.pdb) return undefined;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: d.name, namespace: d.namespace },
    spec: { selector: { matchLabels: workloadLabels(d) }, ...d.pdb },
  };
}

export function daemonSetObject(d: ScenarioDaemonSet): V1DaemonSet {
  const labels = workloadLabels(d);
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: d.name, namespace: d.namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: podSpec(d) },
    },
  };
}

/** A pod no controller owns, bound straight to its node (so a drain needs --force). */
export function podObject(p: ScenarioPod): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, namespace: p.namespace, labels: workloadLabels(p) },
    spec: { ...podSpec(p), nodeName: p.node },
  };
}

/**
 * The mirror of a kubelet static pod: named `<name>-<node>`, owned by its Node as the kubelet
 * makes it, so `kubectl drain` skips it and the garbage collector removes it with the node.
 */
export function mirrorPodObject(
  m: ScenarioMirrorPod,
  node: { name: string; uid: string },
  kubernetesVersion: string,
): V1Pod {
  const image = m.image ?? `registry.k8s.io/${m.name}:${kubernetesVersion}`;
  const configHash = hash(`${m.name}/${node.name}/${image}`).slice(0, 32);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${m.name}-${node.name}`,
      namespace: m.namespace,
      labels: { component: m.name, tier: 'control-plane' },
      annotations: {
        'kubernetes.io/config.mirror': configHash,
        'kubernetes.io/config.hash': configHash,
        'kubernetes.io/config.source': 'file',
      },
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid, controller: true },
      ],
    },
    spec: {
      nodeName: node.name,
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      containers: [{ name: m.name, image }],
    },
  };
}

/** `kube-system/kubeadm-config` as `kubeadm init` leaves it (ClusterConfiguration v1beta3). */
export function kubeadmConfigObject(
  kubernetesVersion: string,
  controlPlaneEndpoint: string,
): V1ConfigMap {
  const clusterConfiguration = {
    apiVersion: 'kubeadm.k8s.io/v1beta3',
    kind: 'ClusterConfiguration',
    clusterName: 'lab',
    kubernetesVersion,
    controlPlaneEndpoint,
    certificatesDir: '/etc/kubernetes/pki',
    imageRepository: 'registry.k8s.io',
    apiServer: {},
    controllerManager: {},
    scheduler: {},
    dns: {},
    etcd: { local: { dataDir: '/var/lib/etcd' } },
    networking: { dnsDomain: 'cluster.local', serviceSubnet: SERVICE_CIDR, podSubnet: POD_CIDR },
  };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kubeadm-config', namespace: 'kube-system' },
    data: { ClusterConfiguration: stringify(clusterConfiguration) },
  };
}

function workloadLabels(w: Workload): Record<string, string> {
  return w.labels ?? { app: w.name };
}

function podSpec(w: Workload): V1PodSpec {
  const requests: Record<string, string> = { cpu: w.cpu, memory: w.memory };
  const limits: Record<string, string> = {};
  if (w.gpus > 0) requests[GPU_RESOURCE] = limits[GPU_RESOURCE] = String(w.gpus);
  return {
    containers: [
      {
        name: w.name,
        image: w.image,
        resources: { requests, ...(w.gpus > 0 ? { limits } : {}) },
        ...(w.emptyDir ? { volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] } : {}),
      },
    ],
    ...(w.emptyDir ? { volumes: [{ name: 'scratch', emptyDir: {} }] } : {}),
    ...(w.nodeSelector ? { nodeSelector: w.nodeSelector } : {}),
    ...(w.affinity ? { affinity: w.affinity as V1Affinity } : {}),
    ...(w.tolerations.length > 0 ? { tolerations: w.tolerations } : {}),
    terminationGracePeriodSeconds: 30,
  };
}

/** A stable address in 172.16.0.0/12 derived from the name, as a site's IPAM would hand out. */
function nodeIp(name: string): string {
  const h = parseInt(hash(`ip/${name}`).slice(0, 5), 16);
  return `172.${16 + (h >> 16)}.${(h >> 8) & 255}.${h & 255 || 1}`;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
