// What an eviction and its dry run read before anything changes: the host's compute service as
// Nova sees it (an unknown region or host refused naming the field), and where each of its
// instances would go.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ComputeService, ServerFacts } from '../activities/openstack/nova';
import { invalidInput } from './api';
import { surfaceInvalidInput } from './activity-errors';
import { chooseTargets, type TargetChoice } from './policy/evacuation-targets';

const reads = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});

export async function readComputeService(region: string, host: string): Promise<ComputeService> {
  const [service] = await surfaceInvalidInput(reads.listComputeServices({ region, host }));
  if (!service) throw invalidInput('host', `no nova-compute service on "${host}" in ${region}`);
  return service;
}

/** A destination for each instance from the hypervisors' free capacity now. */
export async function planTargets(
  region: string,
  host: string,
  servers: Pick<ServerFacts, 'id' | 'vcpus' | 'ramMb'>[],
): Promise<TargetChoice[]> {
  const hypervisors = await reads.listHypervisors({ region });
  return chooseTargets(servers, hypervisors, host);
}
