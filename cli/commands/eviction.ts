// steward evict HOST / steward evict-watch REGION: a hypervisor's eviction (watched, or its dry
// run), and the region's eviction watch (started once; it runs until stopped).
import type { Client } from '@temporalio/client';
import type { StewardConfig } from '../../workers/config';
import {
  workflowIds,
  type HypervisorEvictionInput,
  type HypervisorEvictionPlan,
  type HypervisorEvictionWatchInput,
} from '../../workflows/api';
import {
  describeThreshold,
  parseEvictionInput,
  parseEvictionWatchInput,
  partitionThreshold,
} from '../../workflows/policy/hypervisor-eviction-input';
import { EXIT } from '../exit-codes';
import { writeResult } from '../output';
import { renderEvictionPlan } from '../render';
import { validated, type PlanOptions } from './node-operations';
import { runReadOnly, startOperation } from './start-operation';

export async function evict(
  client: Client,
  config: StewardConfig,
  input: HypervisorEvictionInput,
  options: PlanOptions,
): Promise<number> {
  const parsed = validated(parseEvictionInput, input);
  const { region, host } = parsed;
  if (options.dryRun) {
    const plan = await runReadOnly<HypervisorEvictionPlan>(client, config, {
      workflowType: 'planHypervisorEviction',
      workflowId: workflowIds.evictPlan(region, host),
      input,
      summary: `Dry run: eviction plan for ${host} in ${region}`,
    });
    writeResult(plan, options.output, renderEvictionPlan);
    return plan.wouldEvict ? EXIT.ok : EXIT.failed;
  }
  return startOperation(
    client,
    config,
    {
      workflowType: 'hypervisorEviction',
      workflowId: workflowIds.evict(region, host),
      input,
      summary: `Evict hypervisor ${host} in ${region}: fence, force down, evacuate (${parsed.concurrency} at once)`,
      operation: 'evict',
      cluster: region,
      target: host,
    },
    options,
  );
}

/** Starts the watch and returns: it polls until it is stopped (`temporal workflow terminate`). */
export function evictWatch(
  client: Client,
  config: StewardConfig,
  input: HypervisorEvictionWatchInput,
): Promise<number> {
  const parsed = validated(parseEvictionWatchInput, input);
  return startOperation(
    client,
    config,
    {
      workflowType: 'hypervisorEvictionWatch',
      workflowId: workflowIds.evictWatch(parsed.region),
      input,
      summary: `Watch ${parsed.region}'s hypervisors every ${parsed.intervalSeconds}s (grace ${parsed.gracePolls} polls, ${describeThreshold(partitionThreshold(parsed))}) and evict failed ones`,
      operation: 'evict-watch',
      cluster: parsed.region,
      target: parsed.region,
    },
    { detach: true },
  );
}
