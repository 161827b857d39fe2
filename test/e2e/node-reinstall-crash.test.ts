// The worker killed with SIGKILL while three reinstalls run, each kill timed by watching the lab:
// once a node is cordoned for its drain, right after a host's power-off (its PXE and power-on may
// or may not have been sent), and right after a power-on (the rejoin wait may or may not have
// begun). New workers finish every reinstall,
// and each BMC's own log shows exactly one power-off, one PXE setting and one power-on. Then the
// fault matrix's hung-BMC cell runs on the same lab (test/support/fault-matrix-cell.ts).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { readInstallLog } from '../../lab';
import { waitFor } from '../../lab/wait';
import { workflowIds, type NodeReinstallResult } from '../../workflows/api';
import { reinstallDriver } from '../../scripts/bench/fault-matrix-reinstall';
import { matrixCellTest } from '../support/fault-matrix-cell';
import { powerCommands } from '../support/lab-bare-metal';
import { LabCluster } from '../support/lab-cluster';
import { killWorkerAndStartAnother, startTestStack, type TestStack } from '../support/stack';

const HOSTS = ['worker-1', 'worker-2', 'worker-3'];

let stack: TestStack;
let cluster: LabCluster;

before(
  async () => {
    // Three reinstalls run at once here: one more node than the guard's default budget.
    stack = await startTestStack('reinstall-lab.yaml', { guardBudget: 3 });
    cluster = new LabCluster(stack.lab.kubeconfigPath);
  },
  { timeout: 300_000 },
);
after(async () => stack?.stop());

async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  await waitFor(what, async () => (await check()) || what, { timeoutMs: 300_000, intervalMs: 50 });
}

it(
  'reinstalls survive SIGKILL of their worker at a drain, a power-off and a power-on: one power cycle per host',
  { timeout: 1_200_000 },
  async () => {
    const bootIds = new Map<string, string>();
    for (const host of HOSTS) bootIds.set(host, (await cluster.node(host)).bootId);
    for (const host of HOSTS) {
      const run = await stack.steward('reinstall', host, '--deploy', 'none', '--detach');
      assert.equal(run.code, 0, `${run.stdout}${run.stderr}`);
    }

    await until('worker-1 cordoned', async () => (await cluster.node('worker-1')).cordoned);
    await killWorkerAndStartAnother(stack);
    await until('worker-2 powered off', () =>
      powerCommands(stack.lab, 'worker-2').includes('set power 0'),
    );
    await killWorkerAndStartAnother(stack);
    // Its rejoin wait may or may not have begun: either way it must end once.
    await until('worker-3 powered on', () =>
      powerCommands(stack.lab, 'worker-3').includes('set power 1'),
    );
    await killWorkerAndStartAnother(stack);

    for (const host of HOSTS) {
      const result: NodeReinstallResult = await stack.client.workflow
        .getHandle(workflowIds.reinstall(host))
        .result();
      assert.equal(result.outcome, 'reinstalled', `${host}: ${result.message}`);
      assert.deepEqual(
        powerCommands(stack.lab, host),
        ['set power 0', 'set boot pxe', 'set power 1'],
        host,
      );
      assert.equal(readInstallLog(stack.lab.stateDir, host).length, 1, `${host} installed once`);
      const node = await cluster.node(host);
      assert.ok(node.ready && !node.cordoned, `${host} Ready and uncordoned`);
      assert.notEqual(node.bootId, bootIds.get(host));
    }
  },
);

it(
  "the fault matrix's cell: a reinstall (deployment none) under a hung BMC, killed: retried once it answers, nothing unsafe or doubled",
  matrixCellTest('reinstall-none/bmc-hangs', reinstallDriver('none')(), { stack: () => stack }),
);
