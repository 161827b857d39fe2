// `npm run build` gives a worker and CLI that run as compiled JavaScript with a prebuilt workflow
// bundle, and that bundle replays every recorded history as the source does.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { version } from '../../package.json';
import { recordedHistories, recordedWithInterceptors } from '../support/histories';

const root = join(__dirname, '..', '..');
const dist = join(root, 'dist');
const node = (args: string[]) =>
  execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });

describe('npm run build', () => {
  before(() => {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'pipe' });
  });

  it('gives a CLI that runs without tsx and knows its version', () => {
    assert.equal(node([join(dist, 'cli/main.js'), '--version']).trim(), version);
  });

  it('gives a worker that loads the prebuilt bundle and its run-time files', () => {
    const code = JSON.parse(
      node([
        '-p',
        `JSON.stringify(require(${JSON.stringify(join(dist, 'workers/workflow-code.js'))}).workflowCode())`,
      ]),
    );
    assert.deepEqual(Object.keys(code), ['workflowBundle']);
    assert.ok(existsSync(code.workflowBundle.codePath), code.workflowBundle.codePath);
    assert.ok(existsSync(join(dist, 'activities/provisioning/standard-base-script.sh')));
  });

  it('replays the histories recorded as the worker runs (with its interceptors) with the prebuilt bundle', async () => {
    const histories = recordedHistories().filter((h) => recordedWithInterceptors(h.history));
    assert.ok(histories.length > 0);
    const workflowBundle = { codePath: join(dist, 'workflow-bundle.js') };
    for (const { workflowId, history } of histories) {
      await Worker.runReplayHistory({ workflowBundle }, history, workflowId);
    }
  });
});
