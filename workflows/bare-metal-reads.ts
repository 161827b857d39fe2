// What a reinstall and its dry run read before anything changes: the NetBox device, and where its
// BMC is reached (NetBox's OOB IP, else its DDNS name resolved through the configured DNS).
// Whether that BMC is this device's is the BMC activities' check (FRU serial).
import { inventoryReads as reads } from './operation/activity-profiles';
import type { DeviceFacts } from '../activities/netbox/devices';
import { invalidInput } from './api';
import { isInvalidInput } from './activity-errors';
import { chooseBmcAddress } from './policy/bmc-address';

/** The host's NetBox device; an unknown one is refused naming the input's `field`. */
export async function readDevice(node: string, field = 'node'): Promise<DeviceFacts> {
  try {
    return await reads.describeDevice({ device: node });
  } catch (err) {
    if (isInvalidInput(err)) throw invalidInput(field, err.cause.message.replace(/^device: /, ''));
    throw err;
  }
}

export async function locateBmc(device: DeviceFacts): Promise<{ address: string; label: string }> {
  const choice = chooseBmcAddress(device);
  if (choice.kind === 'oob-ip') {
    return { address: choice.address, label: `${choice.address} (NetBox OOB IP)` };
  }
  // The site's DDNS pattern is the worker's configuration.
  const { name, addresses } = await reads.resolveBmcName({ serial: device.serial });
  return { address: addresses[0], label: `${addresses[0]} (DDNS ${name})` };
}
