// What an eviction and its dry run read before anything changes: the host's compute service as
// Nova sees it (an unknown region or host refused naming the field), whether evicting it keeps
// within the partition threshold, and where each of its instances would go.
import { ApplicationFailure } from '@temporalio/workflow';
import { inventoryReads as reads } from './operation/activity-profiles';
import type { ComputeService, ServerFacts } from '../activities/openstack/nova';
import { INVALID_INPUT, invalidInput } from './api';
import { surfaceInvalidInput } from './activity-errors';
import { chooseTargets, type TargetChoice } from './policy/evacuation-targets';
import { partitionThreshold, type EvictionRequest } from './policy/hypervisor-eviction-input';
import {
  describePartition,
  evictedWithin,
  evictionOf,
  judgeEviction,
} from './policy/hypervisor-failures';

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

/**
 * Whether evicting the host keeps within the partition threshold, counting the hosts down now and
 * those Nova's disable reasons record as evicted within the window: the counts when it does not.
 */
export async function judgeThreshold(
  input: Pick<
    EvictionRequest,
    'region' | 'host' | 'threshold' | 'thresholdScope' | 'failureWindowMinutes'
  >,
): Promise<string | undefined> {
  const { region, host, failureWindowMinutes } = input;
  const services = await reads.listComputeServices({ region });
  const records = services.flatMap((s) => evictionOf(s) ?? []);
  const evicted = evictedWithin(records, Date.now(), failureWindowMinutes).map((r) => r.host);
  const over = judgeEviction(host, services, evicted, partitionThreshold(input));
  return over && describePartition(over, failureWindowMinutes);
}
