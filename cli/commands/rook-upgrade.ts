// steward rook-upgrade CLUSTER [--rook V] [--ceph IMAGE]: the storage upgrade, or with --dry-run
// its plan; steward ceph-health CLUSTER: the health gate's verdict now.
import type { Client } from '@temporalio/client';
import type { StewardConfig } from '../../workers/config';
import {
  workflowIds,
  type CephHealthReport,
  type RookCephUpgradeInput,
  type RookCephUpgradePlan,
} from '../../workflows/api';
import { describeTargets, parseRookCephUpgradeInput } from '../../workflows/policy/rook-upgrade';
import { EXIT } from '../exit-codes';
import { writeResult, type OutputFormat } from '../output';
import { renderCephHealth, renderRookUpgradePlan } from '../render';
import { validated, type PlanOptions } from './node-operations';
import { runReadOnly, startOperation } from './start-operation';

export async function rookUpgrade(
  client: Client,
  config: StewardConfig,
  input: RookCephUpgradeInput,
  options: PlanOptions,
): Promise<number> {
  const parsed = validated(parseRookCephUpgradeInput, input);
  const { cluster } = parsed;
  const targets = describeTargets(parsed);
  if (options.dryRun) {
    const plan = await runReadOnly<RookCephUpgradePlan>(client, config, {
      workflowType: 'planRookCephUpgrade',
      workflowId: workflowIds.rookUpgradePlan(cluster),
      input: parsed,
      summary: `Dry run: Rook/Ceph upgrade plan for ${cluster} to ${targets}`,
    });
    writeResult(plan, options.output, renderRookUpgradePlan);
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
  { output }: { output?: OutputFormat } = {},
): Promise<number> {
  const report = await runReadOnly<CephHealthReport>(client, config, {
    workflowType: 'cephHealthCheck',
    workflowId: workflowIds.cephHealth(cluster),
    input: { cluster },
    summary: `Ceph health gate of ${cluster}`,
  });
  writeResult(report, output, renderCephHealth);
  return report.verdict.pass ? EXIT.ok : EXIT.failed;
}
