// planReinstall: what a reinstall would do (deployment, script, BMC and its identity), read
// without changing anything: NetBox, the worker's script file, the cluster, the BMC's FRU and,
// on a hypervisor, Nova.
import { planReads as act } from './operation/activity-profiles';
import type { ComputeService } from '../activities/openstack/nova';
import type { NodeReinstallInput, ReinstallPlan } from './api';
import { isInvalidInput, surfaceInvalidInput } from './activity-errors';
import { readComputeService } from './hypervisor-eviction-reads';
import { planEmptying } from './reinstall-hypervisor';
import { locateBmc, readDevice } from './bare-metal-reads';
import { chooseDeployment, deploymentFields, parseReinstallInput } from './policy/reinstall-input';
import { showReadOnly } from './operation/visibility';

const describeService = (s: ComputeService) =>
  `nova-compute ${s.state}, ${s.status}${s.disabledReason ? ` ("${s.disabledReason}")` : ''}${s.forcedDown ? ', forced down' : ''}`;

export async function planReinstall(rawInput: NodeReinstallInput): Promise<ReinstallPlan> {
  const input = parseReinstallInput(rawInput);
  const { cluster, node } = input;
  showReadOnly(`Dry run: reinstall plan of ${node}`);
  const device = await readDevice(node);
  const { deployment, customScript } = chooseDeployment(input, deploymentFields(device));
  const script = await surfaceInvalidInput(
    act.checkBaseScript({ host: node, deployment, customScript }),
  );
  const kubernetesNode = await act.describeNode({ cluster, node }).then(
    () => true,
    (err: unknown) => {
      if (isInvalidInput(err)) return false;
      throw err;
    },
  );
  const hypervisor = input.novaRegion && {
    region: input.novaRegion,
    service: describeService(await readComputeService(input.novaRegion, node, 'novaRegion')),
    instances: await planEmptying(input.novaRegion, node),
  };
  const bmc = await locateBmc(device);
  const identity = await act.bmcVerifyIdentity({
    bmc: {
      device: node,
      serial: device.serial,
      address: bmc.address,
      credentials: input.bmcCredentials,
    },
  });
  return {
    node,
    cluster,
    netboxStatus: device.status,
    deployment,
    customScript,
    script,
    kubernetesNode,
    bmc: bmc.label,
    bmcSerial: identity.serial,
    power: identity.power,
    ...(hypervisor && { hypervisor }),
  };
}
