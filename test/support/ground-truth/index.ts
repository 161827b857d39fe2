// Ground truth for one run on a lab: the samplers that must watch while it runs (PDBs, node
// cordons, and where the lab has them Nova's compute services and Ceph), then every reader,
// gathered into the records the unsafe-action checker reads.
import type { TestLab } from '../lab';
import type { RunRecords } from '../unsafe-actions';
import { apiWrites } from './audit';
import { bmcEvents } from './bmc';
import { sampleCeph } from './ceph';
import { helmRevisions, sampleNodes, samplePdbs } from './kube';
import { netboxChanges, netboxSerials } from './netbox';
import { novaMigrations, sampleComputeServices } from './nova';
import type { OperationWindow } from './records';
import type { Sampler } from './sampler';

export interface GroundTruthWatch {
  /** Stops the samplers and reads every record; `samplerFailures` counts looks that failed. */
  finish(operations: OperationWindow[]): Promise<{ records: RunRecords; samplerFailures: number }>;
}

async function stopped<T>(sampler: Sampler<T> | undefined, failed: { count: number }) {
  if (!sampler) return [];
  const { records, failures } = await sampler.stop();
  failed.count += failures;
  return records;
}

export function watchGroundTruth(lab: TestLab): GroundTruthWatch {
  const pdbs = samplePdbs(lab.kubeconfigPath);
  const nodes = sampleNodes(lab.kubeconfigPath);
  const services = lab.openstack && sampleComputeServices(lab.openstack);
  const ceph = lab.ceph && sampleCeph(lab.ceph);
  return {
    async finish(operations) {
      const failed = { count: 0 };
      const records: RunRecords = {
        operations,
        pdbs: await stopped(pdbs, failed),
        nodes: await stopped(nodes, failed),
        computeServices: await stopped(services, failed),
        ceph: await stopped(ceph, failed),
        apiWrites: apiWrites(lab.stateDir),
        bmc: bmcEvents(lab.stateDir),
        helm: await helmRevisions(lab.kubeconfigPath),
        ...(lab.netbox && {
          netboxSerials: await netboxSerials(lab),
          netboxChanges: await netboxChanges(lab),
        }),
        ...(lab.openstack && { migrations: await novaMigrations(lab.openstack) }),
      };
      return { records, samplerFailures: failed.count };
    },
  };
}
