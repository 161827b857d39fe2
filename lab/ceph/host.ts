// The storage host as Kubernetes sees it: a node at 127.0.0.1 played by a KWOK of its own whose
// kubelet server maps `exec` into the toolbox container to a local command (KWOK's ClusterExec),
// so `kubectl exec deploy/rook-ceph-tools -- ceph status` reaches the lab's real Ceph.
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { kubernetesBinaries } from '../binaries';
import { startDaemon } from '../daemon';
import { waitFor } from '../wait';
import type { CephLayout } from './layout';
import { CEPH_HOST, cephHostNode, ROOK_NAMESPACE, TOOLBOX_CONTAINER } from './rook-objects';

export const HOST_KWOK_DAEMON = 'kwok-ceph-host';
/** Pod IPs of the storage host: apart from the lab KWOK's 10.244.0.0/16. */
const HOST_POD_CIDR = '10.245.0.0/16';

function toolboxExecConfig(layout: CephLayout) {
  // KWOK takes the first KwokConfiguration it reads (this file comes before the lab's stages):
  // its kubelet server answers exec only with the debugging handlers on.
  const kwokConfiguration = {
    apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
    kind: 'KwokConfiguration',
    options: { enableDebuggingHandlers: true },
  };
  const clusterExec = {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'ClusterExec',
    metadata: { name: 'rook-ceph-tools' },
    spec: {
      selector: { matchNamespaces: [ROOK_NAMESPACE] },
      execs: [
        {
          containers: [TOOLBOX_CONTAINER],
          // The toolbox's keyring and conf are the lab's admin ones (the conf names the keyring).
          local: { workDir: layout.dir, envs: [{ name: 'CEPH_CONF', value: layout.conf }] },
        },
      ],
    },
  };
  return [kwokConfiguration, clusterExec];
}

/** Registers the host (or re-points it at `kubeletPort`) and starts its KWOK. */
export async function startCephHost(
  stateDir: string,
  kubeconfig: string,
  { dir, layout, kubeletPort }: { dir: string; layout: CephLayout; kubeletPort: number },
): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const node = cephHostNode(kubeletPort);
  try {
    await core.createNode({ body: node });
  } catch (err) {
    if (!(err instanceof ApiException && err.code === 409)) throw err;
    await core.patchNodeStatus(
      { name: CEPH_HOST, body: { status: { daemonEndpoints: node.status?.daemonEndpoints } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }
  const execConfig = join(dir, 'toolbox-exec.yaml');
  writeFileSync(
    execConfig,
    toolboxExecConfig(layout)
      .map((o) => stringify(o))
      .join('---\n'),
  );
  startDaemon(stateDir, {
    name: HOST_KWOK_DAEMON,
    command: kubernetesBinaries().kwok,
    args: [
      `--config=${execConfig}`,
      `--config=${join(__dirname, '..', 'kwok-stages.yaml')}`,
      `--kubeconfig=${kubeconfig}`,
      `--manage-single-node=${CEPH_HOST}`,
      `--server-address=127.0.0.1:${kubeletPort}`,
      '--node-lease-duration-seconds=40',
      `--cidr=${HOST_POD_CIDR}`,
    ],
  });
  await waitFor(
    `node ${CEPH_HOST} Ready`,
    async () => {
      const n = await core.readNode({ name: CEPH_HOST });
      return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    },
    { daemon: { stateDir, name: HOST_KWOK_DAEMON } },
  );
}
