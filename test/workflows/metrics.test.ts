// The worker's Prometheus figures move with a real operation: a worker process built as
// workers/main.ts builds it (Runtime exporter, workflows, interceptors) runs a small Kubernetes
// upgrade that waits at an approval point, and the test scrapes /metrics before and after.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  decideUpdate,
  kubernetesUpgradeStatusQuery,
  workflowIds,
  type KubernetesUpgradeInput,
} from '../../workflows/api';
import type { kubernetesUpgrade } from '../../workflows';
import { useTestServer } from '../support/temporal';

const testEnv = useTestServer();
const TASK_QUEUE = 'metrics';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** The value of one series, e.g. figure(text, 'steward_nodes_done_total', { outcome: 'upgraded' }). */
function figure(text: string, name: string, labels: Record<string, string> = {}): number {
  const total = text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
    .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)))
    .reduce((sum, value) => sum + value, 0);
  return total;
}

describe('worker metrics', () => {
  let worker: ChildProcess | undefined;
  after(() => {
    worker?.kill('SIGTERM');
  });

  it('counts operations, nodes, operator waits and step durations of a real run', async () => {
    const port = await freePort();
    worker = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, '../support/metrics-worker.ts')],
      {
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: testEnv().address,
          METRICS_PORT: String(port),
          TASK_QUEUE,
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (let i = 0; ; i++) {
      if (
        await scrape().then(
          () => true,
          () => false,
        )
      )
        break;
      if (i > 600) throw new Error('the worker never served /metrics');
      await sleep(100);
    }
    const input: KubernetesUpgradeInput = {
      cluster: 'metrics',
      target: '1.32',
      pauseSeconds: 1,
      approvalPoints: ['before-workers'],
    };
    const handle = await testEnv().client.workflow.start<typeof kubernetesUpgrade>(
      'kubernetesUpgrade',
      {
        taskQueue: TASK_QUEUE,
        workflowId: workflowIds.upgrade('metrics'),
        args: [input],
      },
    );
    for (let i = 0; (await handle.query(kubernetesUpgradeStatusQuery)).waiting.length === 0; i++) {
      if (i > 600) throw new Error('never waited for the approval');
      await sleep(100);
    }
    /** The figures once `ready` holds: the worker exports a workflow's values after its task. */
    const scrapeWhen = async (ready: (text: string) => boolean) => {
      for (let i = 0; i < 100; i++) {
        const text = await scrape();
        if (ready(text)) return text;
        await sleep(100);
      }
      throw new Error('the figures never moved');
    };
    const upgrade = { operation: 'k8s-upgrade', cluster: 'metrics' };
    const waitingUpgrade = { ...upgrade, phase: 'waiting-for-operator' };
    const waiting = await scrapeWhen((t) => figure(t, 'steward_operations', waitingUpgrade) === 1);
    assert.equal(figure(waiting, 'steward_operations', upgrade), 1, 'one upgrade in flight');
    // The upgrade's lease, held since it began.
    assert.match(waiting, /^steward_lease_held_seconds\{[^}]*operation="kubernetes-upgrade"/m);
    assert.equal(figure(waiting, 'steward_operator_waits', { step: 'approval' }), 1);
    // What the chart's StewardNoWorkerPolling alert reads.
    assert.ok(figure(waiting, 'temporal_num_pollers', { poller_type: 'workflow_task' }) >= 1);
    assert.equal(figure(waiting, 'steward_nodes_done', { outcome: 'upgraded' }), 1, 'cp-1');
    // No series per workflow run: no label names a workflow or a run.
    const { runId } = await handle.describe();
    const perRun = waiting
      .split('\n')
      .filter(
        (l) => /workflow_id=|run_id=/.test(l) || l.includes(handle.workflowId) || l.includes(runId),
      );
    assert.deepEqual(perRun, [], 'series labelled by a workflow or run');
    const steps = (text: string, step: string) =>
      figure(text, 'steward_step_duration_seconds_count', { step });
    assert.equal(steps(waiting, 'upgrade-job'), 1);
    assert.match(waiting, /steward_step_duration_seconds_bucket\{[^}]*le="3600"\}/);

    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve' }] });
    assert.equal((await handle.result()).phase, 'done');
    const done = await scrapeWhen(
      (t) => figure(t, 'steward_operations_finished', { workflowType: 'kubernetesUpgrade' }) === 1,
    );
    const afterCount = await scrapeWhen((t) => figure(t, 'steward_operations', upgrade) === 0);
    assert.equal(
      figure(afterCount, 'steward_operations', waitingUpgrade),
      0,
      'shown as 0, not kept',
    );
    assert.equal(
      figure(afterCount, 'steward_lease_held_seconds', { operation: 'kubernetes-upgrade' }),
      0,
      'the lease was given back',
    );
    assert.equal(figure(done, 'steward_nodes_done', { outcome: 'upgraded' }), 2);
    assert.equal(steps(done, 'drain'), 2);
    const finished = (workflowType: string) =>
      figure(done, 'steward_operations_finished', { workflowType, outcome: 'completed' });
    assert.equal(finished('kubernetesUpgrade'), 1);
    assert.equal(finished('upgradeNode'), 2);
    assert.equal(finished('drainNode'), 2);
  });
});
