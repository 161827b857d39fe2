// The upstream snapshot-controller manifests made ready for one cluster, as kustomize's
// `namespace:` and `images:` would: upstream ships everything in kube-system and, in its deploy
// tree, an image tag that lags the release (v8.1.0 and v8.2.0 both name :v8.0.1).
import type { KubernetesObject, V1Deployment, V1RoleBinding } from '@kubernetes/client-node';
import { parseVersion } from '../../workflows/policy/kubernetes-version';

/** Where the controller lives from v7 on (and where the cluster facts look for it). */
export const SNAPSHOT_CONTROLLER_NAMESPACE = 'snapshot-controller';
const UPSTREAM_NAMESPACE = 'kube-system';
const IMAGE = /^(.*\/snapshot-controller):[^:/]+$/;

export const snapshotControllerNamespace = (version: string): string =>
  (parseVersion(version)?.major ?? 0) >= 7 ? SNAPSHOT_CONTROLLER_NAMESPACE : UPSTREAM_NAMESPACE;

/** The bundle's objects in the controller's namespace (created first), running `version`'s image. */
export function snapshotControllerManifests(
  objects: KubernetesObject[],
  version: string,
): KubernetesObject[] {
  const namespace = snapshotControllerNamespace(version);
  const relocated = objects.map((o) => {
    const copy = structuredClone(o);
    if (copy.metadata?.namespace === UPSTREAM_NAMESPACE) copy.metadata.namespace = namespace;
    if (copy.kind === 'RoleBinding' || copy.kind === 'ClusterRoleBinding') {
      for (const s of (copy as V1RoleBinding).subjects ?? []) {
        if (
          s.kind === 'ServiceAccount' &&
          (s.namespace ?? UPSTREAM_NAMESPACE) === UPSTREAM_NAMESPACE
        )
          s.namespace = namespace;
      }
    }
    if (copy.kind === 'Deployment') {
      for (const c of (copy as V1Deployment).spec?.template.spec?.containers ?? []) {
        const m = IMAGE.exec(c.image ?? '');
        if (m) c.image = `${m[1]}:${version}`;
      }
    }
    return copy;
  });
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } };
  return namespace === UPSTREAM_NAMESPACE ? relocated : [ns, ...relocated];
}
