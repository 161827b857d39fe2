// The eviction workflows' decisions on a fake region (test/support/fake-nova.ts: Nova's HTTP API
// under the real Nova activities, BMCs, NetBox), on the time-skipping test server: fence before
// evacuate, an unverifiable fence evacuates nothing, one evacuation per instance across retries,
// no capacity reported then moved on retry, a partition evicts nothing, the watch never starts two
// evictions of one host and keeps its grace counters across continue-as-new.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Client,
  WorkflowFailedError,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import {
  decideUpdate,
  hypervisorEvictionStatusQuery,
  hypervisorEvictionWatchStatusQuery,
  INVALID_INPUT,
  OPENSTACK_FAILURES,
  workflowIds,
  type HypervisorEvictionInput,
  type HypervisorEvictionWatchCarried,
  type HypervisorEvictionWatchInput,
  type HypervisorEvictionWatchStatus,
} from '../../workflows/api';
import type {
  hypervisorEviction,
  hypervisorEvictionWatch,
  planHypervisorEviction,
} from '../../workflows';
import { FakeNova, REGION } from '../support/fake-nova';
import { recordHistory } from '../support/histories';
import { useTimeSkippingServer, workerBundle, workflowBundle } from '../support/temporal';
import { WebhookReceiver } from '../support/webhook-receiver';
import { notificationActivities } from '../../activities/notifications/webhook';

const testEnv = useTimeSkippingServer();
const HOSTS = ['hv-1', 'hv-2', 'hv-3', 'hv-4', 'hv-5', 'hv-6', 'hv-7', 'hv-8'];
let queue = 0;

async function withWorker<T>(
  activities: Partial<Activities>,
  body: (taskQueue: string) => Promise<T>,
  bundle = workflowBundle,
): Promise<T> {
  const taskQueue = `evict-${++queue}`;
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: await bundle(),
    activities,
  });
  return worker.runUntil(body(taskQueue));
}

const startEviction = (
  taskQueue: string,
  input: Partial<HypervisorEvictionInput> & { host: string },
) =>
  testEnv().client.workflow.start<typeof hypervisorEviction>('hypervisorEviction', {
    taskQueue,
    workflowId: workflowIds.evict(input.region ?? REGION, input.host),
    args: [{ region: REGION, backoffSeconds: 5, ...input }],
  });

/**
 * A result awaited without time skipping: a skip to another workflow's far timer (the guard's)
 * while it ends would put the next eviction years later, outside the window the threshold counts.
 */
const unskipped = (handle: WorkflowHandleWithFirstExecutionRunId<typeof hypervisorEviction>) =>
  new Client({ connection: testEnv().client.connection }).workflow
    .getHandle<typeof hypervisorEviction>(handle.workflowId, handle.firstExecutionRunId)
    .result();

const startWatch = (
  taskQueue: string,
  input: Partial<HypervisorEvictionWatchInput> = {},
  carried?: HypervisorEvictionWatchCarried,
) =>
  testEnv().client.workflow.start<typeof hypervisorEvictionWatch>('hypervisorEvictionWatch', {
    taskQueue,
    workflowId: workflowIds.evictWatch(REGION),
    args: [{ region: REGION, intervalSeconds: 30, gracePolls: 2, ...input }, carried],
  });

/** Moves test time a second at a time until the eviction waits for an operator. */
async function untilWaiting(handle: WorkflowHandle<typeof hypervisorEviction>): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const status = await handle.query(hypervisorEvictionStatusQuery);
    if (status.waitingReason) return status.waitingReason;
    const run = (await handle.describe()).status.name;
    if (run !== 'RUNNING') throw new Error(`ended ${run} without waiting at ${status.step}`);
    await testEnv().sleep(1_000);
  }
  throw new Error('never waited for an operator');
}

/** Moves test time poll by poll until the watch's status satisfies `ok`. */
async function untilWatch(
  handle: WorkflowHandle<typeof hypervisorEvictionWatch>,
  ok: (s: HypervisorEvictionWatchStatus) => boolean,
): Promise<HypervisorEvictionWatchStatus> {
  let last: HypervisorEvictionWatchStatus | undefined;
  for (let i = 0; i < 200; i++) {
    try {
      last = await handle.query(hypervisorEvictionWatchStatusQuery);
      if (ok(last)) return last;
    } catch {
      // between a run and its continuation
    }
    await testEnv().sleep(5_000);
  }
  throw new Error(`watch never got there: ${JSON.stringify(last)}`);
}

/** The run ID of the latest run of `workflowId`, if there is one (an earlier test's). */
const latestRun = (workflowId: string): Promise<string | undefined> =>
  testEnv()
    .client.workflow.getHandle(workflowId)
    .describe()
    .then(
      (d) => d.runId,
      () => undefined,
    );

/**
 * Moves test time a second at a time until a run of `workflowId` other than `before` (an earlier
 * test's, the IDs being derived from the host) exists; its handle.
 */
async function untilStarted(
  workflowId: string,
  before: string | undefined,
): Promise<WorkflowHandle<typeof hypervisorEviction>> {
  for (let i = 0; i < 600; i++) {
    const runId = await latestRun(workflowId);
    if (runId !== undefined && runId !== before)
      return testEnv().client.workflow.getHandle<typeof hypervisorEviction>(workflowId, runId);
    await testEnv().sleep(1_000);
  }
  throw new Error(`${workflowId} never started`);
}

const refusedField = (field: string) => (err: unknown) => {
  assert.ok(err instanceof WorkflowFailedError, String(err));
  assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
  assert.equal(err.cause.type, INVALID_INPUT);
  assert.equal((err.cause.details?.[0] as { field: string }).field, field, err.cause.message);
  return true;
};

describe('hypervisorEviction workflow', () => {
  it('fences, forces down and disables, spreads the instances over the other hosts, records NetBox', async () => {
    const nova = new FakeNova(HOSTS.slice(0, 4), 4);
    nova.setRunning(['hv-1'], false);
    const result = await withWorker(nova.activities(), async (q) =>
      (await startEviction(q, { host: 'hv-1', concurrency: 2 })).result(),
    );
    assert.equal(result.outcome, 'evicted', result.message);
    assert.equal(result.fenced, true);
    assert.deepEqual(nova.log, ['power off hv-1', 'netbox hv-1 failed', 'journal hv-1 danger']);
    const hv1 = nova.host('hv-1');
    assert.deepEqual([hv1.power, hv1.forcedDown, hv1.enabled], ['off', true, false]);
    assert.match(hv1.disabledReason ?? '', /fenced and evicted by Steward \(evict\/lab\/hv-1\)/);
    assert.equal(nova.serversOn('hv-1').length, 0);
    assert.deepEqual(
      result.instances.map((i) => [i.state, i.expectedStatus, nova.servers.get(i.id)?.status]),
      Array(4).fill(['moved', 'ACTIVE', 'ACTIVE']),
    );
    const destinations = new Set(result.instances.map((i) => i.to));
    assert.ok(destinations.size >= 3, `spread over the hosts: ${[...destinations].join(', ')}`);
    assert.ok(result.instances.every((i) => i.to === i.target && nova.posts.get(i.id) === 1));
    assert.match(hv1.journal[0], /4 instances|hv-1-vm-1: hv-1 → hv-\d/);
  });

  it('a stopped instance ends stopped on its new host', async () => {
    const nova = new FakeNova(HOSTS.slice(0, 3), 1);
    nova.servers.get('hv-1-vm-1')!.status = 'SHUTOFF';
    nova.setRunning(['hv-1'], false);
    const result = await withWorker(nova.activities(), async (q) =>
      (await startEviction(q, { host: 'hv-1' })).result(),
    );
    assert.equal(result.outcome, 'evicted', result.message);
    assert.deepEqual(
      [result.instances[0].expectedStatus, nova.servers.get('hv-1-vm-1')?.status],
      ['SHUTOFF', 'SHUTOFF'],
    );
  });

  it('a host whose compute is up is left alone', async () => {
    const nova = new FakeNova(HOSTS.slice(0, 3));
    const result = await withWorker(nova.activities(), async (q) =>
      (await startEviction(q, { host: 'hv-2' })).result(),
    );
    assert.equal(result.outcome, 'not-failed');
    assert.deepEqual(nova.log, []);
    assert.equal(nova.host('hv-2').power, 'on');
  });

  it('the dry run says where each instance would go and that the host would be fenced, changing nothing', async () => {
    const nova = new FakeNova(HOSTS.slice(0, 4), 3);
    nova.setRunning(['hv-1'], false);
    const plan = await withWorker(nova.activities(), (taskQueue) =>
      testEnv().client.workflow.execute<typeof planHypervisorEviction>('planHypervisorEviction', {
        taskQueue,
        workflowId: workflowIds.evictPlan(REGION, 'hv-1'),
        args: [{ region: REGION, host: 'hv-1' }],
      }),
    );
    assert.equal(plan.wouldEvict, true);
    assert.equal(plan.service.state, 'down');
    assert.equal(plan.power, 'on');
    assert.deepEqual(
      plan.instances.map((i) => i.name),
      ['hv-1-vm-1', 'hv-1-vm-2', 'hv-1-vm-3'],
    );
    const targets = plan.instances.map((i) => i.target);
    assert.ok(
      targets.every((t) => t !== undefined && t !== 'hv-1' && HOSTS.includes(t)),
      targets.join(', '),
    );
    assert.ok(new Set(targets).size >= 2, `spread: ${targets.join(', ')}`);
    assert.deepEqual(nova.log, [], 'nothing changed');
    assert.equal(nova.posts.size, 0);
    const hv1 = nova.host('hv-1');
    assert.deepEqual([hv1.power, hv1.forcedDown, hv1.enabled], ['on', false, true]);
  });

  it('bad input: unknown host, unknown region, concurrency 0: refused naming the field, nothing touched', async () => {
    const nova = new FakeNova(HOSTS.slice(0, 3));
    await withWorker(nova.activities(), async (q) => {
      await assert.rejects(
        (await startEviction(q, { host: 'hv-9' })).result(),
        refusedField('host'),
      );
      await assert.rejects(
        (await startEviction(q, { host: 'hv-1', region: 'nowhere' })).result(),
        refusedField('region'),
      );
      await assert.rejects(
        (await startEviction(q, { host: 'hv-1', concurrency: 0 })).result(),
        refusedField('concurrency'),
      );
    });
    assert.deepEqual(nova.log, []);
  });

  it('a BMC that does not answer: no force-down, no evacuation, the operator is asked; abort ends it', async () => {
    const nova = new FakeNova(HOSTS.slice(0, 3));
    nova.setRunning(['hv-1'], false);
    nova.host('hv-1').bmcAnswers = false;
    await withWorker(nova.activities(), async (q) => {
      const h = await startEviction(q, { host: 'hv-1' });
      assert.match(await untilWaiting(h), /^fencing: BMC of hv-1: no answer/);
      assert.equal(nova.host('hv-1').forcedDown, false);
      assert.equal(nova.posts.size, 0);
      await assert.rejects(
        h.executeUpdate(decideUpdate, { args: [{ decision: 'skip' }] }),
        (err: Error) => /decision: must be one of retry, abort/.test(String(err.cause)),
      );
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'abort' }] });
      const result = await h.result();
      assert.equal(result.outcome, 'aborted');
      assert.match(result.message, /not verified off, nothing evacuated/);
    });
    assert.equal(nova.posts.size, 0);
    assert.deepEqual(nova.log, []);
    assert.equal(nova.host('hv-1').enabled, true);
  });

  it('a BMC that answers again after a retry: fenced, then evacuated', async () => {
    const nova = new FakeNova(HOSTS.slice(0, 3));
    nova.setRunning(['hv-1'], false);
    nova.host('hv-1').bmcAnswers = false;
    await withWorker(nova.activities(), async (q) => {
      const h = await startEviction(q, { host: 'hv-1' });
      await untilWaiting(h);
      nova.host('hv-1').bmcAnswers = true;
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] });
      const result = await h.result();
      assert.equal(result.outcome, 'evicted', result.message);
      recordHistory(testEnv().address, h.workflowId, 'hypervisor-eviction-bmc-silent-retry');
    });
    assert.equal(nova.log[0], 'power off hv-1');
  });

  it('each instance is evacuated once across activity retries (lost answers after the POST)', async () => {
    const nova = new FakeNova(HOSTS.slice(0, 4), 3);
    nova.setRunning(['hv-1'], false);
    const activities = nova.activities();
    const lostOnce = new Set<string>();
    // The POST reaches Nova, then the answer is lost: the activity is retried.
    const evacuateServer: Activities['evacuateServer'] = async (input) => {
      const result = await activities.evacuateServer!(input);
      if (!lostOnce.has(input.serverId)) {
        lostOnce.add(input.serverId);
        throw ApplicationFailure.create({
          type: OPENSTACK_FAILURES.unavailable,
          message: 'connection reset after the POST',
        });
      }
      return result;
    };
    const result = await withWorker({ ...activities, evacuateServer }, async (q) =>
      (await startEviction(q, { host: 'hv-1' })).result(),
    );
    assert.equal(result.outcome, 'evicted', result.message);
    assert.equal(lostOnce.size, 3);
    assert.deepEqual([...nova.posts.values()], [1, 1, 1]);
  });

  it('an evacuation that errs is retried after a backoff and moves; only the failed one is posted again', async () => {
    const nova = new FakeNova(HOSTS.slice(0, 3));
    nova.setRunning(['hv-1'], false);
    nova.failNext.add('hv-1-vm-2');
    const result = await withWorker(nova.activities(), async (q) =>
      (await startEviction(q, { host: 'hv-1' })).result(),
    );
    assert.equal(result.outcome, 'evicted', result.message);
    assert.deepEqual(
      result.instances.map((i) => [i.id, i.attempts, nova.posts.get(i.id)]),
      [
        ['hv-1-vm-1', 1, 1],
        ['hv-1-vm-2', 2, 2],
      ],
    );
  });

  it('no capacity: nothing posted, the instances reported; after capacity returns a retry moves them', async () => {
    const nova = new FakeNova(HOSTS.slice(0, 3));
    nova.setRunning(['hv-1'], false);
    for (const h of ['hv-2', 'hv-3']) nova.host(h).enabled = false;
    await withWorker(nova.activities(), async (q) => {
      const h = await startEviction(q, { host: 'hv-1' });
      assert.match(
        await untilWaiting(h),
        /^evacuating: 2 of 2 instances could not move: hv-1-vm-1 \(no capacity: no other hypervisor is up and enabled\)/,
      );
      assert.equal(nova.posts.size, 0);
      assert.equal(nova.serversOn('hv-1').length, 2, 'nothing lost');
      for (const host of ['hv-2', 'hv-3']) nova.host(host).enabled = true;
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] });
      const result = await h.result();
      assert.equal(result.outcome, 'evicted', result.message);
      assert.ok(result.instances.every((i) => i.state === 'moved'));
      recordHistory(testEnv().address, h.workflowId, 'hypervisor-eviction-no-capacity-retry');
    });
  });
  it('an eviction started by hand is judged against the same threshold: refused naming the counts, nothing touched', async () => {
    const nova = new FakeNova(HOSTS.slice(0, 4));
    nova.setRunning(['hv-1'], false);
    await withWorker(nova.activities(), async (q) => {
      const first = await unskipped(await startEviction(q, { host: 'hv-1' }));
      assert.equal(first.outcome, 'evicted', first.message);
      nova.setRunning(['hv-2'], false);
      const before = [...nova.log];
      const postsBefore = new Map(nova.posts);
      const second = await unskipped(await startEviction(q, { host: 'hv-2' }));
      assert.equal(second.outcome, 'refused', second.message);
      assert.match(
        second.message,
        /2 of 4 hypervisors down or evicted within 60 min in region \(hv-1 evicted, hv-2\), more than the 1 allowed/,
      );
      assert.deepEqual(nova.log, before, 'no power-off, no NetBox write');
      const hv2 = nova.host('hv-2');
      assert.deepEqual([hv2.power, hv2.forcedDown, hv2.enabled], ['on', false, true]);
      assert.deepEqual(nova.posts, postsBefore, 'nothing evacuated');
      // An operator who judges otherwise says so in the input.
      const third = await (await startEviction(q, { host: 'hv-2', threshold: 2 })).result();
      assert.equal(third.outcome, 'evicted', third.message);
    });
  });

  it("a person's disable reason is kept (the host still forced down), and the log says so", async () => {
    const nova = new FakeNova(HOSTS.slice(0, 3));
    nova.setRunning(['hv-1'], false);
    Object.assign(nova.host('hv-1'), { enabled: false, disabledReason: 'RMA 4711: dead disk' });
    const result = await withWorker(nova.activities(), async (q) =>
      (await startEviction(q, { host: 'hv-1' })).result(),
    );
    assert.equal(result.outcome, 'evicted', result.message);
    const hv1 = nova.host('hv-1');
    assert.deepEqual(
      [hv1.forcedDown, hv1.enabled, hv1.disabledReason],
      [true, false, 'RMA 4711: dead disk'],
    );
    assert.match(result.log.join('\n'), /kept the reason a person gave \("RMA 4711: dead disk"\)/);
  });

  it('after a wait at the fence, Nova and the threshold are read again: nothing powered off when they changed', async () => {
    const nova = new FakeNova(HOSTS.slice(0, 4));
    nova.setRunning(['hv-1'], false);
    nova.host('hv-1').bmcAnswers = false;
    await withWorker(nova.activities(), async (q) => {
      const h = await startEviction(q, { host: 'hv-1' });
      assert.match(await untilWaiting(h), /^fencing: BMC of hv-1: no answer/);
      // While the eviction waits, a second host fails: one of four is all the threshold allows.
      nova.host('hv-1').bmcAnswers = true;
      nova.setRunning(['hv-2'], false);
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] });
      assert.match(
        await untilWaiting(h),
        /^fencing: 2 of 4 hypervisors down in region \(hv-1, hv-2\), more than the 1 allowed: hv-1 not fenced/,
      );
      // hv-2 is back, and so is hv-1's compute: it is no longer to be evicted.
      nova.setRunning(['hv-1', 'hv-2'], true);
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] });
      assert.match(await untilWaiting(h), /^fencing: hv-1's nova-compute is up again in lab/);
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'abort' }] });
      assert.equal((await h.result()).outcome, 'aborted');
    });
    assert.deepEqual(nova.log, [], 'no power-off, no NetBox write');
    assert.equal(nova.host('hv-1').power, 'on');
  });

  it('a failure that spreads between the check and the fence: the threshold is read again before the first power-off', async () => {
    const nova = new FakeNova(HOSTS.slice(0, 4));
    nova.setRunning(['hv-1'], false);
    const activities = nova.activities();
    await withWorker(
      {
        ...activities,
        // Read right after the threshold's check passed: two more hosts fail meanwhile, as a
        // worker SIGKILLed there would find when it resumes (the fault matrix found it).
        describeDevice: async (args) => {
          nova.setRunning(['hv-2', 'hv-3'], false);
          return activities.describeDevice!(args);
        },
      },
      async (q) => {
        const h = await startEviction(q, { host: 'hv-1' });
        assert.match(
          await untilWaiting(h),
          /^fencing: 3 of 4 hypervisors down in region \(hv-1, hv-2, hv-3\), more than the 1 allowed: hv-1 not fenced/,
        );
        await h.executeUpdate(decideUpdate, { args: [{ decision: 'abort' }] });
        assert.equal((await h.result()).outcome, 'aborted');
      },
    );
    assert.deepEqual(nova.log, [], 'no power-off, no NetBox write');
    assert.equal(nova.host('hv-1').power, 'on');
  });

  it('a failure that spreads after the fence: the threshold is read again before evacuating, nothing moved', async () => {
    const nova = new FakeNova(HOSTS.slice(0, 4));
    nova.setRunning(['hv-1'], false);
    const activities = nova.activities();
    await withWorker(
      {
        ...activities,
        // hv-1 fenced and disabled; two more hosts fail before its instances move.
        setComputeServiceEnabled: async (args) => {
          const answer = await activities.setComputeServiceEnabled!(args);
          nova.setRunning(['hv-2', 'hv-3'], false);
          return answer;
        },
      },
      async (q) => {
        const h = await startEviction(q, { host: 'hv-1' });
        assert.match(
          await untilWaiting(h),
          /^evacuating: .*more than the 1 allowed: nothing \(more\) evacuated from hv-1/,
        );
        assert.equal(nova.posts.size, 0, 'nothing evacuated');
        await h.executeUpdate(decideUpdate, { args: [{ decision: 'abort' }] });
        assert.equal((await h.result()).outcome, 'aborted');
      },
    );
    assert.equal(nova.host('hv-1').power, 'off', 'fenced: the one power-off');
  });

  it('the BMC is read again before evacuating after an operator wait: a host powered on meanwhile is not evacuated', async () => {
    const nova = new FakeNova(HOSTS.slice(0, 3));
    nova.setRunning(['hv-1'], false);
    for (const h of ['hv-2', 'hv-3']) nova.host(h).enabled = false;
    await withWorker(nova.activities(), async (q) => {
      const h = await startEviction(q, { host: 'hv-1' });
      assert.match(await untilWaiting(h), /^evacuating: 2 of 2 instances could not move/);
      // Someone powers the host on while the eviction waits; capacity returns.
      nova.host('hv-1').power = 'on';
      for (const host of ['hv-2', 'hv-3']) nova.host(host).enabled = true;
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] });
      assert.match(await untilWaiting(h), /hv-1's BMC reads power on/);
      assert.equal(nova.posts.size, 0, 'nothing evacuated');
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'abort' }] });
      assert.equal((await h.result()).outcome, 'aborted');
      recordHistory(testEnv().address, h.workflowId, 'hypervisor-eviction-powered-on-retry');
    });
    assert.equal(nova.posts.size, 0);
    assert.equal(nova.serversOn('hv-1').length, 2, 'nothing lost');
  });

  it('the BMC is read again after a backoff: a host powered on meanwhile gets no second evacuation', async () => {
    const nova = new FakeNova(HOSTS.slice(0, 3));
    nova.setRunning(['hv-1'], false);
    nova.failNext.add('hv-1-vm-2');
    const activities = nova.activities();
    // The first evacuation of vm-2 errs; the host comes back on while the eviction backs off.
    const awaitEvacuation: Activities['awaitEvacuation'] = async (input) => {
      const facts = await activities.awaitEvacuation!(input);
      if (input.serverId === 'hv-1-vm-2' && facts.server.status === 'ERROR')
        nova.host('hv-1').power = 'on';
      return facts;
    };
    await withWorker({ ...activities, awaitEvacuation }, async (q) => {
      const h = await startEviction(q, { host: 'hv-1', concurrency: 1 });
      assert.match(await untilWaiting(h), /hv-1's BMC reads power on/);
      assert.deepEqual([nova.posts.get('hv-1-vm-1'), nova.posts.get('hv-1-vm-2')], [1, 1]);
      await h.terminate('test done');
    });
  });
});

describe('hypervisorEvictionWatch workflow', () => {
  it('bad threshold: refused naming the field', async () => {
    const nova = new FakeNova(HOSTS);
    await withWorker(nova.activities(), async (q) => {
      await assert.rejects(
        (await startWatch(q, { threshold: 0 })).result(),
        refusedField('threshold'),
      );
      await assert.rejects(
        (await startWatch(q, { threshold: 'half' })).result(),
        refusedField('threshold'),
      );
    });
  });

  it('a failure that spreads host by host stops at the threshold: evicted hosts count for the window, across continue-as-new', async () => {
    const nova = new FakeNova(HOSTS.slice(0, 4));
    await withWorker(nova.activities(), async (q) => {
      // 4 hosts, the default threshold (2 hosts and 25 %): 1 host. A new run after every poll.
      const h = await startWatch(
        q,
        { intervalSeconds: 5, gracePolls: 2 },
        { streaks: {}, started: [], polls: 0, continueAsNewAfterPolls: 1 },
      );
      const earlier = await latestRun(workflowIds.evict(REGION, 'hv-1'));
      nova.setRunning(['hv-1'], false);
      const first = await (await untilStarted(workflowIds.evict(REGION, 'hv-1'), earlier)).result();
      assert.equal(first.outcome, 'evicted', first.message);
      nova.setRunning(['hv-2'], false);
      const stopped = await untilWatch(h, (s) => s.partition !== undefined);
      nova.setRunning(['hv-3'], false);
      const later = await untilWatch(h, (s) => s.polls >= stopped.polls + 6);
      assert.match(
        later.partition ?? '',
        /3 of 4 hypervisors down or evicted within 60 min in region \(hv-1 evicted, hv-2, hv-3\), more than the 1 allowed/,
      );
      assert.deepEqual(
        later.recentEvictions.map((e) => e.host),
        ['hv-1'],
      );
      await h.terminate('test done');
    });
    assert.deepEqual(
      nova.log.filter((l) => l.startsWith('power off')),
      ['power off hv-1'],
    );
    for (const host of ['hv-2', 'hv-3']) {
      const x = nova.host(host);
      assert.deepEqual([x.power, x.enabled, x.forcedDown], ['on', true, false], host);
      const posted = [...nova.posts.keys()].filter((id) => id.startsWith(`${host}-vm-`));
      assert.deepEqual(posted, [], `${host} not evacuated`);
    }
  });

  it('a Nova outage over many polls: the watch says nova-unreachable, keeps polling, and evicts once Nova answers', async () => {
    const nova = new FakeNova(HOSTS.slice(0, 4));
    const activities = nova.activities();
    let outage = true;
    const listComputeServices: Activities['listComputeServices'] = async (input) => {
      if (outage)
        throw ApplicationFailure.create({
          type: OPENSTACK_FAILURES.unavailable,
          message: 'compute GET /os-services in lab: HTTP 503: Service Unavailable',
        });
      return activities.listComputeServices!(input);
    };
    await withWorker({ ...activities, listComputeServices }, async (q) => {
      const h = await startWatch(q, { intervalSeconds: 5, gracePolls: 1 });
      const during = await untilWatch(h, (s) => s.polls >= 8);
      assert.match(during.novaUnreachable ?? '', /HTTP 503: Service Unavailable/);
      const { status, searchAttributes } = await h.describe();
      assert.equal(status.name, 'RUNNING');
      assert.deepEqual(searchAttributes.StewardPhase, ['nova-unreachable']);
      outage = false;
      const earlier = await latestRun(workflowIds.evict(REGION, 'hv-2'));
      nova.setRunning(['hv-2'], false);
      const evicted = await (
        await untilStarted(workflowIds.evict(REGION, 'hv-2'), earlier)
      ).result();
      assert.equal(evicted.outcome, 'evicted', evicted.message);
      assert.equal((await h.query(hypervisorEvictionWatchStatusQuery)).novaUnreachable, undefined);
      await h.terminate('test done');
    });
    assert.equal(nova.host('hv-2').power, 'off');
  });

  it('a partition (half the hosts down) evicts nothing and says so, to the webhook once; it judges again every poll', async () => {
    const nova = new FakeNova(HOSTS);
    nova.setRunning(['hv-1', 'hv-2', 'hv-3', 'hv-4'], false);
    const webhook = new WebhookReceiver();
    await webhook.start();
    const notifications = notificationActivities({ url: webhook.url, uiUrl: 'http://ui' });
    await withWorker(
      { ...nova.activities(), ...notifications },
      async (q) => {
        const h = await startWatch(q);
        const seen = await untilWatch(h, (s) => s.polls >= 4);
        assert.match(
          seen.partition ?? '',
          /4 of 8 hypervisors down in region .*more than the 2 allowed/,
        );
        assert.deepEqual(seen.startedThisRun, []);
        const description = await h.describe();
        assert.deepEqual(description.searchAttributes.StewardPhase, ['partition-suspected']);
        assert.equal(nova.log.length, 0);
        assert.equal(nova.posts.size, 0);
        // Services back: the partition clears, nothing was touched.
        nova.setRunning(['hv-1', 'hv-2', 'hv-3', 'hv-4'], true);
        const cleared = await untilWatch(h, (s) => s.polls > seen.polls && !s.partition);
        assert.deepEqual(cleared.waiting, []);
        recordHistory(testEnv().address, h.workflowId, 'hypervisor-eviction-watch-partition');
        const events = await webhook.until(3);
        await h.terminate('test done');
        webhook.stop();
        assert.deepEqual(
          events.map((e) => [e.kind, e.reason?.replace(/:.*/, '')]),
          [
            ['started', undefined],
            ['alert', `partition suspected in ${REGION}, evicting nothing`],
            ['alert', `partition over in ${REGION}`],
          ],
        );
      },
      workerBundle,
    );
    assert.ok(
      [...nova.hosts.values()].every((x) => x.power === 'on' && x.enabled && !x.forcedDown),
    );
  });

  it('starts one eviction per failed host after the grace, never two, across continue-as-new', async () => {
    const nova = new FakeNova(HOSTS);
    nova.setRunning(['hv-3'], false);
    // The eviction waits at its fence, so the host stays failed and enabled poll after poll.
    nova.host('hv-3').bmcAnswers = false;
    await withWorker(nova.activities(), async (q) => {
      // Grace 3 polls, a new run after every poll: only carried counters reach 3.
      const h = await startWatch(
        q,
        { gracePolls: 3 },
        { streaks: {}, started: [], polls: 0, continueAsNewAfterPolls: 1 },
      );
      const first = await untilWatch(h, (s) => s.evicting.includes('hv-3'));
      assert.equal(first.polls, 3);
      await untilWatch(h, (s) => s.polls >= first.polls + 4);
      const eviction = testEnv().client.workflow.getHandle(workflowIds.evict(REGION, 'hv-3'));
      const desc = await eviction.describe();
      assert.equal(desc.status.name, 'RUNNING');
      const history = await eviction.fetchHistory();
      assert.equal(history.events?.[0].eventId?.toString(), '1', 'one run of the eviction');
      await eviction.terminate('test done');
      await h.terminate('test done');
    });
  });

  it('an eviction already running for the host (started by hand) is taken as fine', async () => {
    const nova = new FakeNova(HOSTS);
    nova.setRunning(['hv-5'], false);
    nova.host('hv-5').bmcAnswers = false;
    await withWorker(nova.activities(), async (q) => {
      const manual = await startEviction(q, { host: 'hv-5' });
      await untilWaiting(manual);
      const h = await startWatch(q, { gracePolls: 1 });
      const seen = await untilWatch(h, (s) => s.polls >= 3);
      assert.deepEqual(seen.evicting, ['hv-5']);
      assert.deepEqual(seen.startedThisRun, [], 'the manual one was there first');
      assert.equal((await manual.describe()).status.name, 'RUNNING');
      await manual.terminate('test done');
      await h.terminate('test done');
    });
  });
});
