// What an eviction and its dry run read before anything changes: the host's compute service as
// Nova sees it (an unknown region or host refused naming the field), and where each of its
// instances would go.
import { ApplicationFailure } from '@temporalio/workflow';
import { inventoryReads as reads } from './operation/activity-profiles';
import type { ComputeService, ServerFacts } from '../activities/openstack/nova';
import { INVALID_INPUT, invalidInput } from './api';
import { surfaceInvalidInput } from './activity-errors';
import { chooseTargets, type TargetChoice } from './policy/evacuation-targets';

/**
 * The host's compute service. A region or host Nova does not know is bad input naming `region`
 * and `host`, or the one field `as` where the input names both in one (a reinstall's `novaRegion`).
 */
export async function readComputeService(
  region: string,
  host: string,
  as?: string,
): Promise<ComputeService> {
  const [service] = await surfaceInvalidInput(reads.listComputeServices({ region, host })).catch(
    (err: unknown) => {
      if (as && err instanceof ApplicationFailure && err.type === INVALID_INPUT)
        throw invalidInput(as, (err.details?.[0] as { reason: string }).reason);
      throw err;
    },
  );
  if (!service)
    throw invalidInput(as ?? 'host', `no nova-compute service on "${host}" in ${region}`);
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
