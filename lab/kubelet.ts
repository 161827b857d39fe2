import {
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  V1ObjectMeta,
} from '@kubernetes/client-node';
import { KUBELET_LABEL } from './kubernetes';
import { FAULT_ANNOTATION, type UpgradeFault } from './physics';

/**
 * Stops or starts a lab node's "kubelet", as powering its host off or on would. Stopped, KWOK
 * no longer renews the node's lease nor plays its pods: after the controller manager's grace
 * period (30 s) the node turns NotReady (Unknown) and gets the unreachable taints, and pods
 * deleted there stay Terminating. Started again, the node turns Ready within seconds.
 */
export async function setKubeletRunning(
  kubeconfigPath: string,
  node: string,
  running: boolean,
): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const value = running ? KUBELET_LABEL.running : KUBELET_LABEL.stopped;
  await KubernetesObjectApi.makeApiClient(kc).patch(
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: node, labels: { [KUBELET_LABEL.key]: value } },
    },
    undefined,
    undefined,
    undefined,
    undefined,
    PatchStrategy.MergePatch,
  );
}

/**
 * Makes the next upgrade Job on `node` go wrong (see lab/physics.ts), or with `undefined`
 * clears the fault: a node held NotReady by `never-ready` then comes back within a second.
 */
export async function setUpgradeFault(
  kubeconfigPath: string,
  node: string,
  fault: UpgradeFault | undefined,
): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  await KubernetesObjectApi.makeApiClient(kc).patch(
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: node, annotations: { [FAULT_ANNOTATION]: fault ?? null } } as V1ObjectMeta,
    },
    undefined,
    undefined,
    undefined,
    undefined,
    PatchStrategy.MergePatch,
  );
}
