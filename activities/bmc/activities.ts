// The BMC activities. Each one first reads the BMC's FRU and refuses, never retried, a BMC whose
// serial is not the inventory's; then it reads state and changes only what differs. Credentials
// arrive as secret references and are resolved here, so no secret is in a workflow's history.
//
// A power cycle is two activities, not `chassis power cycle`: bmcPowerOff drives a level (a retry
// reads "off" and sends nothing); bmcPxeBoot boots a host that Steward left off. A host found on
// there was booted by someone else, and that boot is not Steward's: refused, unless this very
// activity's earlier attempt recorded (heartbeat) that it sent the power-on.
import { Context } from '@temporalio/activity';
import { invalidInput } from '../../workflows/api';
import { assertBmcSerial, fruSystemSerial } from '../../workflows/policy/bmc-serial';
import type { SecretResolver } from '../common/secrets';
import { BmcClient, DEFAULT_BMC_OPTIONS, type BmcClientOptions } from './bmc-client';
import { describeBootFlags, type PowerState } from './ipmitool-output';

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

export interface PxeBootResult {
  /** False when an earlier attempt of this activity had powered the host on already. */
  changed: boolean;
  /** The boot flags as the BMC had them before Steward set PXE, e.g. `Force PXE (invalid)`. */
  bootFlagsBefore?: string;
  message: string;
}

/** What bmcPxeBoot records before it sends the power-on, for its own retries. */
interface PxeBootProgress {
  powerOnSentAt: string;
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

    /**
     * Boots a host that is off from PXE: the boot device set (always) and read back, then the
     * power-on, verified by polling. A host already on is refused (non-retryable) unless this
     * activity's earlier attempt sent the power-on.
     */
    async bmcPxeBoot({ bmc }: BmcInput): Promise<PxeBootResult> {
      const client = await verifiedBmc(bmc);
      const ctx = Context.current();
      const earlier = ctx.info.heartbeatDetails as PxeBootProgress | undefined;
      const who = `BMC ${client.name} (${bmc.device})`;
      if ((await client.powerStatus()) === 'on') {
        if (earlier?.powerOnSentAt)
          return {
            changed: false,
            message: `${who} powered on from PXE at ${earlier.powerOnSentAt} (an earlier attempt)`,
          };
        throw client.failure(
          'poweredOnElsewhere',
          `${bmc.device} is on before Steward's power-on: someone else powered it on, and that boot is not Steward's PXE boot; power it off, then retry`,
        );
      }
      const before = describeBootFlags(await client.setBootDevicePxe());
      ctx.heartbeat({ powerOnSentAt: new Date().toISOString() } satisfies PxeBootProgress);
      await client.drivePower('on');
      return {
        changed: true,
        bootFlagsBefore: before,
        message: `${who} set to boot from PXE (it had ${before}) and powered on`,
      };
    },
  };
}
