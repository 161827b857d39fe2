// steward up refuses a state dir that holds another scenario's lab; steward down leaves no
// process of its state dir running, even one that left its daemon's process group.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { processesOf, startDaemon } from '../../lab/daemon';
import { waitFor } from '../../lab/wait';
import { REPO_ROOT } from '../../scripts/stack';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const stateDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'steward-updown-'));
  dirs.push(dir);
  return dir;
};

async function steward(dir: string, ...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(join(REPO_ROOT, 'bin/steward'), args, {
      env: { ...process.env, STEWARD_STATE_DIR: dir },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('steward up and down', () => {
  it('up takes a scenario by its name in lab/scenarios; an unknown name is refused naming the known', async () => {
    const dir = stateDir();
    writeFileSync(join(dir, 'scenario'), '/somewhere/ceph-lab.yaml\n');
    const named = await steward(dir, 'up', '--scenario', 'datacenter');
    assert.equal(named.code, 2, named.stdout + named.stderr);
    assert.match(
      named.stderr,
      /holds the lab of \/somewhere\/ceph-lab.yaml, not \S+\/lab\/scenarios\/datacenter.yaml;/,
    );
    const unknown = await steward(dir, 'up', '--scenario', 'datacentre');
    assert.equal(unknown.code, 2, unknown.stdout + unknown.stderr);
    assert.match(
      unknown.stderr,
      /scenario: no scenario named datacentre \(known: datacenter, default\)/,
    );
  });

  it("up refuses another scenario's state dir at once, naming both and the reset", async () => {
    const dir = stateDir();
    mkdirSync(join(dir, 'lab'));
    writeFileSync(join(dir, 'scenario'), '/somewhere/ceph-lab.yaml\n');
    const run = await steward(dir, 'up', '--scenario', 'test/fixtures/drain-lab.yaml');
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(
      run.stderr,
      /scenario: \S+ holds the lab of \/somewhere\/ceph-lab.yaml, not \S+\/test\/fixtures\/drain-lab.yaml; reset it with `steward down --purge`/,
    );
    assert.equal(existsSync(join(dir, 'pids')), false, 'nothing started');
  });

  it('down stops the daemons, kills a process that escaped them, and --purge removes the dir', async () => {
    const dir = stateDir();
    // A daemon whose child leaves the process group (setsid), naming the state dir as lab ones do.
    startDaemon(dir, {
      name: 'escaper',
      command: 'sh',
      args: ['-c', 'setsid sh -c "sleep 300; :" "$0/escaped" & sleep 300; :', dir],
    });
    await waitFor('the escaped child', async () => processesOf(dir).length === 2);
    const run = await steward(dir, 'down', '--purge');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^stopped escaper$/m);
    assert.match(run.stdout, /killed a leftover process \d+: sh -c sleep 300; : \S+\/escaped/);
    await waitFor('nothing of the state dir left', async () => processesOf(dir).length === 0);
    assert.equal(existsSync(dir), false);
  });
});
