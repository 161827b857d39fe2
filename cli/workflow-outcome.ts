// Turns a finished or running workflow into text and an exit code.
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure, type QueryDefinition } from '@temporalio/common';
import {
  clusterLeasesQuery,
  type CephHealthReport,
  rookCephUpgradeStatusQuery,
  type RookCephUpgradeResult,
  kubernetesUpgradeStatusQuery,
  nodeReinstallStatusQuery,
  type NodeReinstallResult,
  upgradeNodeStatusQuery,
  type KubernetesUpgradeResult,
  type UpgradeNodeResult,
  drainStatusQuery,
  hypervisorEvictionStatusQuery,
  hypervisorEvictionWatchStatusQuery,
  type HypervisorEvictionResult,
  INVALID_INPUT,
  LEASE_REFUSED,
  type DrainNodeResult,
  type DrainStatus,
} from '../workflows/api';
import { CliError, EXIT } from './exit-codes';
import {
  renderCephHealth,
  renderDrainResult,
  renderDrainStatus,
  renderEvictionStatus,
  renderEvictionWatchStatus,
  renderGuardStatus,
  renderReinstallStatus,
  renderRookUpgradeStatus,
  renderUpgradeStatus,
} from './render';

export interface Outcome {
  text: string;
  exitCode: number;
  running: boolean;
  /** A refusal or failure rather than a report: written to stderr. */
  error?: boolean;
}

/** A report on stdout; a refusal or failure on stderr, as `steward: <text>`. */
export function writeOutcome(outcome: Outcome): void {
  if (outcome.error) process.stderr.write(`steward: ${outcome.text}\n`);
  else process.stdout.write(`${outcome.text}\n`);
}

/** Failures that refused to start changing anything: bad input (exit 2), the cluster's guard (exit 1). */
const REFUSAL_EXIT = new Map<string | null | undefined, number>([
  [INVALID_INPUT, EXIT.usage],
  [LEASE_REFUSED, EXIT.failed],
]);

export function failureOutcome(err: unknown): Outcome {
  if (err instanceof WorkflowFailedError) {
    const chain = causes(err);
    const typed = chain.find((c) => c instanceof ApplicationFailure && c.type);
    const refusal = REFUSAL_EXIT.get((typed as ApplicationFailure | undefined)?.type);
    return {
      text: `${refusal !== undefined ? 'refused' : 'failed'}: ${causeMessage(chain) ?? err.message}`,
      exitCode: refusal ?? EXIT.failed,
      running: false,
      error: true,
    };
  }
  throw err;
}

/** The failure's causes, outermost first: the workflow's, an activity's or child's, their errors. */
function causes(err: Error): Error[] {
  const chain: Error[] = [];
  for (let c = err.cause; c instanceof Error && chain.length < 20; c = c.cause) chain.push(c);
  return chain;
}

/** What the SDK says when it wraps another failure: the wrapped one tells what went wrong. */
const WRAPPER = /^(Activity task failed|Child Workflow execution failed|Activity task timed out)$/;

/**
 * The outermost message that says something, and the innermost when it differs: "Activity task
 * failed" alone hid "NetBox is not configured for this worker".
 */
function causeMessage(chain: Error[]): string | undefined {
  const telling = chain.filter((c) => !WRAPPER.test(c.message));
  const [outer, inner] = [telling[0], telling.at(-1)];
  if (!outer || !inner) return chain.at(-1)?.message;
  return outer === inner || outer.message.includes(inner.message)
    ? outer.message
    : `${outer.message}: ${inner.message}`;
}

function resultOutcome(type: string, result: unknown): Outcome {
  if (type === 'drainNode') {
    const r = result as DrainNodeResult;
    return {
      text: renderDrainResult(r),
      exitCode: r.outcome === 'drained' ? EXIT.ok : EXIT.failed,
      running: false,
    };
  }
  if (type === 'kubernetesUpgrade') {
    const r = result as KubernetesUpgradeResult;
    return {
      text: `${renderUpgradeStatus(r)}\n${r.message}`,
      exitCode: r.phase === 'done' && r.skipped.length === 0 ? EXIT.ok : EXIT.failed,
      running: false,
    };
  }
  if (type === 'upgradeNode') {
    const r = result as UpgradeNodeResult;
    return {
      text: r.message,
      exitCode: r.outcome === 'upgraded' ? EXIT.ok : EXIT.failed,
      running: false,
    };
  }
  if (type === 'nodeReinstall') {
    const r = result as NodeReinstallResult;
    return {
      text: `${renderReinstallStatus(r)}\n${r.message}`,
      exitCode: r.outcome === 'reinstalled' ? EXIT.ok : EXIT.failed,
      running: false,
    };
  }
  if (type === 'rookCephUpgrade') {
    const r = result as RookCephUpgradeResult;
    return {
      text: `${renderRookUpgradeStatus(r)}\n${r.message}`,
      exitCode: r.outcome === 'upgraded' ? EXIT.ok : EXIT.failed,
      running: false,
    };
  }
  if (type === 'hypervisorEviction') {
    const r = result as HypervisorEvictionResult;
    const complete = r.outcome === 'evicted' && r.instances.every((i) => i.state === 'moved');
    return {
      text: `${renderEvictionStatus(r)}\n${r.message} (${r.seconds.toFixed(1)}s)`,
      exitCode: complete ? EXIT.ok : EXIT.failed,
      running: false,
    };
  }
  if (type === 'cephHealthCheck') {
    const r = result as CephHealthReport;
    return {
      text: renderCephHealth(r),
      exitCode: r.verdict.pass ? EXIT.ok : EXIT.failed,
      running: false,
    };
  }
  const r = result as { message?: string; uncordoned?: boolean };
  return {
    text: r?.message ?? JSON.stringify(result, null, 2),
    exitCode: r?.uncordoned === false ? EXIT.failed : EXIT.ok,
    running: false,
  };
}

export async function outcomeOf(client: Client, workflowId: string): Promise<Outcome> {
  const handle = client.workflow.getHandle(workflowId);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw new CliError(`ID: no workflow "${workflowId}"`, EXIT.notFound);
    throw err;
  }
  const type = description.type;
  if (description.status.name === 'RUNNING') {
    if (type === 'drainNode') {
      const status: DrainStatus = await handle.query(drainStatusQuery);
      return {
        text: renderDrainStatus(status),
        exitCode: status.waitingReason ? EXIT.waiting : EXIT.ok,
        running: true,
      };
    }
    if (type === 'kubernetesUpgrade') {
      const st = await handle.query(kubernetesUpgradeStatusQuery);
      return {
        text: renderUpgradeStatus(st),
        exitCode: st.waiting.length > 0 ? EXIT.waiting : EXIT.ok,
        running: true,
      };
    }
    if (type === 'upgradeNode') {
      const st = await handle.query(upgradeNodeStatusQuery);
      const text = `${st.node} to ${st.version}: ${st.step}${st.waitingReason ? `\nwaiting for an operator: ${st.waitingReason}` : ''}`;
      return { text, exitCode: st.waitingReason ? EXIT.waiting : EXIT.ok, running: true };
    }
    if (type === 'nodeReinstall') {
      const st = await handle.query(nodeReinstallStatusQuery);
      return {
        text: renderReinstallStatus(st),
        exitCode: st.waitingReason ? EXIT.waiting : EXIT.ok,
        running: true,
      };
    }
    if (type === 'rookCephUpgrade') {
      const st = await handle.query(rookCephUpgradeStatusQuery);
      return {
        text: renderRookUpgradeStatus(st),
        exitCode: st.waitingReason ? EXIT.waiting : EXIT.ok,
        running: true,
      };
    }
    if (type === 'hypervisorEviction') {
      const st = await handle.query(hypervisorEvictionStatusQuery);
      return {
        text: renderEvictionStatus(st),
        exitCode: st.waitingReason ? EXIT.waiting : EXIT.ok,
        running: true,
      };
    }
    if (type === 'hypervisorEvictionWatch') {
      const st = await handle.query(hypervisorEvictionWatchStatusQuery);
      return { text: renderEvictionWatchStatus(st), exitCode: EXIT.ok, running: true };
    }
    if (type === 'clusterGuard') {
      const st = await handle.query(clusterLeasesQuery);
      return { text: renderGuardStatus(st), exitCode: EXIT.ok, running: true };
    }
    return { text: `${workflowId}: running`, exitCode: EXIT.ok, running: true };
  }
  if (description.status.name !== 'COMPLETED') {
    try {
      await handle.result();
    } catch (err) {
      return failureOutcome(err);
    }
    return {
      text: `${workflowId}: ${description.status.name.toLowerCase()}`,
      exitCode: EXIT.failed,
      running: false,
    };
  }
  return resultOutcome(type, await handle.result());
}

/** The operation as `status -o json` prints it: its state and what it reports (status, result). */
export async function describeOperation(client: Client, workflowId: string, outcome: Outcome) {
  const handle = client.workflow.getHandle(workflowId);
  const { type, status } = await handle.describe();
  const query = STATUS_QUERIES[type];
  const report =
    status.name === 'RUNNING'
      ? query && (await handle.query(query))
      : status.name === 'COMPLETED'
        ? await handle.result()
        : undefined;
  return {
    workflowId,
    type,
    status: status.name,
    exitCode: outcome.exitCode,
    ...(report !== undefined && { report }),
    ...(outcome.error && { error: outcome.text }),
  };
}

const STATUS_QUERIES: Record<string, QueryDefinition<unknown> | undefined> = {
  drainNode: drainStatusQuery,
  kubernetesUpgrade: kubernetesUpgradeStatusQuery,
  upgradeNode: upgradeNodeStatusQuery,
  nodeReinstall: nodeReinstallStatusQuery,
  rookCephUpgrade: rookCephUpgradeStatusQuery,
  hypervisorEviction: hypervisorEvictionStatusQuery,
  hypervisorEvictionWatch: hypervisorEvictionWatchStatusQuery,
  clusterGuard: clusterLeasesQuery,
};
