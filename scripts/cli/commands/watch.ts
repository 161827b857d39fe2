// steward watch ID: live progress until the operation ends (or waits for an operator, with --until-wait).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { EXIT } from '../exit-codes';
import { outcomeOf, writeOutcome, type Outcome } from '../workflow-outcome';

export async function watch(
  client: Client,
  workflowId: string,
  options: { untilWait?: boolean; intervalMs?: number } = {},
): Promise<Outcome> {
  let shown = '';
  for (;;) {
    const outcome = await outcomeOf(client, workflowId);
    if (outcome.text !== shown) {
      writeOutcome(outcome);
      shown = outcome.text;
    }
    if (!outcome.running || (options.untilWait && outcome.exitCode === EXIT.waiting))
      return outcome;
    await sleep(options.intervalMs ?? 1000);
  }
}
