// The lab's own fault switches that more than one fault-matrix driver throws (the e2e tests use
// the same): a DDNS name pointed at another host's BMC, NetBox's database stopped for a while, and
// a worker whose AppRole secret ID Vault refuses. Each returns its switch off, safe to call twice.
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { bmcAddress, pointDnsName, setNetboxDatabaseRunning } from '../../lab';
import { stopDaemons } from '../../lab/daemon';
import type { TestStack } from '../../test/support/stack';

export interface Switch {
  clear(): Promise<void>;
}

export const NO_FAULT: Switch = { clear: async () => undefined };

/** How long NetBox's database stays down: a run rides it out. */
const NETBOX_OUTAGE_MS = 20_000;

/**
 * Points the DDNS name of the host at `index` (its BMC found by name) at the BMC of the host at
 * `otherIndex`: a BMC that answers the lab's shared login with the wrong serial.
 */
export async function wrongSerialBehindDdns(
  stack: TestStack,
  ddnsName: string,
  index: number,
  otherIndex: number,
): Promise<Switch> {
  const { stateDir } = stack.lab;
  await pointDnsName(stateDir, ddnsName, bmcAddress(otherIndex));
  return { clear: () => pointDnsName(stateDir, ddnsName, bmcAddress(index)) };
}

/** A server stopped now and started again after `ms`, or sooner when cleared. */
export async function outage(
  setRunning: (running: boolean) => Promise<void>,
  ms: number,
): Promise<Switch> {
  await setRunning(false);
  let back: Promise<void> | undefined;
  const clear = () => (back ??= setRunning(true));
  setTimeout(() => void clear(), ms);
  return { clear };
}

/** NetBox's database stopped: NetBox answers 5xx until it is back, by itself after 20 s. */
export const netboxOutage = (stack: TestStack) =>
  outage((running) => setNetboxDatabaseRunning(stack.lab.stateDir, running), NETBOX_OUTAGE_MS);

/**
 * The lab's secret-ID file overwritten and the worker restarted: Vault refuses its login, and a
 * worker started after a kill is refused too, until cleared (the right ID, a restarted worker).
 */
export async function vaultRefusesLogin(stack: TestStack): Promise<Switch> {
  const { lab } = stack;
  const file = lab.vault!.secretIdFile;
  const secretId = readFileSync(file, 'utf8');
  const restartWorker = async () => {
    await stopDaemons(lab.stateDir, ['worker']);
    await stack.startWorker();
  };
  writeFileSync(file, `${randomUUID()}\n`, { mode: 0o600 });
  await restartWorker();
  let cleared = false;
  return {
    async clear() {
      if (cleared) return;
      cleared = true;
      writeFileSync(file, secretId, { mode: 0o600 });
      await restartWorker();
    },
  };
}
