// The BMC activities. Each one first reads the BMC's FRU and refuses, never retried, a BMC whose
// serial is not the inventory's; then it reads state and changes only what differs. Credentials
// arrive as secret references and are resolved here, so no secret is in a workflow's history.
//
// A power cycle is two activities, not `chassis power cycle`: bmcPowerOff, then (boot device set)
// bmcPowerOn. Each drives a level, not an edge: a retry after a crash, or after a timed-out command
// that took effect anyway, reads the state it wanted and sends nothing; and the workflow's history
// records that the off completed before the on is scheduled, so neither is ever sent twice. An
// edge command cannot be retried safely: "on" reads the same before and after a cycle.
import { invalidInput } from '../../workflows/api';
import { assertBmcSerial, fruSystemSerial } from '../../workflows/policy/bmc-address';
import type { SecretResolver } from '../common/secrets';
import { BmcClient, DEFAULT_BMC_OPTIONS, type BmcClientOptions } from './bmc-client';
import type { PowerState } from './ipmitool-output';

export interface BmcTarget {
  /** NetBox device name (for messages). */
  device: string;
  /** The BMC's IP address: NetBox's OOB IP, or its DDNS name as resolved. */
  address: string;
  /** NetBox's serial of the device; the BMC's FRU must report it. */
  serial: string;
  /** Secret references, e.g. `vault:secret/data/bmc/node-7#username` and `...#password`. */
  credentials: { username: string; password: string };
}

export interface BmcInput {
  bmc: BmcTarget;
}

export interface BmcIdentity {
  /** The BMC as `<address>:<port>`. */
  bmc: string;
  serial: string;
  power: PowerState;
}

export interface PowerResult {
  power: PowerState;
  /** False when the BMC already reported that state (a retry after the change, say). */
  changed: boolean;
  message: string;
}

export interface BootDeviceResult {
  bootDevice: 'pxe';
  changed: boolean;
  message: string;
}

export interface BmcDeps {
  resolveSecret: SecretResolver;
  options?: Partial<BmcClientOptions>;
}

export function bmcActivities({ resolveSecret, options }: BmcDeps) {
  const clientOptions = { ...DEFAULT_BMC_OPTIONS, ...options };

  /** A client for the BMC once its FRU serial matched the inventory's. */
  async function verifiedBmc(target: BmcTarget | undefined): Promise<BmcClient> {
    if (!target) throw invalidInput('bmc', 'is required');
    for (const field of ['device', 'address', 'serial'] as const) {
      if (!target[field]?.trim()) throw invalidInput(`bmc.${field}`, 'is required');
    }
    for (const field of ['username', 'password'] as const) {
      if (!target.credentials?.[field]?.trim())
        throw invalidInput(`bmc.credentials.${field}`, 'is required (a secret reference)');
    }
    const [username, password] = await Promise.all([
      resolveSecret(target.credentials.username),
      resolveSecret(target.credentials.password),
    ]);
    const client = new BmcClient({ address: target.address, username, password }, clientOptions);
    const fru = await client.fru();
    assertBmcSerial({
      device: target.device,
      inventorySerial: target.serial,
      bmc: client.name,
      fru,
    });
    return client;
  }

  async function setPower({ bmc }: BmcInput, goal: PowerState): Promise<PowerResult> {
    const client = await verifiedBmc(bmc);
    const changed = await client.setPower(goal);
    const message = changed
      ? `BMC ${client.name} (${bmc.device}) powered ${goal}`
      : `BMC ${client.name} (${bmc.device}) was already powered ${goal}`;
    return { power: goal, changed, message };
  }

  return {
    /** The BMC is the device's (FRU serial), and its power state; a mismatch is non-retryable. */
    async bmcVerifyIdentity({ bmc }: BmcInput): Promise<BmcIdentity> {
      const client = await verifiedBmc(bmc);
      const serial = fruSystemSerial(await client.fru()) ?? '';
      return { bmc: client.name, serial, power: await client.powerStatus() };
    },

    async bmcPowerStatus({ bmc }: BmcInput): Promise<{ power: PowerState }> {
      return { power: await (await verifiedBmc(bmc)).powerStatus() };
    },

    /** Hard power-off, verified by polling; nothing is sent when the host is already off. */
    bmcPowerOff: (input: BmcInput) => setPower(input, 'off'),

    /** Power-on, verified by polling; nothing is sent when the host is already on. */
    bmcPowerOn: (input: BmcInput) => setPower(input, 'on'),

    /** Next boot from PXE (once), read back; a BMC that does not take it is non-retryable. */
    async bmcSetBootDevicePxe({ bmc }: BmcInput): Promise<BootDeviceResult> {
      const client = await verifiedBmc(bmc);
      const changed = await client.setBootDevicePxe();
      const message = changed
        ? `BMC ${client.name} (${bmc.device}) boots from PXE next`
        : `BMC ${client.name} (${bmc.device}) already boots from PXE next`;
      return { bootDevice: 'pxe', changed, message };
    },
  };
}
