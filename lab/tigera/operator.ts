// The lab's Tigera operator: a lab daemon (`lab-tigera-operator`) that does what Calico's operator
// does when it finds a manifest-based Calico and an Installation `default`: once the operator's
// Deployment (the lab chart's, lab/tigera/chart) is ready, it starts calico-node (and Typha and
// the kube-controllers, where kube-system had them) in calico-system from kube-system's pod
// templates, waits until calico-node is ready on every node, removes the kube-system ones, and
// only then reports Calico Available in TigeraStatus `calico` and the Installation's status.
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1DaemonSet,
  type V1Deployment,
} from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

const OLD = 'kube-system';
const NEW = 'calico-system';
const OPERATOR = { namespace: 'tigera-operator', name: 'tigera-operator' };
const operatorApi = { group: 'operator.tigera.io', version: 'v1' };
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const log = (message: string) => console.log(`${new Date().toISOString()} ${message}`);

const orMissing = <T>(read: Promise<T>): Promise<T | undefined> =>
  read.catch((err: unknown) => {
    if (err instanceof ApiException && err.code === 404) return undefined;
    throw err;
  });
const ignoreConflict = (write: Promise<unknown>) =>
  write.catch((err: unknown) => {
    if (!(err instanceof ApiException && err.code === 409)) throw err;
  });

/** The object's spec in calico-system: kube-system's, without what the apiserver set. */
function moved<T extends V1DaemonSet | V1Deployment>(o: T): T {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: { name: o.metadata!.name, namespace: NEW, labels: o.metadata?.labels },
    spec: o.spec,
  } as T;
}

async function reconcile(kc: KubeConfig): Promise<void> {
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const operator = await orMissing(apps.readNamespacedDeployment(OPERATOR));
  if ((operator?.status?.readyReplicas ?? 0) < 1) return;
  const installation = await orMissing(
    custom.getClusterCustomObject({ ...operatorApi, plural: 'installations', name: 'default' }),
  );
  if (!installation) return;

  const oldNode = await orMissing(
    apps.readNamespacedDaemonSet({ namespace: OLD, name: 'calico-node' }),
  );
  const oldDeployments = (
    await Promise.all(
      ['calico-typha', 'calico-kube-controllers'].map((name) =>
        orMissing(apps.readNamespacedDeployment({ namespace: OLD, name })),
      ),
    )
  ).filter((d) => d !== undefined);
  if (oldNode) {
    await ignoreConflict(core.createNamespace({ body: { metadata: { name: NEW } } }));
    await ignoreConflict(apps.createNamespacedDaemonSet({ namespace: NEW, body: moved(oldNode) }));
    for (const d of oldDeployments) {
      await ignoreConflict(apps.createNamespacedDeployment({ namespace: NEW, body: moved(d) }));
    }
  }
  const nodes = (await core.listNode()).items.length;
  const calicoNode = await orMissing(
    apps.readNamespacedDaemonSet({ namespace: NEW, name: 'calico-node' }),
  );
  const ready = calicoNode?.status?.numberReady ?? 0;
  const desired = calicoNode?.status?.desiredNumberScheduled ?? -1;
  let message = `calico-node ready on ${ready} of ${nodes} nodes in ${NEW}`;
  if (ready === nodes && desired === nodes) {
    // Every node runs calico-system's calico-node: kube-system's go.
    if (oldNode)
      await orMissing(apps.deleteNamespacedDaemonSet({ namespace: OLD, name: 'calico-node' }));
    for (const d of oldDeployments) {
      await orMissing(apps.deleteNamespacedDeployment({ namespace: OLD, name: d.metadata!.name! }));
    }
    const left = await core.listNamespacedPod({
      namespace: OLD,
      labelSelector: 'k8s-app in (calico-node, calico-typha, calico-kube-controllers)',
    });
    message = left.items.length > 0 ? `${left.items.length} calico pods left in ${OLD}` : '';
  }
  await report(custom, message, calicoNode?.spec?.template.spec?.containers[0]?.image);
}

/** TigeraStatus `calico` and the Installation's status: Available once `progressing` is empty. */
async function report(custom: CustomObjectsApi, progressing: string, image?: string) {
  const available = progressing === '';
  const at = new Date().toISOString();
  const condition = (type: string, status: boolean, message = '') => ({
    type,
    status: status ? 'True' : 'False',
    reason: status ? 'AllObjectsAvailable' : 'ResourceNotReady',
    message,
    lastTransitionTime: at,
  });
  const conditions = [
    condition('Available', available),
    condition('Progressing', !available, progressing),
    condition('Degraded', false),
  ];
  const tigeraStatus = { ...operatorApi, plural: 'tigerastatuses', name: 'calico' };
  const current = await orMissing(custom.getClusterCustomObject(tigeraStatus));
  const was = (
    current as { status?: { conditions?: { type: string; status: string; message: string }[] } }
  )?.status?.conditions;
  const same = (was ?? []).map((c) => `${c.type}=${c.status}:${c.message}`).join();
  if (same === conditions.map((c) => `${c.type}=${c.status}:${c.message}`).join()) return;
  if (!current) {
    await ignoreConflict(
      custom.createClusterCustomObject({
        ...operatorApi,
        plural: 'tigerastatuses',
        body: {
          apiVersion: 'operator.tigera.io/v1',
          kind: 'TigeraStatus',
          metadata: { name: 'calico' },
          spec: {},
        },
      }),
    );
  }
  await custom.patchClusterCustomObjectStatus(
    { ...tigeraStatus, body: { status: { conditions } } },
    mergePatch,
  );
  const calicoVersion = image?.split(':').at(-1);
  await custom.patchClusterCustomObjectStatus(
    {
      ...operatorApi,
      plural: 'installations',
      name: 'default',
      body: {
        status: {
          variant: 'Calico',
          calicoVersion,
          conditions: [condition('Ready', available, progressing)],
        },
      },
    },
    mergePatch,
  );
  log(available ? 'Calico Available from calico-system' : `progressing: ${progressing}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { kubeconfig: { type: 'string' } } });
  if (!values.kubeconfig) {
    console.error('usage: tsx lab/tigera/operator.ts --kubeconfig F');
    process.exit(2);
  }
  const kc = new KubeConfig();
  kc.loadFromFile(values.kubeconfig);
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => (stopping = true));
  log('lab Tigera operator started');
  while (!stopping) {
    await reconcile(kc).catch((err: unknown) => log(`reconcile: ${(err as Error).message}`));
    await sleep(500);
  }
}

void main();
