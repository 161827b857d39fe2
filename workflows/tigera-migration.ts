// The Tigera operator migration of a Kubernetes upgrade's step to 1.26: install the operator's
// chart and the Installation that adopts the manifest-based Calico, then wait, up to a bound,
// until the operator has moved Calico to calico-system (the upgrade's stepTimeoutSeconds). Past
// the bound the step's problem says
// what is still missing, and the operator decides (retry waits again; nothing is undone).
import { sleep } from '@temporalio/workflow';
import {
  kubernetesFewAttempts as reads,
  storageCalls as helmCalls,
} from './operation/activity-profiles';
import { tigeraMigrationWaitingFor } from './policy/tigera-migration';

const POLL_SECONDS = 5;

/** The migration as a step's run: undefined when done, else what it still waits for. */
export async function migrateToTigeraOperator(
  cluster: string,
  /** How long the operator may take to report Calico Available on every node. */
  boundSeconds: number,
): Promise<string | undefined> {
  await helmCalls.installTigeraOperator({ cluster });
  const deadline = Date.now() + boundSeconds * 1000;
  for (;;) {
    const waitingFor = tigeraMigrationWaitingFor(await reads.readTigeraMigration({ cluster }));
    if (waitingFor === undefined) return undefined;
    if (Date.now() >= deadline) {
      return `the Tigera operator did not finish the migration within ${boundSeconds}s: ${waitingFor}`;
    }
    await sleep(`${Math.min(POLL_SECONDS, boundSeconds)} seconds`);
  }
}
