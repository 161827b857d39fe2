// The Kubernetes releases an upgrade may step through, as an activity: the list changes with every
// release, and a running upgrade replays with the list its history recorded, not today's.
import { z } from 'zod';

/** The latest patch of each minor Steward knows; a worker's config may name its own list. */
export const DEFAULT_KUBERNETES_RELEASES = [
  'v1.24.17',
  'v1.25.16',
  'v1.26.15',
  'v1.27.16',
  'v1.28.15',
  'v1.29.15',
  'v1.30.14',
  'v1.31.14',
  'v1.32.13',
  'v1.33.13',
];

/** The worker config's `kubernetes.releases`: full versions, e.g. "v1.33.13". */
export const kubernetesReleasesSchema = z
  .array(z.string().regex(/^v\d+\.\d+\.\d+$/, 'must be a full version such as "v1.33.13"'))
  .min(1, 'must name at least one release');

export function kubernetesReleaseActivities(releases: string[] = DEFAULT_KUBERNETES_RELEASES) {
  return {
    /** Full versions an upgrade may install, one per minor at least. */
    async readKubernetesReleases(): Promise<string[]> {
      return releases;
    },
  };
}
