// Applies one add-on step of a Kubernetes upgrade from the upstream manifests of its version:
// server-side apply as field manager "steward", forcing conflicts as Yaook's
// `kubectl apply --server-side --force-conflicts` did; CRDs first and Established before the rest.
// Safe to repeat: a second run finds everything in place and changes nothing. Fields that other
// managers set and the manifests leave out (an operator's own tweaks; a field an older manifest
// applied by kubectl had and upstream dropped) stay; a CRD's versions are one atomic list, so a
// forced apply replaces them whole.
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import type { ManifestAddonStep } from '../../workflows/policy/addon-steps';
import { readAddonBundle } from './addon-bundles';
import { orNotFound } from './api-errors';
import type { Clusters } from './clusters';
import { retireDroppedVersions, waitEstablished, type CrdClients } from './crd-versions';
import { snapshotControllerManifests } from './snapshot-controller-manifests';

const FIELD_MANAGER = 'steward';

const isCrd = (o: KubernetesObject): o is V1CustomResourceDefinition =>
  o.kind === 'CustomResourceDefinition';

const header = (o: KubernetesObject) => ({
  apiVersion: o.apiVersion!,
  kind: o.kind!,
  metadata: { name: o.metadata!.name!, namespace: o.metadata?.namespace },
});

export function addonActivities(clusters: Clusters, manifestsDir: string) {
  const clients = new Map<string, CrdClients & { objects: KubernetesObjectApi }>();
  function clientsOf(cluster: string) {
    let c = clients.get(cluster);
    if (!c) {
      const kc = clusters.apis(cluster).kubeConfig;
      const objects = KubernetesObjectApi.makeApiClient(kc);
      c = {
        objects,
        extensions: kc.makeApiClient(ApiextensionsV1Api),
        custom: kc.makeApiClient(CustomObjectsApi),
        apply: (o) =>
          objects.patch(
            o,
            undefined,
            undefined,
            FIELD_MANAGER,
            true,
            PatchStrategy.ServerSideApply,
          ),
      };
      clients.set(cluster, c);
    }
    return c;
  }

  /**
   * Applies `manifests` in order, CRDs first (a refusal there comes before any other change), then
   * `beforeWorkloads`, then the rest; returns how many objects changed.
   */
  async function applyAll(
    cluster: string,
    manifests: KubernetesObject[],
    beforeWorkloads = async () => {},
  ): Promise<number> {
    const c = clientsOf(cluster);
    const crds = manifests.filter(isCrd);
    let changed = 0;
    const applyOne = async (o: KubernetesObject) => {
      const live = await orNotFound(c.objects.read(header(o)));
      if (live && isCrd(o)) await retireDroppedVersions(c, live as V1CustomResourceDefinition, o);
      const after = await c.apply(o);
      if (after.metadata?.resourceVersion !== live?.metadata?.resourceVersion) changed++;
    };
    for (const crd of crds) await applyOne(crd);
    for (const crd of crds) await waitEstablished(c.extensions, crd.metadata!.name!);
    await beforeWorkloads();
    for (const o of manifests.filter((m) => !isCrd(m))) await applyOne(o);
    return changed;
  }

  return {
    async applyAddonStep({
      cluster,
      step,
    }: {
      cluster: string;
      /** The Tigera migration installs an operator instead: ./tigera.ts. */
      step: ManifestAddonStep;
    }): Promise<{ summary: string }> {
      switch (step.kind) {
        case 'snapshot-controller': {
          const manifests = snapshotControllerManifests(
            readAddonBundle(manifestsDir, step.kind, step.version),
            step.version,
          );
          let removed = '';
          // The old controller goes before the new one starts, so that never two run at once.
          const changed = await applyAll(cluster, manifests, async () => {
            if (!step.removeKubeSystemDeployment) return;
            const gone = await orNotFound(
              clusters.apis(cluster).apps.deleteNamespacedDeployment({
                namespace: 'kube-system',
                name: 'snapshot-controller',
              }),
            );
            if (gone) removed = '; removed kube-system/snapshot-controller';
          });
          return {
            summary: `snapshot-controller ${step.version}: ${changed} of ${manifests.length} objects changed${removed}`,
          };
        }
        case 'monitoring-crds': {
          const manifests = readAddonBundle(manifestsDir, step.kind, step.operatorVersion);
          const changed = await applyAll(cluster, manifests);
          return {
            summary: `monitoring CRDs of chart major ${step.major} (prometheus-operator ${step.operatorVersion}): ${changed} of ${manifests.length} changed`,
          };
        }
      }
    },
  };
}
