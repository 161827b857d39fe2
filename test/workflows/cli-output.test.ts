// `steward status -o json|yaml`: what scripts read, parsed back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { status } from '../../scripts/cli/commands/inspect';
import { EXIT } from '../../scripts/cli/exit-codes';
import { decideUpdate, workflowIds } from '../../workflows/api';
import { withBlockedDrain } from '../support/blocked-drain';
import { useTestServer } from '../support/temporal';

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
