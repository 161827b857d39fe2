// upgradeNode: one node's step to one Kubernetes version, run by the upgrade as a child workflow
// so no history grows with the cluster. Drain (child) → upgrade Job pinned to the node → Ready at
// the new kubelet version → GPU device plugin restarted and GPUs back → pause and checks →
// uncordon (only if Steward cordoned). Any failure stops here and waits for an operator.
import { patched, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { NodeFacts } from '../activities/kubernetes/nodes';
import type { WaitResult } from '../activities/kubernetes/step-waits';
import {
  heartbeating,
  kubernetes as k8s,
  kubernetesLocal as k8sLocal,
} from './operation/activity-profiles';
import {
  invalidInput,
  upgradeNodeStatusQuery,
  workflowIds,
  type UpgradeNodeInput,
  type UpgradeNodeResult,
  type UpgradeNodeStatus,
  type UpgradeNodeStep,
} from './api';
import { drainForMaintenance } from './maintenance-drain';
import { LOCAL_NODE_CALLS, cordonOwner } from './node-drain';
import { OperatorGate } from './operation/operator-gate';
import { gpusBack } from './policy/gpus-back';
import { nodeCheckProblems } from './policy/node-checks';
import { recordStepDuration } from './metrics';
import { announce, showPhase } from './operation/visibility';

const POLL_SECONDS = 3;
/** Runs that started before this patch polled with durable timers and replay so. */
const STEP_WAITS_IN_ACTIVITIES = 'step-waits-in-activities';
/** Runs that started before this patch always waited for Ready in an activity of its own. */
const NODE_READY_READ_FIRST = 'node-ready-read-first';

/** Polls `read` every few seconds (durable timers) until `done`; undefined after the timeout. */
async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutSeconds: number,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() >= deadline) return undefined;
    await sleep(`${POLL_SECONDS} seconds`);
  }
}

export async function upgradeNode(input: UpgradeNodeInput): Promise<UpgradeNodeResult> {
  const { cluster, node, version } = input;
  const expectedId = workflowIds.upgradeNode(cluster, node, version);
  if (workflowInfo().workflowId !== expectedId) {
    throw invalidInput(
      'workflowId',
      `must be "${expectedId}" so that one upgrade runs per node and version`,
    );
  }
  const waits = heartbeating(input.stepTimeoutSeconds);
  /** Until `done`, for at most the step timeout; undefined after it. */
  async function waitFor<T>(
    inActivity: (deadlineMs: number) => Promise<WaitResult<T>>,
    read: () => Promise<T>,
    done: (value: T) => boolean,
  ): Promise<T | undefined> {
    if (!patched(STEP_WAITS_IN_ACTIVITIES)) {
      return pollUntil(read, done, input.stepTimeoutSeconds);
    }
    const { reached, last } = await inActivity(Date.now() + input.stepTimeoutSeconds * 1000);
    return reached ? last : undefined;
  }

  /** Runs that started before patch local-node-calls made each call a round trip through the server. */
  const calls = patched(LOCAL_NODE_CALLS) ? k8sLocal : k8s;
  const gate = new OperatorGate();
  const status: UpgradeNodeStatus = {
    node,
    version,
    step: 'drain',
    cordonedBySteward: false,
    decisions: gate.decisions,
  };
  const snapshot = (): UpgradeNodeStatus => ({ ...status, waitingReason: gate.reason });
  setHandler(upgradeNodeStatusQuery, snapshot);
  announce('k8s-upgrade-node', cluster, node);

  const show = () =>
    showPhase(
      status.step,
      `**Upgrade ${cluster}/${node} to ${version}**: ${status.step}${gate.reason ? `\nWaiting for an operator: ${gate.reason}` : ''}`,
    );

  /** Runs a step until it reports no problem, asking the operator after each problem. */
  async function step(
    name: UpgradeNodeStep,
    run: () => Promise<string | undefined>,
  ): Promise<'ok' | 'skip' | 'abort'> {
    status.step = name;
    const started = Date.now();
    const done = <T>(result: T): T => {
      recordStepDuration(name, Date.now() - started);
      return result;
    };
    for (;;) {
      show();
      const problem = await run();
      if (problem === undefined) return done('ok');
      const cordoned = status.cordonedBySteward ? `; cordoned: ${node}` : '';
      const waiting = gate.wait(`${name}: ${problem}${cordoned}`);
      show();
      const { decision } = await waiting;
      if (decision === 'skip' || decision === 'abort') return done(decision);
    }
  }

  const finish = (outcome: UpgradeNodeResult['outcome'], message: string): UpgradeNodeResult => {
    status.step = outcome === 'upgraded' ? 'done' : status.step;
    show();
    return { ...snapshot(), outcome, message };
  };
  const stopped = (decision: 'skip' | 'abort') =>
    finish(
      decision === 'skip' ? 'skipped' : 'aborted',
      `${node} ${decision === 'skip' ? 'skipped' : 'aborted'} by an operator at step ${status.step}; nothing further was done to it`,
    );

  const steps: [UpgradeNodeStep, () => Promise<string | undefined>][] = [
    [
      'drain',
      async () => {
        const drained = await drainForMaintenance(cluster, node, input.drainTimeoutSeconds);
        if ('failed' in drained) return drained.failed;
        status.cordonedBySteward = drained.cordonedBySteward;
        return drained.outcome === 'drained'
          ? undefined
          : `drain ${drained.outcome}: ${drained.message}`;
      },
    ],
    [
      'upgrade-job',
      async () => {
        const jobInput = { cluster, node, version, kubeadm: input.kubeadm, image: input.image };
        let job = await calls.ensureUpgradeJob(jobInput);
        if (
          !job.created &&
          (await calls.upgradeJobState({ cluster, name: job.name })).state === 'failed'
        ) {
          // An operator's retry after a failed Job: start it anew under the same name.
          await calls.deleteUpgradeJob({ cluster, name: job.name });
          job = await calls.ensureUpgradeJob(jobInput);
        }
        const state = await waitFor(
          (deadlineMs) => waits.awaitUpgradeJob({ cluster, name: job.name, deadlineMs }),
          () => k8s.upgradeJobState({ cluster, name: job.name }),
          (s) => s.state !== 'running',
        );
        if (!state) return `Job ${job.name} still running after ${input.stepTimeoutSeconds}s`;
        return state.state === 'failed' ? `Job ${job.name} failed: ${state.reason}` : undefined;
      },
    ],
    [
      'node-ready',
      async () => {
        const upgraded = (n: NodeFacts) => n.ready && n.kubeletVersion === version;
        // The node is usually back by the time its Job has succeeded: one local read then
        // spares the wait's round trip through the server.
        if (patched(NODE_READY_READ_FIRST) && upgraded(await calls.describeNode({ cluster, node })))
          return undefined;
        const ready = await waitFor(
          (deadlineMs) => waits.awaitNodeReady({ cluster, node, version, deadlineMs }),
          () => k8s.describeNode({ cluster, node }),
          upgraded,
        );
        return ready
          ? undefined
          : `not Ready at kubelet ${version} after ${input.stepTimeoutSeconds}s`;
      },
    ],
    [
      'device-plugin',
      async () => {
        const plugin = { cluster, node, ...input.devicePlugin };
        const before = await calls.gpuFacts(plugin);
        if (before.capacity === 0) return undefined;
        const old = before.plugins.filter((p) => !p.terminating);
        for (const pod of old) await calls.deletePodOnce({ cluster, ...pod });
        const replaced = old.map((p) => p.uid);
        const back = await waitFor(
          (deadlineMs) => waits.awaitGpusBack({ ...plugin, replaced, deadlineMs }),
          () => k8s.gpuFacts(plugin),
          (f) => gpusBack(f, replaced),
        );
        return back
          ? undefined
          : `GPUs not back (${before.capacity} expected) ${input.stepTimeoutSeconds}s after the device plugin restart`;
      },
    ],
    [
      'checks',
      async () => {
        await sleep(`${input.pauseSeconds} seconds`);
        const problems = nodeCheckProblems(
          await calls.readNodeCheckFacts({ cluster, node }),
          version,
        );
        return problems.length === 0 ? undefined : problems.join('; ');
      },
    ],
    [
      'uncordon',
      async () => {
        if (!status.cordonedBySteward) return undefined;
        const result = await calls.uncordonNode({ cluster, node, owner: cordonOwner() });
        if (result.uncordoned) return undefined;
        const facts = await calls.describeNode({ cluster, node });
        return facts.unschedulable ? result.message : undefined;
      },
    ],
  ];

  for (const [name, run] of steps) {
    const decision = await step(name, run);
    if (decision !== 'ok') return stopped(decision);
  }
  return finish(
    'upgraded',
    `${node} upgraded to ${version}${status.cordonedBySteward ? ' and uncordoned' : ''}`,
  );
}
