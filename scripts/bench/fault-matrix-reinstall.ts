// The fault matrix's node reinstall (test/fixtures/reinstall-lab.yaml), one driver per deployment
// option: standard reinstalls worker-1, none worker-2, custom worker-3 (with the fixture's base
// script). Under a fault the target may change: `wrong-serial-behind-ddns` needs worker-2 (its BMC
// is found by DDNS name, pointed at worker-1's BMC), `pdb-never-allows` a worker with a `web` pod.
// Faults are the lab's own switches the e2e tests use: BMC faults, the `web` budget set to allow
// nothing, and those of fault-switches.ts (the DNS record, NetBox's database, Vault's login).
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Deployment } from '@kubernetes/client-node';
import { readInstallLog, setBmcFault } from '../../lab';
import type { BmcFault } from '../../lab';
import { waitFor } from '../../lab/wait';
import { FIXTURES } from '../../test/support/lab';
import { LabCluster } from '../../test/support/lab-cluster';
import type { TestStack } from '../../test/support/stack';
import { labScriptsDir } from '../stack';
import {
  drainStatusQuery,
  nodeReinstallStatusQuery,
  workflowIds,
  type DeploymentOption,
  type NodeReinstallResult,
} from '../../workflows/api';
import type { OperationDriver, PreparedRun } from './fault-matrix-run';
import {
  netboxOutage,
  NO_FAULT,
  vaultRefusesLogin,
  wrongSerialBehindDdns,
  type Switch,
} from './fault-switches';

const HOST_OF: Record<DeploymentOption, string> = {
  standard: 'worker-1',
  none: 'worker-2',
  custom: 'worker-3',
};
const DDNS_HOST = 'worker-2';
const DDNS_NAME = 'bmc-lab-w2.oob.lab.steward.dev';
/** worker-2's and worker-1's places in the scenario's hosts: their BMC addresses. */
const [DDNS_INDEX, OTHER_INDEX] = [1, 0];

/** Where each fault makes the run wait (a kill is planned in one of these, in order). */
const STEPS: Record<string, string[]> = {
  none: ['drain', 'power-off', 'power-on', 'rejoin', 'uncordon'],
  'pdb-never-allows': ['netbox-reinstalling', 'drain'],
  'node-never-ready': ['power-off', 'power-on', 'rejoin'],
  'bmc-hangs': ['bmc', 'power-off', 'power-on'],
  'bmc-refuses-boot-device': ['power-off', 'power-on', 'rejoin'],
  'wrong-serial-behind-ddns': ['drain', 'bmc'],
  'vault-refuses-login': ['credentials', 'drain', 'power-off'],
  'netbox-5xx': ['validating', 'credentials', 'netbox-reinstalling'],
};

const BMC_FAULTS: Record<string, BmcFault> = {
  'bmc-hangs': 'hung',
  'bmc-refuses-boot-device': 'refuse-boot',
  'node-never-ready': 'installer-stuck',
};

const setWebBudget = (stack: TestStack, maxUnavailable: number) =>
  stack.lab.kubectl(
    ...['patch', 'pdb', 'web', '--type=merge', '-p', JSON.stringify({ spec: { maxUnavailable } })],
  );

async function switchOn(stack: TestStack, fault: string, host: string): Promise<Switch> {
  const { lab } = stack;
  const bmcFault = BMC_FAULTS[fault];
  if (bmcFault) {
    setBmcFault(lab.stateDir, host, bmcFault, true);
    return { clear: async () => setBmcFault(lab.stateDir, host, bmcFault, false) };
  }
  if (fault === 'wrong-serial-behind-ddns')
    return wrongSerialBehindDdns(stack, DDNS_NAME, DDNS_INDEX, OTHER_INDEX);
  if (fault === 'pdb-never-allows') {
    await setWebBudget(stack, 0);
    return { clear: async () => void (await setWebBudget(stack, 1)) };
  }
  if (fault === 'netbox-5xx') return netboxOutage(stack);
  if (fault === 'vault-refuses-login') return vaultRefusesLogin(stack);
  return NO_FAULT;
}

/** A worker with a `web` pod on it: the one whose drain the `web` budget can block. */
async function workerWithWebPod(cluster: LabCluster): Promise<string> {
  for (const host of Object.values(HOST_OF))
    if ((await cluster.evictablePodsOn(host)).some((p) => p.startsWith('default/web-')))
      return host;
  throw new Error('no worker has a web pod');
}

export function reinstallDriver(deployment: DeploymentOption): () => OperationDriver {
  return () => ({
    scenario: 'reinstall-lab.yaml',
    bounds: { maxHostsDown: 0, maxUnschedulable: 1 },
    faults: Object.keys(STEPS),
    steps: (fault) => STEPS[fault],
    async prepare(stack, fault): Promise<PreparedRun> {
      const { lab } = stack;
      const cluster = new LabCluster(lab.kubeconfigPath);
      const host =
        fault === 'wrong-serial-behind-ddns'
          ? DDNS_HOST
          : fault === 'pdb-never-allows'
            ? await workerWithWebPod(cluster)
            : HOST_OF[deployment];
      let deploy: string = deployment;
      if (deployment === 'custom') {
        const script = join(labScriptsDir(lab.stateDir), 'base.sh');
        copyFileSync(join(FIXTURES, 'reinstall-custom-base.sh'), script);
        deploy = `custom:${script}`;
      }
      const installs = readInstallLog(lab.stateDir, host).length;
      const { bootId } = await cluster.node(host);
      const aborts = ['pdb-never-allows', 'node-never-ready', 'wrong-serial-behind-ddns'];
      const expectAbort = aborts.includes(fault);
      const faultSwitch = await switchOn(stack, fault, host);
      const id = workflowIds.reinstall(host);
      return {
        window: { id, kind: 'reinstall', targets: [host] },
        args: [
          ...['reinstall', host, '--deploy', deploy],
          ...(fault === 'pdb-never-allows' ? ['--drain-timeout', '20s'] : []),
          ...(fault === 'node-never-ready' ? ['--rejoin-timeout', '15s'] : []),
        ],
        async step() {
          const status = await stack.client.workflow.getHandle(id).query(nodeReinstallStatusQuery);
          const waiting = status.waitingReason !== undefined;
          if (waiting || status.step !== 'drain') return { name: status.step, waiting };
          // The drain is a child workflow: a blocked drain waits there, for its own decision.
          const drainId = workflowIds.drain(status.cluster, host);
          const drain = await stack.client.workflow
            .getHandle(drainId)
            .query(drainStatusQuery)
            .catch(() => undefined); // not started yet
          const blocked = drain?.waitingReason !== undefined;
          return { name: 'drain', waiting: blocked, ...(blocked && { asks: drainId }) };
        },
        clearFault: () => faultSwitch.clear(),
        async endedAsExpected(result) {
          const { outcome } = result as NodeReinstallResult;
          if (expectAbort) return outcome === 'aborted';
          const node = await cluster.node(host);
          const installed = readInstallLog(lab.stateDir, host).length - installs;
          return outcome === 'reinstalled' && node.ready && !node.cordoned && installed === 1;
        },
        async cleanUp() {
          await faultSwitch.clear();
          // A stuck installer finishes once cleared: the node is back when its new system is.
          const rebooted = fault === 'node-never-ready';
          await waitFor(
            `${host} Ready`,
            async () => {
              const node = await cluster.node(host);
              return node.ready && (!rebooted || node.bootId !== bootId);
            },
            { timeoutMs: 300_000, intervalMs: 1000 },
          );
          // An aborted reinstall leaves its node cordoned: the operator takes it back.
          if ((await cluster.node(host)).cordoned) {
            const back = await stack.steward('uncordon', host);
            if (back.code !== 0) throw new Error(`uncordon ${host}: ${back.stdout}${back.stderr}`);
          }
          await waitFor('web ready again', async () => {
            const web = JSON.parse(await lab.kubectl('get', 'deploy', 'web', '-o', 'json'));
            return (web as V1Deployment).status?.readyReplicas === 3;
          });
        },
      };
    },
  });
}
