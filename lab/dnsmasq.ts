// Debian's dnsmasq on a loopback port: the site resolver that serves BMCs' DDNS names. One hosts
// file per name in a folder dnsmasq watches (inotify), so a record changes without a restart.
import { Resolver } from 'node:dns/promises';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from './daemon';
import { waitFor } from './wait';

export const DNS_DAEMON = 'dnsmasq';

const dnsDir = (stateDir: string) => join(stateDir, 'lab', 'dns');
const hostsDir = (stateDir: string) => join(dnsDir(stateDir), 'hosts');

/** The zone dnsmasq answers for alone (NXDOMAIN, not REFUSED, for a missing name): the pattern's
 * domain after its first label, e.g. `oob.lab.steward.dev` for `bmc-{serial}.oob.lab.steward.dev`. */
export function ddnsZone(pattern: string): string {
  const zone = pattern.slice(pattern.indexOf('.') + 1).toLowerCase();
  if (!pattern.includes('.') || zone.includes('{serial}'))
    throw new Error(`DDNS pattern "${pattern}": {serial} must be in the first label of a domain`);
  return zone;
}

/** Points `name` at `address` (written beside the folder, then renamed in: dnsmasq never reads half). */
export function setDnsRecord(stateDir: string, name: string, address: string): void {
  const staging = join(dnsDir(stateDir), `${name}.new`);
  writeFileSync(staging, `${address} ${name}\n`);
  renameSync(staging, join(hostsDir(stateDir), name));
}

/** Resolves once `server` answers `name` with `address`. */
export async function waitForDnsRecord(server: string, name: string, address: string) {
  const resolver = new Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers([server]);
  await waitFor(
    `${server} to answer ${name} with ${address}`,
    async () => {
      const answer = await resolver.resolve4(name);
      return answer.includes(address) || `answers ${answer.join(', ')}`;
    },
    { timeoutMs: 10_000, intervalMs: 50 },
  );
}

/** Starts dnsmasq detached on 127.0.0.1:`port` with `records` (name → IPv4 address). */
export async function startDns(
  stateDir: string,
  port: number,
  zone: string,
  records: Record<string, string>,
): Promise<string> {
  const dir = dnsDir(stateDir);
  rmSync(hostsDir(stateDir), { recursive: true, force: true });
  mkdirSync(hostsDir(stateDir), { recursive: true });
  for (const [name, address] of Object.entries(records)) setDnsRecord(stateDir, name, address);
  startDaemon(stateDir, {
    name: DNS_DAEMON,
    command: 'dnsmasq',
    args: [
      '--keep-in-foreground',
      `--port=${port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--no-resolv',
      '--no-hosts',
      `--hostsdir=${hostsDir(stateDir)}`,
      `--local=/${zone}/`,
      `--pid-file=${join(dir, 'dnsmasq.pid')}`,
      // Started as root, dnsmasq switches to `nobody`, who cannot read a private state dir.
      `--user=${userInfo().username}`,
      '--log-facility=-',
    ],
  });
  const server = `127.0.0.1:${port}`;
  const resolver = new Resolver({ timeout: 500, tries: 1 });
  resolver.setServers([server]);
  // Up once it answers for its zone; a name that is not there is NXDOMAIN (ENOTFOUND).
  await waitFor(
    `dnsmasq on ${server}`,
    () =>
      resolver.resolve4(`lab-probe.${zone}`).then(
        () => true,
        (err: NodeJS.ErrnoException) => err.code === 'ENOTFOUND' || String(err.code),
      ),
    { timeoutMs: 10_000, intervalMs: 50, daemon: { stateDir, name: DNS_DAEMON } },
  );
  return server;
}
