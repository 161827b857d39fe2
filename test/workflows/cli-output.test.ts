// `steward status -o json|yaml` and every `--dry-run -o`: what scripts read, parsed back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { status } from '../../cli/commands/inspect';
import { CliError, EXIT } from '../../cli/exit-codes';
import { planOutput } from '../../cli/output';
import { decideUpdate, workflowIds } from '../../workflows/api';
import { Worker } from '@temporalio/worker';
import type { StewardConfig } from '../../workers/config';
import type { PodVerdict } from '../../workflows/api';
import { drain } from '../../cli/commands/node-operations';
import { kubernetesUpgrade } from '../../cli/commands/kubernetes-upgrade';
import { reinstall } from '../../cli/commands/reinstall';
import { evict } from '../../cli/commands/eviction';
import { cephHealth, rookUpgrade } from '../../cli/commands/rook-upgrade';
import { withBlockedDrain } from '../support/blocked-drain';
import { FakeBareMetal } from '../support/fake-bare-metal';
import { FakeCluster, pod } from '../support/fake-cluster';
import { FakeFleet } from '../support/fake-fleet';
import { FakeNova, REGION } from '../support/fake-nova';
import { FakeRookCeph } from '../support/fake-rook-ceph';
import { useTestServer, workerBundle } from '../support/temporal';
import { windowOption } from '../../cli/window-option';

const testEnv = useTestServer();

/** What `status` writes on stdout, and its exit code. */
async function captured(run: () => Promise<number>): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => ((stdout += chunk), true)) as never;
  try {
    return { code: await run(), stdout };
  } finally {
    process.stdout.write = write;
  }
}

describe('status -o', () => {
  it('json and yaml: the state, the exit code and the report, while waiting and when done', async () => {
    const { client } = testEnv();
    const id = workflowIds.drain('lab', 'o1');
    await withBlockedDrain(testEnv, 'o1', async (handle, cluster) => {
      const waiting = await captured(() => status(client, id, { output: 'json' }));
      assert.equal(waiting.code, EXIT.waiting);
      const w = JSON.parse(waiting.stdout);
      assert.deepEqual(
        [w.workflowId, w.type, w.status, w.exitCode],
        [id, 'drainNode', 'RUNNING', 3],
      );
      assert.match(w.report.waitingReason, /timed out after 1s/);

      cluster.unblock('web-1');
      await handle.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] });
      await handle.result();
      const done = await captured(() => status(client, id, { output: 'yaml' }));
      const d = parse(done.stdout);
      assert.deepEqual([d.status, d.exitCode, d.report.outcome], ['COMPLETED', 0, 'drained']);
    });
  });
});

/** Runs `command` against a worker with these fake activities, as the CLI would. */
async function withPlanWorker(
  activities: object,
  command: (config: StewardConfig) => Promise<number>,
): Promise<{ code: number; stdout: string }> {
  const taskQueue = `plans-${++plans}`;
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: await workerBundle(),
    activities,
  });
  return worker.runUntil(captured(() => command({ taskQueue } as StewardConfig)));
}
let plans = 0;

describe('--dry-run -o: every plan and ceph-health, parsed back', () => {
  it('-o without --dry-run: refused as a usage error, since a started operation is watched', () => {
    assert.throws(
      () => planOutput({ output: 'json' }),
      (err: CliError) => err.exitCode === EXIT.usage && /only with --dry-run/.test(err.message),
    );
    assert.equal(planOutput({ output: 'yaml', dryRun: true }), 'yaml');
  });

  it('drain: json, with the pods to evict and the exit code of a plan that refuses nothing', async () => {
    const cluster = new FakeCluster('p1', [pod('web-1'), pod('lone', { controller: undefined })]);
    const out = await withPlanWorker(cluster.activities(), (config) =>
      drain(
        testEnv().client,
        config,
        { cluster: 'lab', node: 'p1' },
        { dryRun: true, output: 'json' },
      ),
    );
    const plan = JSON.parse(out.stdout);
    assert.deepEqual(
      [plan.node, plan.alreadyCordoned, plan.evict.map((v: PodVerdict) => v.pod.name)],
      ['p1', false, ['web-1']],
    );
    assert.equal(plan.refuse[0].pod.name, 'lone');
    assert.match(plan.refuse[0].reason, /controller/);
    assert.equal(out.code, EXIT.failed, 'a plan that refuses a pod exits 1, as without -o');
  });

  it('k8s-upgrade: yaml, with the version path, the batches and the window now', async () => {
    const fleet = new FakeFleet([
      { name: 'cp-1', controlPlane: true },
      { name: 'w1' },
      { name: 'w2' },
    ]);
    const out = await withPlanWorker(fleet.activities(), (config) =>
      kubernetesUpgrade(
        testEnv().client,
        config,
        { cluster: 'plan-up', target: '1.33', window: windowOption('mon 00:00-00:01 UTC') },
        { dryRun: true, output: 'yaml' },
      ),
    );
    const plan = parse(out.stdout);
    assert.deepEqual(
      plan.steps.map((s: { version: string }) => s.version.split('.').slice(0, 2).join('.')),
      ['v1.32', 'v1.33'],
    );
    assert.deepEqual(plan.controlPlaneOrder, ['cp-1']);
    assert.deepEqual(plan.workerBatches.flat().sort(), ['w1', 'w2']);
    // Open one minute a week: closed now but in that minute, and then it says when it opens.
    if (plan.window.open) assert.equal(plan.window.opensAt, undefined);
    else assert.ok(Date.parse(plan.window.opensAt) > Date.now() - 60_000, plan.window.opensAt);
    assert.equal(out.code, EXIT.ok);
  });

  it('reinstall: json, with the deployment, the script and the BMC', async () => {
    const host = new FakeBareMetal('r1');
    const out = await withPlanWorker(host.activities(), (config) =>
      reinstall(
        testEnv().client,
        config,
        { node: 'r1', cluster: 'lab' },
        { dryRun: true, output: 'json' },
      ),
    );
    const plan = JSON.parse(out.stdout);
    assert.deepEqual(
      [plan.node, plan.kubernetesNode, plan.bmcSerial, plan.power, typeof plan.script.sha256],
      ['r1', true, 'SRV-1', 'on', 'string'],
    );
    assert.deepEqual(host.log, [], 'nothing changed');
  });

  it("evict: yaml, with the service, the verdict and each instance's target", async () => {
    const nova = new FakeNova(['hv-1', 'hv-2', 'hv-3'], 2);
    nova.setRunning(['hv-1'], false);
    const out = await withPlanWorker(nova.activities(), (config) =>
      evict(
        testEnv().client,
        config,
        { region: REGION, host: 'hv-1' },
        { dryRun: true, output: 'yaml' },
      ),
    );
    const plan = parse(out.stdout);
    assert.deepEqual([plan.host, plan.wouldEvict, plan.service.state], ['hv-1', true, 'down']);
    assert.equal(plan.instances.length, 2);
    for (const i of plan.instances) assert.ok(['hv-2', 'hv-3'].includes(i.target), i.target);
    assert.equal(out.code, EXIT.ok);
  });

  it('rook-upgrade and ceph-health: json, with the changes, the daemons and the verdict', async () => {
    const ceph = new FakeRookCeph();
    const out = await withPlanWorker(ceph.activities(), (config) =>
      rookUpgrade(
        testEnv().client,
        config,
        { cluster: 'plan-rook', rook: 'v1.16.7' },
        { dryRun: true, output: 'json' },
      ),
    );
    const plan = JSON.parse(out.stdout);
    assert.deepEqual(
      [plan.rook.from, plan.rook.to, plan.health.verdict.pass],
      ['v1.15.9', 'v1.16.7', true],
    );
    assert.ok(
      plan.groups.some((g: { group: string }) => g.group === 'osd'),
      JSON.stringify(plan.groups),
    );

    // Rook restarts mon.a for a new version and it stays down: the gate fails, naming the check.
    ceph.staysDown.add('mon.a');
    ceph.rook = 'v1.16.7';
    const health = await withPlanWorker(ceph.activities(), (config) =>
      cephHealth(testEnv().client, config, 'plan-rook', { output: 'yaml' }),
    );
    const report = parse(health.stdout);
    assert.deepEqual([report.cluster, report.verdict.pass], ['plan-rook', false]);
    assert.ok(report.verdict.failures.length > 0);
    for (const f of report.verdict.failures) assert.deepEqual(Object.keys(f), ['check', 'message']);
    assert.match(report.summary, /HEALTH_WARN/);
    assert.equal(health.code, EXIT.failed);
  });
});
