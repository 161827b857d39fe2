// The fault matrix's hypervisor eviction (test/fixtures/nova-lab.yaml): each run kills one
// hypervisor's nova-compute with its BMC on (hv-1 to hv-4 in turn), waits until Nova sees it
// down, and evicts it by hand under the default threshold (one host of four). Faults, with the
// lab's own switches the e2e test uses: Keystone revoking Steward's tokens before the run, a hung
// BMC (the operator retries once it answers), a partition (a second compute killed with the
// first: refused, nothing done), and a failure that spreads (two more computes killed once the
// eviction has started). Cleaning up powers the host back on, restarts the computes and takes
// every service back into service, so the next run finds four hosts up.
import { readBmcLog, setBmcFault, setComputeRunning } from '../../lab';
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

const SCENARIO = 'nova-lab.yaml';
const HOSTS = ['hv-1', 'hv-2', 'hv-3', 'hv-4'];
/** A nova-compute's start is CPU-bound: minutes on a loaded machine. */
const COMPUTE_START_MS = 300_000;

const STEPS: Record<string, string[]> = {
  none: ['fencing', 'disabling', 'evacuating', 'recording'],
  'keystone-token-revoked': ['confirming', 'fencing', 'evacuating'],
  'bmc-hangs': ['fencing', 'disabling', 'evacuating'],
  'partition-sized-failure': ['validating', 'confirming'],
  'failure-spreads-two-hosts-per-poll': ['confirming', 'fencing', 'evacuating'],
};

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
      const host = HOSTS[runOnLab % HOSTS.length];
      const others = HOSTS.filter((h) => h !== host);
      const down = fault === 'partition-sized-failure' ? [host, others[0]] : [host];
      const spread = fault === 'failure-spreads-two-hosts-per-poll' ? others.slice(0, 2) : [];
      await setComputeRunning(stack.lab.stateDir, down, false);
      await untilState(stack, down, 'down', 120_000);
      if (fault === 'keystone-token-revoked') await revokeStewardTokens(os);
      if (fault === 'bmc-hangs') setBmcFault(stack.lab.stateDir, host, 'hung', true);
      const onHost = (await listServers(os)).filter((s) => s.Host === host).map((s) => s.ID);
      const othersOffBefore = others.map((h) => powerOffs(stack, h));
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
        clearFault: async () => setBmcFault(stack.lab.stateDir, host, 'hung', false),
        async endedAsExpected(result) {
          const { outcome } = result as HypervisorEvictionResult;
          const othersFenced = others.some((h, i) => powerOffs(stack, h) > othersOffBefore[i]);
          if (othersFenced) return false;
          if (fault === 'partition-sized-failure')
            return outcome === 'refused' && powerOffs(stack, host) === 0;
          if (spread.length) return ['evicted', 'refused', 'aborted'].includes(outcome);
          const servers = await listServers(os);
          const moved = onHost.every((i) => {
            const s = servers.find((x) => x.ID === i);
            return s && s.Host !== host && s.Status === 'ACTIVE';
          });
          return outcome === 'evicted' && moved;
        },
        async cleanUp() {
          await spreading;
          setBmcFault(stack.lab.stateDir, host, 'hung', false);
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
