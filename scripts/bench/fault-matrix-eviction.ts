// The fault matrix's hypervisor eviction (test/fixtures/nova-lab.yaml): each run kills one
// hypervisor's nova-compute with its BMC on (hv-1 to hv-4 in turn), waits until Nova sees it
// down, and evicts it by hand under the default threshold (one host of four). Faults, with the
// lab's own switches the e2e test uses: Keystone revoking Steward's tokens before the run, a hung
// BMC (the operator retries once it answers), a partition (a second compute killed with the
// first: refused, nothing done), a failure that spreads (two more computes killed once the
// eviction has started), Nova's API killed for 60 s (ridden out, or retried once back), and
// fault-switches.ts's: hv-2's DDNS name at hv-1's BMC (the operator aborts; no BMC powers off),
// Vault refusing the worker's login (retried once fixed), NetBox's database down for 20 s.
// Cleaning up powers the host back on, restarts the computes and takes every service back into
// service, so the next run finds four hosts up.
import { readBmcLog, setBmcFault, setComputeRunning, setNovaApiRunning } from '../../lab';
import { waitFor } from '../../lab/wait';
import { ipmitool } from '../../test/support/ipmitool';
import {
  computeServices,
  listServers,
  restoreComputeService,
  revokeStewardTokens,
} from '../../test/support/openstack';
import type { TestStack } from '../../test/support/stack';
import {
  hypervisorEvictionStatusQuery,
  workflowIds,
  type HypervisorEvictionResult,
} from '../../workflows/api';
import type { OperationDriver, PreparedRun } from './fault-matrix-run';
import {
  netboxOutage,
  NO_FAULT,
  outage,
  vaultRefusesLogin,
  wrongSerialBehindDdns,
  type Switch,
} from './fault-switches';

const SCENARIO = 'nova-lab.yaml';
const HOSTS = ['hv-1', 'hv-2', 'hv-3', 'hv-4'];
/** hv-2's BMC is found by its DDNS name (test/fixtures/nova-lab.yaml). */
const DDNS_HOST = 'hv-2';
const DDNS_NAME = 'bmc-lab-hv2.oob.lab.steward.dev';
/** A nova-compute's start is CPU-bound: minutes on a loaded machine. */
const COMPUTE_START_MS = 300_000;

const STEPS: Record<string, string[]> = {
  none: ['fencing', 'disabling', 'evacuating', 'recording'],
  'keystone-token-revoked': ['confirming', 'fencing', 'evacuating'],
  'bmc-hangs': ['fencing', 'disabling', 'evacuating'],
  'partition-sized-failure': ['validating', 'confirming'],
  'failure-spreads-two-hosts-per-poll': ['confirming', 'fencing', 'evacuating'],
  'wrong-serial-behind-ddns': ['confirming', 'fencing'],
  'vault-refuses-login': ['fencing', 'disabling', 'evacuating'],
  'netbox-5xx': ['fencing', 'evacuating', 'recording'],
  'nova-down-60s': ['validating', 'confirming', 'fencing'],
};

/** How long Nova's API stays down under `nova-down-60s`. */
const NOVA_OUTAGE_MS = 60_000;

/** The fault's switch, thrown before the run; a BMC that hangs is `host`'s. */
async function switchOn(stack: TestStack, fault: string, host: string): Promise<Switch> {
  const { stateDir } = stack.lab;
  if (fault === 'bmc-hangs') {
    setBmcFault(stateDir, host, 'hung', true);
    return { clear: async () => setBmcFault(stateDir, host, 'hung', false) };
  }
  if (fault === 'wrong-serial-behind-ddns')
    return wrongSerialBehindDdns(stack, DDNS_NAME, HOSTS.indexOf(DDNS_HOST), 0);
  if (fault === 'vault-refuses-login') return vaultRefusesLogin(stack);
  if (fault === 'netbox-5xx') return netboxOutage(stack);
  if (fault === 'nova-down-60s')
    return outage((running) => setNovaApiRunning(stateDir, running), NOVA_OUTAGE_MS);
  return NO_FAULT;
}

const untilState = (stack: TestStack, hosts: string[], state: 'up' | 'down', timeoutMs: number) =>
  waitFor(
    `${hosts.join(', ')} ${state} in Nova`,
    async () => {
      const services = await computeServices(stack.lab.openstack!);
      const wrong = hosts.filter((h) => services.find((s) => s.host === h)?.state !== state);
      return wrong.length === 0 || `not ${state}: ${wrong.join(', ')}`;
    },
    { timeoutMs, intervalMs: 1000 },
  );

const powerOffs = (stack: TestStack, host: string) =>
  readBmcLog(stack.lab.stateDir, host).filter((c) => c.command === 'set power 0').length;

export function evictionDriver(): OperationDriver {
  return {
    scenario: SCENARIO,
    // The eviction's default threshold on four hosts: one down (the one it evicts).
    bounds: { maxHostsDown: 1, maxUnschedulable: 0 },
    faults: Object.keys(STEPS),
    steps: (fault) => STEPS[fault],
    async prepare(stack, fault, runOnLab): Promise<PreparedRun> {
      const os = stack.lab.openstack!;
      const host =
        fault === 'wrong-serial-behind-ddns' ? DDNS_HOST : HOSTS[runOnLab % HOSTS.length];
      const others = HOSTS.filter((h) => h !== host);
      const down = fault === 'partition-sized-failure' ? [host, others[0]] : [host];
      const spread = fault === 'failure-spreads-two-hosts-per-poll' ? others.slice(0, 2) : [];
      await setComputeRunning(stack.lab.stateDir, down, false);
      await untilState(stack, down, 'down', 120_000);
      if (fault === 'keystone-token-revoked') await revokeStewardTokens(os);
      const onHost = (await listServers(os)).filter((s) => s.Host === host).map((s) => s.ID);
      const othersOffBefore = others.map((h) => powerOffs(stack, h));
      // Last: Nova's own fault takes the API the reads above need.
      const faultSwitch = await switchOn(stack, fault, host);
      const id = workflowIds.evict('lab', host);
      let spreading: Promise<void> | undefined;
      return {
        window: { id, kind: 'eviction', targets: [host] },
        args: ['evict', host, '--region', 'lab'],
        async step() {
          // The failure spreads once the eviction runs: two more computes die at once.
          if (spread.length) spreading ??= setComputeRunning(stack.lab.stateDir, spread, false);
          const status = await stack.client.workflow
            .getHandle(id)
            .query(hypervisorEvictionStatusQuery);
          return { name: status.step, waiting: status.waitingReason !== undefined };
        },
        clearFault: () => faultSwitch.clear(),
        async endedAsExpected(result) {
          const { outcome } = result as HypervisorEvictionResult;
          const othersFenced = others.some((h, i) => powerOffs(stack, h) > othersOffBefore[i]);
          if (othersFenced) return false;
          if (fault === 'partition-sized-failure')
            return outcome === 'refused' && powerOffs(stack, host) === 0;
          if (fault === 'wrong-serial-behind-ddns')
            return outcome === 'aborted' && powerOffs(stack, host) === 0;
          if (spread.length) return ['evicted', 'refused', 'aborted'].includes(outcome);
          if (outcome !== 'evicted') return false;
          const servers = await listServers(os);
          const moved = onHost.every((i) => {
            const s = servers.find((x) => x.ID === i);
            return s && s.Host !== host && s.Status === 'ACTIVE';
          });
          return moved;
        },
        async cleanUp() {
          await spreading;
          await faultSwitch.clear();
          const power = await ipmitool(stack.lab, SCENARIO, host, ['chassis', 'power', 'status']);
          // A fenced host boots again (its compute starts with it); a compute killed with its BMC on restarts.
          if (/off/.test(power.stdout))
            await ipmitool(stack.lab, SCENARIO, host, ['chassis', 'power', 'on']);
          else await setComputeRunning(stack.lab.stateDir, [host], true);
          await setComputeRunning(stack.lab.stateDir, [...down.slice(1), ...spread], true);
          // Nova refuses to force a host up until its restarted compute has completed the
          // evacuation records it left: asked again until it accepts.
          for (const h of HOSTS)
            await waitFor(
              `${h} back in service`,
              () =>
                restoreComputeService(os, h).then(
                  () => true,
                  (e: Error) => e.message,
                ),
              { timeoutMs: COMPUTE_START_MS, intervalMs: 2000 },
            );
          await untilState(stack, HOSTS, 'up', COMPUTE_START_MS);
        },
      };
    },
  };
}
