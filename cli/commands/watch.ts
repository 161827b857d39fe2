// steward watch ID: live progress until the operation ends (or waits for an operator, with
// --until-wait). On a terminal, progress bars per node redrawn in place above the status; else
// the status as plain lines, each time it changes.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import {
  drainStatusQuery,
  kubernetesUpgradeStatusQuery,
  nodeReinstallStatusQuery,
  rookCephUpgradeStatusQuery,
  upgradeNodeStatusQuery,
  workflowIds,
} from '../../workflows/api';
import { EXIT } from '../exit-codes';
import {
  drainProgress,
  nodeUpgradeProgress,
  reinstallProgress,
  renderBars,
  rookProgress,
  upgradeProgress,
  type Progress,
} from '../progress';
import { outcomeOf, writeOutcome, type Outcome } from '../workflow-outcome';

/** Redraws a block of lines in place on a terminal, each cut to the terminal's width. */
export class LiveFrame {
  private lines = 0;

  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly columns = 80,
  ) {}

  show(text: string): void {
    const lines = text
      .split('\n')
      .map((l) => (l.length < this.columns ? l : `${l.slice(0, this.columns - 2)}…`));
    this.out.write(`${this.erase()}${lines.join('\n')}\n`);
    this.lines = lines.length;
  }

  clear(): void {
    this.out.write(this.erase());
    this.lines = 0;
  }

  /** Back to the start of the frame (ANSI CPL), then clear to the end of the screen (ED). */
  private erase(): string {
    return this.lines > 0 ? `\x1b[${this.lines}F\x1b[J` : '';
  }
}

/** The bars of a running operation; none when it has none or ended meanwhile. */
async function progressOf(client: Client, workflowId: string): Promise<Progress[]> {
  const handle = client.workflow.getHandle(workflowId);
  const { type } = await handle.describe();
  switch (type) {
    case 'kubernetesUpgrade': {
      const st = await handle.query(kubernetesUpgradeStatusQuery);
      const nodes = await Promise.all(
        st.inFlight.map(async (node) => {
          const id = workflowIds.upgradeNode(st.cluster, node, st.version ?? '');
          const child = client.workflow.getHandle(id).query(upgradeNodeStatusQuery);
          return [node, await child.catch(() => undefined)] as const;
        }),
      );
      return upgradeProgress(st, Object.fromEntries(nodes));
    }
    case 'upgradeNode':
      return [nodeUpgradeProgress(await handle.query(upgradeNodeStatusQuery))];
    case 'drainNode':
      return [drainProgress(await handle.query(drainStatusQuery))];
    case 'nodeReinstall':
      return [reinstallProgress(await handle.query(nodeReinstallStatusQuery))];
    case 'rookCephUpgrade':
      return [rookProgress(await handle.query(rookCephUpgradeStatusQuery))];
    default:
      return [];
  }
}

export async function watch(
  client: Client,
  workflowId: string,
  options: { untilWait?: boolean; intervalMs?: number } = {},
): Promise<Outcome> {
  const frame = process.stdout.isTTY
    ? new LiveFrame(process.stdout, process.stdout.columns || 80)
    : undefined;
  let shown = '';
  for (;;) {
    const outcome = await outcomeOf(client, workflowId);
    if (frame && outcome.running) {
      const bars = await progressOf(client, workflowId).catch(() => []);
      frame.show(bars.length > 0 ? `${renderBars(bars)}\n${outcome.text}` : outcome.text);
    } else if (outcome.text !== shown) {
      frame?.clear();
      writeOutcome(outcome);
      shown = outcome.text;
    }
    if (!outcome.running || (options.untilWait && outcome.exitCode === EXIT.waiting))
      return outcome;
    await sleep(options.intervalMs ?? 1000);
  }
}
