// The lab's one-minor upgrade (1.31 → 1.32) started from the CLI as an operator would, detached,
// for tests that then follow the cluster and the workflows themselves.
import assert from 'node:assert/strict';
import type { TestStack } from './stack';

export const LAB_TARGET = 'v1.32.13';

/** `steward k8s-upgrade lab --to 1.32 --pause 1s --detach [options]`; asserts that it started. */
export async function startLabUpgrade(stack: TestStack, ...options: string[]): Promise<void> {
  const run = await stack.steward(
    'k8s-upgrade',
    'lab',
    '--to',
    '1.32',
    '--pause',
    '1s',
    '--detach',
    ...options,
  );
  assert.equal(run.code, 0, run.stdout + run.stderr);
}
