// End to end through the steward CLI: a real Temporal dev server, the lab and a worker process.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { logFile, stopDaemons } from '../../lab/daemon';
import { waitFor } from '../../lab/wait';
import { loadConfig } from '../../workers/config';
import { clusterLeasesQuery, workflowIds, type Lease } from '../../workflows/api';
import { DEFAULT_LEASE_CHECK_SECONDS } from '../../workflows/policy/cluster-leases';
import { startTestStack, type TestStack } from '../support/stack';
import { WebhookReceiver } from '../support/webhook-receiver';

let stack: TestStack;
const ID = 'drain/lab/node-a';
const webhook = new WebhookReceiver();
const UPGRADE = 'k8s-upgrade/lab';

const guardLeases = async () =>
  (await stack.client.workflow.getHandle(workflowIds.guard('lab')).query(clusterLeasesQuery))
    .leases;
const holder = (lease: Lease) => lease.holder.workflowId;

before(
  async () => {
    await webhook.start();
    process.env.STEWARD_WEBHOOK_URL = webhook.url; // the worker inherits it
    stack = await startTestStack('drain-lab.yaml');
    await stack.lab.kubectl('uncordon', 'spare-1');
    await stack.lab.kubectl('uncordon', 'spare-2');
  },
  { timeout: 300_000 },
);
after(async () => {
  await stack?.stop();
  webhook.stop();
});

const unschedulable = async (node: string) =>
  JSON.parse(await stack.lab.kubectl('get', 'node', node, '-o', 'json')).spec.unschedulable ===
  true;

const podsOn = async (node: string) =>
  (
    await stack.lab.kubectl(
      'get',
      'pods',
      '-A',
      '--field-selector',
      `spec.nodeName=${node}`,
      '-o',
      'name',
    )
  )
    .split('\n')
    .filter(Boolean);

/** A drain that may evict anything but waits on the `locked` PDB, started without watching. */
const drainDetached = (timeout: string) =>
  stack.steward(
    'drain',
    'node-a',
    '--force',
    '--delete-emptydir-data',
    '--timeout',
    timeout,
    '--detach',
  );

describe('steward CLI against the lab', () => {
  it('refuses bad input naming the field, and changes nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['drain', 'no-such-node'], /node: no node "no-such-node" in cluster "lab"/],
      [['drain', 'no-such-node', '--dry-run'], /node: no node "no-such-node" in cluster "lab"/],
      [
        ['drain', 'node-a', '--cluster', 'elsewhere'],
        /cluster: unknown cluster "elsewhere" \(configured: lab\)/,
      ],
      [['drain', 'node-a', '--timeout', '-5'], /timeoutSeconds: must be greater than 0/],
      [['drain', 'Node_A'], /node: must be a Kubernetes node name/],
      [['status', 'not-an-id'], /ID: "not-an-id" is not a Steward workflow ID/],
      [['decide', ID, 'maybe'], /DECISION: "maybe" must be one of retry, skip, abort, approve/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr, stdout } = await stack.steward(...args);
      assert.equal(code, 2, `${args.join(' ')}: ${stdout}${stderr}`);
      assert.match(stderr, message);
      assert.doesNotMatch(stdout, message, 'a refusal only on stderr');
    }
    assert.equal(await unschedulable('node-a'), false);
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const { code, stdout } = await stack.steward('drain', 'node-a', '--dry-run');
    assert.equal(code, 1, stdout);
    assert.match(stdout, /evict \(5\):/);
    assert.match(stdout, /default\/debug: not managed by a controller/);
    assert.match(stdout, /default\/cache-\S+: uses emptyDir/);
    assert.match(stdout, /default\/node-exporter-\S+: managed by DaemonSet node-exporter/);
    assert.equal(await unschedulable('node-a'), false);
  });

  it('refuses a drain with unevictable pods before cordoning', async () => {
    const { code, stdout, stderr } = await stack.steward('drain', 'node-a');
    assert.equal(code, 2, stdout + stderr);
    assert.match(stderr, /^steward: refused: node: pods that cannot be evicted/m);
    assert.doesNotMatch(stdout, /refused/);
    assert.equal(await unschedulable('node-a'), false);
  });

  it('times out on a PDB that blocks, waits for an operator; abort leaves the node cordoned and says so', async () => {
    const start = await drainDetached('8s');
    assert.equal(start.code, 0, start.stdout + start.stderr);
    const waiting = await stack.steward('watch', ID, '--until-wait');
    assert.equal(waiting.code, 3, waiting.stdout + waiting.stderr);
    const status = await stack.steward('status', ID);
    assert.equal(status.code, 3);
    assert.match(
      status.stdout,
      /waiting for an operator: evict: timed out after 8s with 2 pods left/,
    );
    assert.match(
      status.stdout,
      /default\/locked-\S+: PodDisruptionBudget default\/locked allows 0 disruptions \(2\/2 healthy\)/,
    );
    const listed = await stack.steward('list');
    assert.match(listed.stdout, /drain\/lab\/node-a\s+drainNode\s+RUNNING\s+waiting-for-operator/);
    // While the drain holds the node, `steward uncordon` refuses, naming the drain's run.
    const held = await stack.steward('uncordon', 'node-a');
    assert.equal(held.code, 1, held.stdout + held.stderr);
    assert.match(held.stdout, /held by drain\/lab\/node-a \(run [0-9a-f-]+\), which still runs/);
    assert.equal(await unschedulable('node-a'), true);

    const abort = await stack.steward('decide', ID, 'abort', '--note', 'e2e');
    assert.equal(abort.code, 0, abort.stdout + abort.stderr);
    const done = await stack.steward('watch', ID);
    assert.equal(done.code, 1);
    assert.match(done.stdout, /aborted by an operator with 2 pods left; left cordoned by Steward/);
    assert.equal(await unschedulable('node-a'), true);
    assert.deepEqual(
      (await podsOn('node-a')).filter((p) => !/locked|node-exporter/.test(p)),
      [],
    );
  });

  it('retry resumes once the budget allows, and the node ends drained', async () => {
    const start = await drainDetached('5s');
    assert.equal(start.code, 0, start.stdout + start.stderr);
    assert.equal((await stack.steward('watch', ID, '--until-wait')).code, 3);
    await stack.lab.kubectl(
      'patch',
      'pdb',
      'locked',
      '--type=merge',
      '-p',
      '{"spec":{"minAvailable":1}}',
    );
    assert.equal((await stack.steward('decide', ID, 'retry')).code, 0);
    const done = await stack.steward('watch', ID);
    assert.equal(done.code, 0, done.stdout + done.stderr);
    assert.match(done.stdout, /node-a drained/);
    assert.deepEqual(
      (await podsOn('node-a')).filter((p) => !/node-exporter/.test(p)),
      [],
    );
  });

  it('uncordon returns the node Steward cordoned to service', async () => {
    const { code, stdout } = await stack.steward('uncordon', 'node-a');
    assert.equal(code, 0, stdout);
    assert.match(stdout, /uncordoned \(cordoned by drain\/lab\/node-a@[0-9a-f-]+\)/);
    assert.equal(await unschedulable('node-a'), false);
  });

  it('k8s-upgrade --dry-run plans from the real cluster and refuses bad input naming the field', async () => {
    const planned = await stack.steward(
      'k8s-upgrade',
      'lab',
      '--to',
      '1.33',
      '--max-unavailable',
      '2',
      '--dry-run',
    );
    assert.equal(planned.code, 0, planned.stdout + planned.stderr);
    assert.match(planned.stdout, /control plane at v1\.31\.14/);
    assert.match(
      planned.stdout,
      /step to v1\.32\.13:[\s\S]*add-on: snapshot-controller v8\.2\.0[\s\S]*step to v1\.33\.13:/,
    );
    assert.match(
      planned.stdout,
      /workers, batch 1: node-a, spare-1\n {2}workers, batch 2: spare-2/,
    );
    const cases: [string[], RegExp][] = [
      [
        ['--to', '1.30', '--dry-run'],
        /target: v1\.30\.14 is older than the control plane's v1\.31\.14/,
      ],
      [
        ['--to', '1.33', '--max-unavailable', '0', '--dry-run'],
        /maxUnavailable: must be a whole number above 0/,
      ],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await stack.steward('k8s-upgrade', 'lab', ...args);
      assert.equal(code, 2, `${args.join(' ')}: ${stdout}${stderr}`);
      assert.match(stderr, message);
      assert.doesNotMatch(stdout, message, 'a refusal only on stderr');
    }
  });

  it("refuses a drain while a Kubernetes upgrade holds the cluster's node budget, naming the upgrade; the abort releases it", async () => {
    const upgrade = ['k8s-upgrade', 'lab', '--to', '1.33', '--max-unavailable', '2'];
    const started = await stack.steward(...upgrade, '--approval', 'before-each-step', '--detach');
    assert.equal(started.code, 0, started.stdout + started.stderr);
    assert.equal((await stack.steward('watch', UPGRADE, '--until-wait')).code, 3);

    const drain = await stack.steward('drain', 'spare-1', '--force', '--delete-emptydir-data');
    assert.equal(drain.code, 1, drain.stdout + drain.stderr);
    assert.match(
      drain.stderr,
      /^steward: refused: cluster lab: drain refused: 1 more unavailable node\(s\) would exceed the budget of 2 \(2 taken\); held by k8s-upgrade\/lab \(kubernetes-upgrade, 2 nodes, since \S+\)$/m,
    );
    assert.equal(await unschedulable('spare-1'), false, 'nothing changed');
    const guard = await stack.steward('status', 'guard/lab');
    assert.equal(guard.code, 0, guard.stdout + guard.stderr);
    assert.match(
      guard.stdout,
      /^guard of lab: 2 of 2 nodes may be unavailable\n {2}k8s-upgrade\/lab \(kubernetes-upgrade, 2 nodes, since \S+\)\n$/,
    );

    assert.equal((await stack.steward('decide', UPGRADE, 'abort')).code, 0);
    assert.equal((await stack.steward('watch', UPGRADE)).code, 1);
    assert.deepEqual((await guardLeases()).map(holder), [], 'released when the upgrade ended');
  });

  it('a Kubernetes upgrade killed without releasing loses its lease at the next lease check', async () => {
    const upgrade = ['k8s-upgrade', 'lab', '--to', '1.33', '--approval', 'before-each-step'];
    assert.equal((await stack.steward(...upgrade, '--detach')).code, 0);
    assert.equal((await stack.steward('watch', UPGRADE, '--until-wait')).code, 3);
    assert.deepEqual((await guardLeases()).map(holder), [UPGRADE]);
    await stack.client.workflow.getHandle(UPGRADE).terminate('killed by the e2e test');
    const killedAt = Date.now();
    assert.deepEqual((await guardLeases()).map(holder), [UPGRADE], 'held until the check');
    await waitFor('the lease to expire', async () => (await guardLeases()).length === 0, {
      timeoutMs: 90_000,
    });
    const seconds = (Date.now() - killedAt) / 1000;
    assert.ok(seconds <= DEFAULT_LEASE_CHECK_SECONDS + 15, `expired after ${seconds}s`);
  });

  it("the operators' webhook heard every drain start, wait, failure and completion", async () => {
    const runs = new Map<string, string[]>();
    for (const e of webhook.eventsOf(ID)) runs.set(e.runId, [...(runs.get(e.runId) ?? []), e.kind]);
    const sequences = [...runs.values()].map((kinds) => kinds.join(' '));
    assert.deepEqual(sequences, [
      'started failed', // pods that cannot be evicted
      'started waiting completed', // aborted by an operator
      'started waiting completed', // retried once the budget allowed
    ]);
    const failed = webhook.eventsOf(ID).find((e) => e.kind === 'failed')!;
    assert.match(failed.reason ?? '', /node: pods that cannot be evicted/);
    const waiting = webhook.eventsOf(ID).find((e) => e.kind === 'waiting')!;
    assert.match(waiting.reason ?? '', /timed out after 8s with 2 pods left/);
    assert.deepEqual(waiting.decisions, ['retry', 'skip', 'abort']);
    assert.match(
      waiting.link,
      /^http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/drain%2Flab%2Fnode-a\//,
    );
  });

  it('the worker serves Prometheus metrics', async () => {
    const { metrics } = loadConfig({ STEWARD_CONFIG: stack.configPath });
    const text = await (await fetch(`http://127.0.0.1:${metrics.port}/metrics`)).text();
    assert.match(text, /^temporal_workflow_completed\{.*\} \d+/m);
    assert.match(text, /^temporal_worker_task_slots_available\{/m);
  });

  it('the worker shuts down gracefully on SIGTERM and logs structured JSON', async () => {
    await stopDaemons(stack.lab.stateDir, ['worker']);
    const lines = readFileSync(logFile(stack.lab.stateDir, 'worker'), 'utf8').trim().split('\n');
    const messages = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    assert.ok(messages.includes('worker started'));
    assert.equal(messages.at(-1), 'worker stopped');
  });
});
