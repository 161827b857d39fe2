// Rook's objects on a lab cluster as kubectl shows them, for tests that check Steward against it.
import type { TestLab } from './lab';

export const cephClusterJson = async (lab: TestLab) =>
  JSON.parse(await lab.kubectl('get', 'cephcluster', '-n', 'rook-ceph', 'rook-ceph', '-o', 'json'));

/** Each Rook daemon Deployment's name → its label `key` (rook-version, ceph-version). */
export async function daemonLabels(lab: TestLab, key: string): Promise<Record<string, string>> {
  const list = JSON.parse(
    await lab.kubectl(
      'get',
      'deployment',
      '-n',
      'rook-ceph',
      '-l',
      'rook_cluster=rook-ceph',
      '-o',
      'json',
    ),
  );
  return Object.fromEntries(
    list.items.map((d: { metadata: { name: string; labels: Record<string, string> } }) => [
      d.metadata.name,
      d.metadata.labels[key],
    ]),
  );
}

/** `kubectl patch` of the CephCluster's image, as an operator would upgrade Ceph by hand. */
export const patchCephImage = (lab: TestLab, image: string) =>
  lab.kubectl(
    'patch',
    'cephcluster',
    '-n',
    'rook-ceph',
    'rook-ceph',
    '--type=merge',
    '-p',
    JSON.stringify({ spec: { cephVersion: { image } } }),
  );
