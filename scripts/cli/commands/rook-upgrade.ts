// steward rook-upgrade CLUSTER [--rook V] [--ceph IMAGE]: the storage upgrade, or with --dry-run
// its plan; steward ceph-health CLUSTER: the health gate's verdict now.
import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { StewardConfig } from '../../../workers/config';
import {
  workflowIds,
  type CephHealthReport,
  type RookCephUpgradeInput,
  type RookCephUpgradePlan,
} from '../../../workflows/api';
import { parseRookCephUpgradeInput } from '../../../workflows/policy/rook-upgrade';
import { CliError, EXIT } from '../exit-codes';
import { renderCephHealth, renderRookUpgradePlan } from '../render';
import { startOperation } from './start-operation';

/** A read-only workflow under its derived ID, run again each time it is asked for. */
const readOnly = (config: StewardConfig, workflowId: string, summary: string) => ({
  taskQueue: config.taskQueue,
  workflowId,
  workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  staticSummary: summary,
});

export async function rookUpgrade(
  client: Client,
  config: StewardConfig,
  input: RookCephUpgradeInput,
  options: { dryRun?: boolean; detach?: boolean },
): Promise<number> {
  let parsed: RookCephUpgradeInput;
  try {
    parsed = parseRookCephUpgradeInput(input);
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.usage);
  }
  const { cluster } = parsed;
  const targets = [parsed.rook && `Rook ${parsed.rook}`, parsed.ceph].filter(Boolean).join(', ');
  if (options.dryRun) {
    const plan: RookCephUpgradePlan = await client.workflow.execute('planRookCephUpgrade', {
      ...readOnly(
        config,
        workflowIds.rookUpgradePlan(cluster),
        `Dry run: Rook/Ceph upgrade plan for ${cluster} to ${targets}`,
      ),
      args: [parsed],
    });
    process.stdout.write(`${renderRookUpgradePlan(plan)}\n`);
    return EXIT.ok;
  }
  return startOperation(
    client,
    config,
    {
      workflowType: 'rookCephUpgrade',
      workflowId: workflowIds.rookUpgrade(cluster),
      input: parsed,
      summary: `Rook/Ceph upgrade of ${cluster} to ${targets}, behind Ceph health gates`,
      operation: 'rook-upgrade',
      cluster,
      target: targets,
    },
    options,
  );
}

export async function cephHealth(
  client: Client,
  config: StewardConfig,
  cluster: string,
): Promise<number> {
  const report: CephHealthReport = await client.workflow.execute('cephHealthCheck', {
    ...readOnly(config, workflowIds.cephHealth(cluster), `Ceph health gate of ${cluster}`),
    args: [{ cluster }],
  });
  process.stdout.write(`${renderCephHealth(report)}\n`);
  return report.verdict.pass ? EXIT.ok : EXIT.failed;
}
