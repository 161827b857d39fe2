// The reinstall's decisions on a fake host (test/support/fake-bare-metal.ts): the order of its
// writes and commands, a BMC that is not the host's, an operator's retry and abort, a host that is
// not a Kubernetes node. The real activities and servers are exercised in test/e2e.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { novaActivities } from '../../activities/openstack/nova';
import type { OpenStackClient } from '../../activities/openstack/client';
import {
  decideUpdate,
  drainStatusQuery,
  INVALID_INPUT,
  nodeReinstallStatusQuery,
  workflowIds,
  type NodeReinstallInput,
} from '../../workflows/api';
import type { nodeReinstall } from '../../workflows';
import { FakeBareMetal } from '../support/fake-bare-metal';
import { pod } from '../support/fake-cluster';
import { FakeNova } from '../support/fake-nova';
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
  /** Nova, for a hypervisor's reinstall (`novaRegion`). */
  nova?: FakeNova,
): Promise<T> {
  const taskQueue = `reinstall-${++queue}`;
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: {
      ...(nova && novaActivities(() => nova as unknown as OpenStackClient)),
      ...host.activities(),
      ...guardActivities(testEnv),
    },
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

async function untilWaiting(
  handle: WorkflowHandle<typeof nodeReinstall>,
  query: (h: WorkflowHandle) => Promise<{ waitingReason?: string }> = (h) =>
    h.query(nodeReinstallStatusQuery),
): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const status = await query(handle).catch(() => undefined);
    if (status?.waitingReason) return status.waitingReason;
    await sleep(100);
  }
  throw new Error('never waited for an operator');
}

const decide = (h: WorkflowHandle, decision: 'retry' | 'skip' | 'abort' | 'approve') =>
  h.executeUpdate(decideUpdate, { args: [{ decision }] });

/** The reinstall's drain, a child workflow: its handle once it waits for an operator. */
async function drainWaiting(h: WorkflowHandle): Promise<WorkflowHandle> {
  const drain = testEnv().client.workflow.getHandle(workflowIds.drain('lab', 'w1'));
  await untilWaiting(h, () => drain.query(drainStatusQuery));
  return drain;
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

  it('NetBox down for a while (HTTP 500): shown as waited for, no operator asked, then the reinstall goes on', async () => {
    const host = new FakeBareMetal('w1');
    host.netboxDown = true;
    await run(host, async (h) => {
      let status = await h.query(nodeReinstallStatusQuery);
      // Past the reads' own retries (about 15 s), into the operation's wait.
      const running = async () => (await h.describe()).status.name === 'RUNNING';
      while (!status.unavailable && !status.waitingReason && (await running())) {
        await sleep(500);
        status = await h.query(nodeReinstallStatusQuery);
      }
      assert.match(
        status.unavailable ?? '',
        /^NetBox \(NetBox answered HTTP 500: database unavailable, since \d\d:\d\d:\d\d UTC\)$/,
      );
      assert.equal(status.waitingReason, undefined, 'an outage is not an operator question');
      // Another round of the reads' retries runs out: still waited out, still no question.
      const calls = host.netboxCalls;
      while (host.netboxCalls < calls + 5) await sleep(500);
      status = await h.query(nodeReinstallStatusQuery);
      assert.ok(status.unavailable && !status.waitingReason, JSON.stringify(status));
      assert.deepEqual(host.log, [], 'nothing changed while NetBox was down');
      host.netboxDown = false;
      const result = await h.result();
      assert.equal(result.outcome, 'reinstalled', result.message);
      assert.equal(result.unavailable, undefined);
    });
  });

  it('a drain skipped with a pod under a PodDisruptionBudget: no power-off until an operator approves a question naming the reinstall and the pod', async () => {
    const host = new FakeBareMetal('w1');
    host.node.block('web-w1');
    host.budgets.set('web-w1', ['shop/web']);
    await run(
      host,
      async (h) => {
        await decide(await drainWaiting(h), 'skip');
        const question = await untilWaiting(h);
        assert.match(
          question,
          /^power-off: reinstall\/w1 would power off w1 with 1 pods still bound to it \(1 under a PodDisruptionBudget\): shop\/web-w1 \(PodDisruptionBudget shop\/web\)/,
        );
        assert.ok(!host.log.includes('power off'), 'not powered off while asking');
        await decide(h, 'approve');
        const result = await h.result();
        assert.equal(result.outcome, 'reinstalled', result.message);
      },
      { drainTimeoutSeconds: 2 },
    );
    assert.match(host.log.join(','), /netbox failed,journal danger,.*power off,boot pxe,power on/);
  });

  it('after an operator wait the facts are read again: a pod that came during it stops the power-off', async () => {
    const host = new FakeBareMetal('w1');
    host.bmcSerial = 'SRV-9';
    await run(host, async (h) => {
      assert.match(await untilWaiting(h), /^bmc: /);
      assert.equal(host.node.pods.length, 0, 'drained before the BMC step');
      // While it waits, a pod is bound to the cordoned node (a pod with nodeName set).
      host.node.pods.push(pod('late-w1'));
      host.budgets.set('late-w1', ['shop/late']);
      host.bmcSerial = 'SRV-1';
      await decide(h, 'retry');
      assert.match(
        await untilWaiting(h),
        /^power-off: reinstall\/w1 would power off w1 with 1 pods still bound to it .*shop\/late-w1 \(PodDisruptionBudget shop\/late\)/,
      );
      assert.ok(!host.log.includes('power off'));
      // Gone by the next look: no question, the power-off goes on.
      host.node.pods.length = 0;
      await decide(h, 'retry');
      assert.equal((await h.result()).outcome, 'reinstalled');
    });
  });

  it("a host that runs Ceph OSDs is powered off only once Ceph's ok-to-stop allows its OSDs", async () => {
    const host = new FakeBareMetal('w1');
    host.node.pods.push(pod('rook-ceph-osd-3-7d4b9c-x2k4p'), pod('rook-ceph-osd-5-6f8e2a-q9w3z'));
    host.osdsMayNotStop =
      'Error EBUSY: unsafe to stop osd(s) at this time (12 PGs are or would become offline)';
    await run(host, async (h) => {
      assert.match(
        await untilWaiting(h),
        /^power-off: Ceph says OSDs 3, 5 on w1 may not stop: Error EBUSY: unsafe to stop osd\(s\)/,
      );
      assert.equal(
        host.node.pods.length,
        0,
        'the drain evicted the OSD pods; their OSDs stay known',
      );
      assert.ok(!host.log.includes('power off'));
      host.osdsMayNotStop = undefined;
      await decide(h, 'retry');
      assert.equal((await h.result()).outcome, 'reinstalled');
    });
    assert.deepEqual(host.okToStopAsked.at(-1), [3, 5]);
    assert.ok(host.log.includes('power off'));
  });

  it('a hypervisor is powered off only with no Nova instance on it, read right before', async () => {
    const host = new FakeBareMetal('w1');
    const nova = new FakeNova(['w1', 'w2'], 0);
    host.bmcSerial = 'SRV-9';
    await run(
      host,
      async (h) => {
        assert.match(await untilWaiting(h), /^bmc: /);
        // An instance lands on the disabled host (forced there) while the reinstall waits.
        nova.servers.set('vm-late', {
          id: 'vm-late',
          name: 'vm-late',
          status: 'ACTIVE',
          host: 'w1',
          taskState: null,
        });
        host.bmcSerial = 'SRV-1';
        await decide(h, 'retry');
        assert.match(
          await untilWaiting(h),
          /^power-off: 1 Nova instances still on w1: vm-late \(ACTIVE\); move them off, then retry/,
        );
        assert.ok(!host.log.includes('power off'));
        nova.servers.delete('vm-late');
        await decide(h, 'retry');
        let next = await untilWaiting(h);
        while (next.startsWith('power-off')) next = await untilWaiting(h);
        assert.ok(host.log.includes('power off') && host.log.includes('power on'), next);
        await decide(h, 'abort');
        await h.result();
        recordHistory(
          testEnv().address,
          h.workflowId,
          'node-reinstall-hypervisor-late-instance-retry',
        );
      },
      { novaRegion: 'lab' },
      nova,
    );
  });

  it("a host powered on by someone else between Steward's power-off and power-on is a problem, not Steward's boot", async () => {
    const host = new FakeBareMetal('w1');
    host.bmcSerial = 'SRV-1';
    const activities = host.activities();
    const powerOff = activities.bmcPowerOff;
    // Right after Steward's power-off, someone powers the host on from its disk.
    host.activities = () => ({
      ...activities,
      bmcPowerOff: async (a) => {
        const off = await powerOff(a);
        host.poweredOnBySomeoneElse();
        return off;
      },
    });
    await run(host, async (h) => {
      assert.match(await untilWaiting(h), /^power-on: .*someone else powered it on/);
      assert.equal(host.status, 'failed');
      assert.ok(!host.log.includes('boot pxe'), 'no PXE boot of a running host');
      await decide(h, 'abort');
      assert.equal((await h.result()).outcome, 'aborted');
    });
  });
});
