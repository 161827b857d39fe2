// The lab's bare metal, for scenarios with `hosts`: a BMC (ipmi_sim) per host, dnsmasq serving
// the DDNS names of BMCs NetBox has no OOB IP for, the provisioning endpoint (nginx), and the
// host physics that ties power and PXE boots to the Kubernetes nodes.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listDaemons, startDaemon, stopDaemons } from './daemon';
import { DNS_DAEMON, ddnsZone, setDnsRecord, startDns, waitForDnsRecord } from './dnsmasq';
import { bmcAddress, bmcCredentials, bmcDdnsName } from './hosts';
import { addToConnection } from './kubeconfig';
import { bmcDaemonName, startIpmiSim } from './ipmi-sim';
import { assertPortsFree, assertUdpPortFree, type LabPorts } from './ports';
import { PROVISIONING_DAEMON, startProvisioning } from './provisioning';
import type { ScenarioHost } from './scenario';
import { waitFor } from './wait';

export const HOST_PHYSICS_DAEMON = 'lab-hosts';

/** What `<state dir>/lab/connection.json` says about the bare metal. */
export interface BareMetalConnection {
  bmc: { port: number; ddnsPattern: string };
  dns: { server: string };
  provisioning: { url: string };
}

export interface BareMetalOptions {
  ports: Pick<LabPorts, 'bmc' | 'dns' | 'provisioning'>;
  ddnsPattern: string;
  kubeconfigPath: string;
  connectionPath: string;
  /** Hosts that are Kubernetes nodes of the same name. */
  nodes: string[];
  /** Hosts that are Nova hypervisors: power runs their nova-compute. */
  hypervisors?: string[];
  /** From power-on to the kubelet registering (default 2000 ms). */
  bootMs?: number;
}

const isBareMetalDaemon = (name: string) =>
  name.startsWith('bmc-') || [DNS_DAEMON, PROVISIONING_DAEMON, HOST_PHYSICS_DAEMON].includes(name);

export function bareMetalDaemons(stateDir: string): string[] {
  return listDaemons(stateDir).filter(isBareMetalDaemon);
}

export async function startBareMetal(
  stateDir: string,
  hosts: ScenarioHost[],
  options: BareMetalOptions,
): Promise<BareMetalConnection> {
  try {
    return await start(stateDir, hosts, options);
  } catch (err) {
    await stopBareMetal(stateDir);
    throw err;
  }
}

async function start(
  stateDir: string,
  hosts: ScenarioHost[],
  {
    ports,
    ddnsPattern,
    kubeconfigPath,
    connectionPath,
    nodes,
    hypervisors = [],
    bootMs = 2_000,
  }: BareMetalOptions,
): Promise<BareMetalConnection> {
  const zone = ddnsZone(ddnsPattern);
  await assertUdpPortFree(
    ports.bmc,
    hosts.map((_, i) => bmcAddress(i)),
  );
  await assertUdpPortFree(ports.dns, ['127.0.0.1']);
  await assertPortsFree({ dns: ports.dns, provisioning: ports.provisioning });
  hosts.forEach((host, i) => startIpmiSim(stateDir, host, bmcAddress(i), ports.bmc));
  await Promise.all(hosts.map((host, i) => waitForBmc(stateDir, host, bmcAddress(i), ports.bmc)));

  const records = Object.fromEntries(
    hosts.flatMap((h, i) =>
      h.bmc === 'ddns' ? [[bmcDdnsName(ddnsPattern, h.serial), bmcAddress(i)]] : [],
    ),
  );
  const server = await startDns(stateDir, ports.dns, zone, records);
  const url = await startProvisioning(stateDir, ports.provisioning);
  startDaemon(stateDir, {
    name: HOST_PHYSICS_DAEMON,
    command: process.execPath,
    args: [
      '--import',
      pathToFileURL(require.resolve('tsx')).href,
      join(__dirname, 'host-physics.ts'),
      `--state-dir=${stateDir}`,
      `--kubeconfig=${kubeconfigPath}`,
      `--provisioning=${url}`,
      `--hosts=${hosts.map((h) => h.name).join(',')}`,
      `--nodes=${hosts
        .map((h) => h.name)
        .filter((n) => nodes.includes(n))
        .join(',')}`,
      `--hypervisors=${hypervisors.join(',')}`,
      `--boot-ms=${bootMs}`,
    ],
  });
  const connection: BareMetalConnection = {
    bmc: { port: ports.bmc, ddnsPattern },
    dns: { server },
    provisioning: { url },
  };
  addToConnection(connectionPath, connection);
  return connection;
}

/** Answers IPMI: `ipmitool power status` with the host's credentials succeeds. */
function waitForBmc(stateDir: string, host: ScenarioHost, address: string, port: number) {
  const { username, password } = bmcCredentials(host.name);
  const args = [
    '-I',
    'lanplus',
    '-C',
    '3',
    '-R',
    '1',
    '-N',
    '1',
    '-H',
    address,
    '-p',
    String(port),
  ];
  return waitFor(
    `BMC of ${host.name} on ${address}:${port}`,
    () =>
      promisify(execFile)('ipmitool', [...args, '-U', username, '-E', 'power', 'status'], {
        env: { ...process.env, IPMI_PASSWORD: password },
      }).then(() => true),
    { timeoutMs: 15_000, intervalMs: 100, daemon: { stateDir, name: bmcDaemonName(host.name) } },
  );
}

/**
 * Points a DDNS name at another address, e.g. at another host's BMC (the wrong-serial fault), and
 * resolves once the lab's dnsmasq answers with it.
 */
export async function pointDnsName(stateDir: string, name: string, address: string) {
  const connection = JSON.parse(
    readFileSync(join(stateDir, 'lab', 'connection.json'), 'utf8'),
  ) as BareMetalConnection;
  setDnsRecord(stateDir, name, address);
  await waitForDnsRecord(connection.dns.server, name, address);
}

export async function stopBareMetal(stateDir: string): Promise<void> {
  await stopDaemons(stateDir, bareMetalDaemons(stateDir).reverse());
}
