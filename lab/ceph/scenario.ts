// The scenario's `ceph:` section: a Rook-managed Ceph cluster at these versions.
import { z } from 'zod';

const rookVersion = z.string().regex(/^v\d+\.\d+\.\d+$/, 'must look like v1.15.9');

/** Versions the lab's chart repository serves its rook-ceph chart at, unless the scenario says. */
export const DEFAULT_CHART_VERSIONS = ['v1.13.10', 'v1.14.12', 'v1.15.9', 'v1.16.7', 'v1.17.4'];

export const cephScenarioSchema = z
  .object({
    /** The rook-ceph chart (and operator image tag) installed at the start. */
    rook: rookVersion,
    /** spec.cephVersion.image of the CephCluster: an image whose tag is a Ceph version. */
    image: z
      .string()
      .regex(
        /^[^\s:@]+(:\d+)?(\/[^\s:@]+)*:v\d+\.\d+\.\d+(-\S+)?$/,
        'must be a Ceph image tagged with its version, like quay.io/ceph/ceph:v18.2.4',
      ),
    /** Versions the lab's chart repository serves (what `helm upgrade --version` can reach). */
    chartVersions: z.array(rookVersion).min(1).default(DEFAULT_CHART_VERSIONS),
  })
  .strict()
  .refine((c) => c.chartVersions.includes(c.rook), {
    path: ['rook'],
    message: 'must be one of chartVersions',
  });

export type CephScenario = z.output<typeof cephScenarioSchema>;
