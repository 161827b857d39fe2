// CRD version changes an apply alone cannot make. The apiserver refuses a CRD whose versions no
// longer include one in status.storedVersions ("must appear in spec.versions"): snapshot-controller
// v8.2.0 drops the group snapshots' v1alpha1 (kubernetes-csi/external-snapshotter#1307). When no
// object of the CRD is left, the stored versions shrink as Kubernetes documents it: the new storage
// version in place first, then status.storedVersions, then the manifest. Objects still there refuse.
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { setTimeout as sleep } from 'node:timers/promises';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface CrdClients {
  extensions: ApiextensionsV1Api;
  custom: CustomObjectsApi;
  /** Server-side applies an object as Steward. */
  apply(o: KubernetesObject): Promise<KubernetesObject>;
}

/** Retires the stored versions `next` drops from `live`; returns them (none: nothing to do). */
export async function retireDroppedVersions(
  clients: CrdClients,
  live: V1CustomResourceDefinition,
  next: V1CustomResourceDefinition,
): Promise<string[]> {
  const name = live.metadata!.name!;
  const kept = new Set(next.spec.versions.map((v) => v.name));
  const dropped = (live.status?.storedVersions ?? []).filter((v) => !kept.has(v));
  if (dropped.length === 0) return [];

  const served = live.spec.versions.find((v) => v.served);
  const left = served
    ? await clients.custom.listClusterCustomObject({
        group: live.spec.group,
        version: served.name,
        plural: live.spec.names.plural,
        limit: 1,
      })
    : undefined;
  const items = (left as { items?: unknown[] } | undefined)?.items;
  if (!items || items.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `${name}: the new manifest drops version(s) ${dropped.join(', ')} that objects are stored at, and ${items ? 'objects of it exist' : 'no served version lists them'}; migrate or delete them, then retry`,
      'CrdVersionInUse',
    );
  }

  const retiring = live.spec.versions
    .filter((v) => dropped.includes(v.name))
    .map((v) => ({ ...v, served: false, storage: false }));
  const transition: V1CustomResourceDefinition = {
    ...next,
    spec: { ...next.spec, versions: [...next.spec.versions, ...retiring] },
  };
  await clients.apply(transition);
  // No resourceVersion: the apiextensions controllers keep writing the status (conditions), and
  // a merge patch of the stored versions alone is safe against them.
  const now = await clients.extensions.readCustomResourceDefinition({ name });
  const storedVersions = (now.status?.storedVersions ?? []).filter((v) => kept.has(v));
  await clients.extensions.patchCustomResourceDefinitionStatus(
    { name, body: { status: { storedVersions } } },
    mergePatch,
  );
  return dropped;
}

/** Waits until the CRD's names are accepted and it is Established, so objects of it can follow. */
export async function waitEstablished(
  extensions: ApiextensionsV1Api,
  name: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const crd = await extensions.readCustomResourceDefinition({ name });
    const established = crd.status?.conditions?.some(
      (c) => c.type === 'Established' && c.status === 'True',
    );
    if (established) return;
    if (Date.now() > deadline) {
      throw ApplicationFailure.retryable(`CRD ${name} not Established after ${timeoutMs} ms`);
    }
    await sleep(200);
  }
}
