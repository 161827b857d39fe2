// The Ceph fact activities: each reads one thing from a cluster's Ceph and changes nothing.
import { invalidInput } from '../../workflows/api';
import type { Clusters } from '../kubernetes/clusters';
import { CephClient } from './client';
import { cliTransport, toolboxTransport } from './transport';

export function cephActivities(clusters: Clusters, timeoutMs: number) {
  const client = (cluster: string): CephClient => {
    const access = clusters.config(cluster).ceph;
    if (!access)
      throw invalidInput('cluster', `no Ceph access configured for cluster "${cluster}"`);
    return new CephClient(
      'cli' in access
        ? cliTransport(access.cli, timeoutMs)
        : toolboxTransport(clusters.apis(cluster).kubeConfig, access.toolbox, timeoutMs),
    );
  };
  return {
    /** `ceph health detail`: status and every check with Ceph's messages. */
    cephHealth: async ({ cluster }: { cluster: string }) => client(cluster).health(),
    /** Every PG's state, counted, and the PGs not active+clean. */
    cephPgStates: async ({ cluster }: { cluster: string }) => client(cluster).pgStates(),
    /** The monmap's mons and those in quorum. */
    cephMonQuorum: async ({ cluster }: { cluster: string }) => client(cluster).monQuorum(),
    /** Every OSD, up or down, in or out. */
    cephOsds: async ({ cluster }: { cluster: string }) => client(cluster).osds(),
    /** Health, PGs, quorum and OSDs read together: what the health gate judges. */
    cephHealthFacts: async ({ cluster }: { cluster: string }) => client(cluster).healthFacts(),
    /** Would stopping these OSDs leave every PG available? Ceph's verdict and reason. */
    cephOsdOkToStop: async ({ cluster, osds }: { cluster: string; osds: number[] }) => {
      if (osds.length === 0 || osds.some((o) => !Number.isInteger(o) || o < 0)) {
        throw invalidInput('osds', 'must list OSD ids (non-negative integers)');
      }
      return client(cluster).osdOkToStop(osds);
    },
    /** `ceph versions`: the versions the daemons themselves report. */
    cephVersions: async ({ cluster }: { cluster: string }) => client(cluster).versions(),
  };
}
