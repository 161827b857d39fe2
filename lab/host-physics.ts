// The lab's bare-metal physics: what a host's power does to its Kubernetes node. Run as the lab
// daemon `lab-hosts`; it follows each BMC's chassis state (lab/chassis-control.sh writes it) and
// plays power-offs and boots. See lab/README.md, "Bare metal".
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { bmcDir, bmcFaultSet, readChassis } from './bmc-state';
import { runDaemon } from './daemon';
import { install } from './installer';
import { setKubeletRunning } from './kubelet';
import { startCompute, stopCompute } from './nova/processes';
import { kubeletStartingCondition } from './objects';

export interface HostPhysicsOptions {
  stateDir: string;
  kubeconfigPath: string;
  provisioningUrl: string;
  hosts: string[];
  /** Hosts that are Kubernetes nodes (of the same name). */
  nodes: string[];
  /** Hosts that are Nova hypervisors: their nova-compute runs while they are powered and booted. */
  hypervisors: string[];
  /** From power-on (or the installer's end) to the kubelet registering. */
  bootMs: number;
  pollMs: number;
}

const strategicPatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const log = (message: string) => console.log(`${new Date().toISOString()} ${message}`);

/** Boots played, kept beside the chassis state so that a restarted daemon does not replay them. */
const playedFile = (stateDir: string, host: string) => join(bmcDir(stateDir, host), 'played-boots');

export class HostPhysics {
  private readonly core: CoreV1Api;
  /** Hosts with a power-off or boot being played; their next tick waits for it. */
  private readonly busy = new Set<string>();
  private readonly lastPower = new Map<string, number>();

  constructor(private readonly options: HostPhysicsOptions) {
    const kc = new KubeConfig();
    kc.loadFromFile(options.kubeconfigPath);
    this.core = kc.makeApiClient(CoreV1Api);
  }

  async run(signal: AbortSignal): Promise<void> {
    log(`host physics running: ${JSON.stringify({ ...this.options, hosts: undefined })}`);
    while (!signal.aborted) {
      for (const host of this.options.hosts) {
        if (this.busy.has(host)) continue;
        this.busy.add(host);
        this.tick(host)
          .catch((err: unknown) => log(`${host}: ${(err as Error).message}`))
          .finally(() => this.busy.delete(host));
      }
      await sleep(this.options.pollMs).catch(() => undefined);
    }
  }

  private async tick(host: string): Promise<void> {
    const { power, boots, lastBoot } = readChassis(this.options.stateDir, host);
    if (power === undefined || boots === undefined) return; // a state file mid-write
    const played = this.played(host);
    if (boots > played) {
      await this.boot(host, boots, lastBoot === 'pxe');
    } else if (power === 0 && this.lastPower.get(host) !== 0) {
      log(`${host}: powered off`);
      await this.setSystemRunning(host, false);
    }
    this.lastPower.set(host, power);
  }

  /** Boot number `boot`: the old system, or the installer first; then the kubelet registers. */
  private async boot(host: string, boot: number, pxe: boolean): Promise<void> {
    log(`${host}: boot ${boot} from ${pxe ? 'PXE' : 'disk'}`);
    await this.setSystemRunning(host, false);
    if (pxe) {
      const record = await install(this.options.stateDir, this.options.provisioningUrl, host, boot);
      if (record.status !== 200) {
        log(`${host}: install failed (${record.error}); the host stays in the installer`);
        this.setPlayed(host, boot);
        return;
      }
      if (bmcFaultSet(this.options.stateDir, host, 'installer-stuck')) {
        log(`${host}: installer stuck (fault installer-stuck)`);
        while (bmcFaultSet(this.options.stateDir, host, 'installer-stuck')) {
          await sleep(this.options.pollMs);
        }
      }
      log(`${host}: installed with base script sha256 ${record.sha256}`);
    }
    await sleep(this.options.bootMs);
    const now = readChassis(this.options.stateDir, host);
    this.setPlayed(host, boot);
    if (now.power !== 1 || (now.boots ?? boot) > boot) {
      log(`${host}: boot ${boot} cut short (power ${now.power}, boot ${now.boots})`);
      return;
    }
    await this.register(host);
    if (this.options.hypervisors.includes(host)) {
      startCompute(this.options.stateDir, host);
      log(`${host}: nova-compute started`);
    }
  }

  /** The kubelet of a freshly booted system: a new boot ID, NotReady until KWOK plays it Ready. */
  private async register(host: string): Promise<void> {
    if (!this.options.nodes.includes(host)) return log(`${host}: booted (not a Kubernetes node)`);
    const bootID = randomUUID();
    await this.core.patchNodeStatus(
      {
        name: host,
        body: {
          status: {
            conditions: [kubeletStartingCondition('kubelet is starting (lab host physics)')],
            nodeInfo: { bootID },
          },
        },
      },
      strategicPatch,
    );
    await this.setKubelet(host, true);
    log(`${host}: kubelet registered, boot ID ${bootID}`);
  }

  /** What runs on the host: its kubelet and, on a hypervisor, its nova-compute (cut, not stopped). */
  private async setSystemRunning(host: string, running: boolean): Promise<void> {
    await this.setKubelet(host, running);
    if (!running && this.options.hypervisors.includes(host))
      await stopCompute(this.options.stateDir, host);
  }

  private async setKubelet(host: string, running: boolean): Promise<void> {
    if (!this.options.nodes.includes(host)) return;
    await setKubeletRunning(this.options.kubeconfigPath, host, running);
  }

  /** Boots played so far: none before the first (a fresh chassis counts 0 boots). */
  private played(host: string): number {
    try {
      return Number(readFileSync(playedFile(this.options.stateDir, host), 'utf8'));
    } catch {
      return 0;
    }
  }

  private setPlayed(host: string, boots: number): void {
    writeFileSync(playedFile(this.options.stateDir, host), `${boots}\n`);
  }
}

async function main(argv: string[], stop: AbortSignal): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'state-dir': { type: 'string' },
      kubeconfig: { type: 'string' },
      provisioning: { type: 'string' },
      hosts: { type: 'string' },
      nodes: { type: 'string', default: '' },
      hypervisors: { type: 'string', default: '' },
      'boot-ms': { type: 'string', default: '2000' },
    },
  });
  if (!values['state-dir'] || !values.kubeconfig || !values.provisioning || !values.hosts)
    throw new Error(
      'usage: host-physics.ts --state-dir D --kubeconfig F --provisioning URL --hosts a,b [--nodes a] [--hypervisors a] [--boot-ms N]',
    );
  await new HostPhysics({
    stateDir: values['state-dir'],
    kubeconfigPath: values.kubeconfig,
    provisioningUrl: values.provisioning,
    hosts: values.hosts.split(','),
    nodes: values.nodes.split(',').filter(Boolean),
    hypervisors: values.hypervisors.split(',').filter(Boolean),
    bootMs: Number(values['boot-ms']),
    pollMs: 100,
  }).run(stop);
}

if (require.main === module) runDaemon(main);
