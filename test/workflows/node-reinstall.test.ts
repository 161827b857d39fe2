// The reinstall's decisions on a fake host (test/support/fake-bare-metal.ts): the order of its
// writes and commands, a BMC that is not the host's, an operator's retry and abort, a host that is
// not a Kubernetes node. The real activities and servers are exercised in test/e2e.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import {
  decideUpdate,
  INVALID_INPUT,
  nodeReinstallStatusQuery,
  workflowIds,
  type NodeReinstallInput,
} from '../../workflows/api';
import type { nodeReinstall } from '../../workflows';
import { FakeBareMetal } from '../support/fake-bare-metal';
import { recordHistory } from '../support/histories';
import { endGuard, guardActivities } from '../support/guard';
import { useTestServer, workflowBundle } from '../support/temporal';
import { dailyWindow, untilWaitingForWindow } from '../support/windows';

const testEnv = useTestServer();
let queue = 0;

async function run<T>(
  host: FakeBareMetal,
  body: (h: WorkflowHandle<typeof nodeReinstall>) => Promise<T>,
  input: Partial<NodeReinstallInput> = {},
): Promise<T> {
  const taskQueue = `reinstall-${++queue}`;
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: { ...host.activities(), ...guardActivities(testEnv) },
  });
  return worker
    .runUntil(async () => {
      const handle = await testEnv().client.workflow.start<typeof nodeReinstall>('nodeReinstall', {
        taskQueue,
        workflowId: workflowIds.reinstall(host.name),
        args: [{ node: host.name, cluster: 'lab', rejoinTimeoutSeconds: 5, ...input }],
      });
      return body(handle);
    })
    .finally(() => endGuard(testEnv, 'lab'));
}

async function untilWaiting(handle: WorkflowHandle<typeof nodeReinstall>): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const status = await handle.query(nodeReinstallStatusQuery);
    if (status.waitingReason) return status.waitingReason;
    await sleep(100);
  }
  throw new Error('never waited for an operator');
}

describe('nodeReinstall workflow', () => {
  it('marks NetBox, drains, powers off, boots PXE, powers on, waits for the rejoin, uncordons', async () => {
    const host = new FakeBareMetal('w1');
    const result = await run(host, (h) => h.result());
    assert.equal(result.outcome, 'reinstalled', result.message);
    assert.equal(result.deployment, 'none', 'the NetBox custom field chose it');
    assert.deepEqual(host.log, [
      'netbox staged',
      'journal info',
      'publish none',
      'power off',
      'boot pxe',
      'power on',
      'netbox active',
      'journal success',
    ]);
    assert.equal(host.node.pods.length, 0, 'drained');
    assert.equal(host.node.unschedulable, false, 'uncordoned');
  });

  it('bound to a closed maintenance window, changes nothing until it opens, then reinstalls', async () => {
    const host = new FakeBareMetal('w1');
    const opens = Date.now() + 15_000;
    const window = dailyWindow(opens, 3_600_000);
    const result = await run(
      host,
      async (h) => {
        await untilWaitingForWindow(h);
        const status = await h.query(nodeReinstallStatusQuery);
        assert.match(
          status.waitingForWindow ?? '',
          / UTC is closed; next opens at \w{3} [\d-]+ [\d:]+ UTC/,
        );
        assert.deepEqual(host.log, [], 'nothing changed before the window');
        assert.deepEqual((await h.describe()).searchAttributes.StewardPhase, [
          'waiting-for-window',
        ]);
        return h.result();
      },
      { window },
    );
    assert.equal(result.outcome, 'reinstalled', result.message);
    assert.equal(result.waitingForWindow, undefined);
    assert.ok(Date.now() >= opens - 1000, 'it waited for the window');
    assert.equal(host.log[0], 'netbox staged');
  });

  it('refuses a BMC with another serial before any power command; a retry after the fix goes on', async () => {
    const host = new FakeBareMetal('w1');
    host.bmcSerial = 'SRV-9';
    await run(host, async (h) => {
      assert.match(await untilWaiting(h), /^bmc: BMC reports serial "SRV-9".*; cordoned: w1$/);
      assert.equal(host.status, 'failed');
      assert.ok(!host.log.some((l) => l.startsWith('power') || l.startsWith('boot')));
      host.bmcSerial = 'SRV-1';
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] });
      const result = await h.result();
      assert.equal(result.outcome, 'reinstalled');
      recordHistory(testEnv().address, h.workflowId, 'node-reinstall-bmc-refused-retry');
    });
    assert.equal(host.status, 'active');
    assert.match(
      host.log.join(','),
      /netbox failed,journal danger,netbox staged,journal info,publish none/,
      'NetBox says failed while it waits and staged again on retry',
    );
  });

  it('Vault refusing the login waits before any change, naming Vault; a retry after the fix goes on', async () => {
    const host = new FakeBareMetal('w1');
    host.vaultLoginRefused = true;
    await run(host, async (h) => {
      assert.match(
        await untilWaiting(h),
        /^credentials: Vault AppRole login at auth\/approle refused \(HTTP 400\).*; nothing changed yet$/,
      );
      assert.deepEqual(host.log, [], 'NetBox, the node and the BMC untouched');
      assert.equal(host.node.unschedulable, false);
      host.vaultLoginRefused = false;
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] });
      const result = await h.result();
      assert.equal(result.outcome, 'reinstalled', result.message);
      recordHistory(testEnv().address, h.workflowId, 'node-reinstall-vault-refused-retry');
    });
    assert.equal(host.log[0], 'netbox staged');
    assert.equal(host.status, 'active');
  });

  it('Vault refusing the login, then abort: nothing changed, and the result says so', async () => {
    const host = new FakeBareMetal('w1');
    host.vaultLoginRefused = true;
    await run(host, async (h) => {
      await untilWaiting(h);
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'abort' }] });
      const result = await h.result();
      assert.equal(result.outcome, 'aborted');
      assert.equal(
        result.message,
        'reinstall of w1 aborted by an operator at credentials, before any change',
      );
    });
    assert.deepEqual(host.log, []);
    assert.equal(host.status, 'active');
  });

  it('a BMC credential reference to no secret is bad input: refused naming the field, nothing changed', async () => {
    const host = new FakeBareMetal('w1');
    await run(
      host,
      async (h) =>
        assert.rejects(h.result(), (err: unknown) => {
          assert.ok(err instanceof WorkflowFailedError, String(err));
          assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
          assert.equal(err.cause.type, INVALID_INPUT);
          assert.deepEqual(err.cause.details?.[0], {
            field: 'bmcCredentials.password',
            reason: 'no secret at secret/data/bmc/elsewhere',
          });
          return true;
        }),
      {
        bmcCredentials: {
          username: 'vault:secret/data/bmc/w1#username',
          password: 'vault:secret/data/bmc/elsewhere#password',
        },
      },
    );
    assert.deepEqual(host.log, []);
  });

  it('a node that never rejoins waits; abort leaves it cordoned and NetBox failed', async () => {
    const host = new FakeBareMetal('w1');
    host.neverRejoins = true;
    await run(host, async (h) => {
      assert.match(await untilWaiting(h), /^rejoin: w1 not back within 5s/);
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'abort' }] });
      const result = await h.result();
      assert.equal(result.outcome, 'aborted');
      assert.match(result.message, /at rejoin; NetBox says failed; w1 stays cordoned/);
    });
    assert.equal(host.status, 'failed');
    assert.equal(host.node.unschedulable, true);
  });

  it('a host that is no Kubernetes node is reinstalled without a drain or a rejoin to wait for', async () => {
    const host = new FakeBareMetal('spare', false);
    const result = await run(host, (h) => h.result(), { deployment: 'standard' });
    assert.equal(result.outcome, 'reinstalled', result.message);
    assert.equal(result.kubernetesNode, false);
    assert.equal(host.node.calls.includes('cordonNode'), false);
    assert.ok(host.log.includes('power on'));
  });
});
