// planHypervisorEviction: what an eviction would do, read without changing anything: Nova's view
// of the host and the partition threshold, its BMC with the checked serial and power, and where
// each instance would go.
import { planReads as reads } from './operation/activity-profiles';
import { requireWorkflowId } from './operation/workflow-id';
import { workflowIds, type HypervisorEvictionInput, type HypervisorEvictionPlan } from './api';
import { judgeThreshold, planTargets, readComputeService } from './hypervisor-eviction-reads';
import { parseEvictionInput } from './policy/hypervisor-eviction-input';
import { locateBmc, readDevice } from './bare-metal-reads';
import { showReadOnly } from './operation/visibility';

export async function planHypervisorEviction(
  rawInput: HypervisorEvictionInput,
): Promise<HypervisorEvictionPlan> {
  const input = parseEvictionInput(rawInput);
  const { region, host, bmcCredentials } = input;
  requireWorkflowId(workflowIds.evictPlan(region, host), 'one dry run runs per host');
  showReadOnly(`Dry run: eviction plan of hypervisor ${host} in ${region}`);
  const service = await readComputeService(region, host);
  const overThreshold = service.state === 'down' ? await judgeThreshold(input) : undefined;
  const device = await readDevice(host, 'host');
  const located = await locateBmc(device);
  const identity = await reads.bmcVerifyIdentity({
    bmc: {
      device: host,
      serial: device.serial,
      credentials: bmcCredentials,
      address: located.address,
    },
  });
  const servers = await reads.listServersOnHost({ region, host });
  const choices = await planTargets(region, host, servers);
  return {
    region,
    host,
    service: { state: service.state, status: service.status, forcedDown: service.forcedDown },
    wouldEvict: service.state === 'down' && overThreshold === undefined,
    overThreshold,
    bmc: located.label,
    bmcSerial: identity.serial,
    power: identity.power,
    instances: servers.map((s, n) => {
      const choice = choices[n];
      return {
        id: s.id,
        name: s.name,
        status: s.status,
        ...('target' in choice ? { target: choice.target } : { reason: choice.reason }),
      };
    }),
  };
}
