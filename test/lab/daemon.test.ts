import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isRunning, listDaemons, readDaemon, startDaemon, stopDaemons } from '../../lab/daemon';

const stateDir = mkdtempSync(join(tmpdir(), 'steward-daemon-'));
after(() => rmSync(stateDir, { recursive: true, force: true }));

test('a daemon runs detached, logs to its file and stops with its children', async () => {
  const record = startDaemon(stateDir, {
    name: 'talker',
    command: 'sh',
    args: ['-c', 'echo hello; sleep 60 & wait'],
  });
  assert.ok(isRunning(stateDir, 'talker'));
  assert.throws(() => startDaemon(stateDir, { name: 'talker', command: 'true', args: [] }));
  assert.deepEqual(listDaemons(stateDir), ['talker']);
  const deadline = Date.now() + 5_000;
  while (!readFileSync(join(stateDir, 'logs/talker.log'), 'utf8').includes('hello')) {
    assert.ok(Date.now() < deadline, 'log never got the output');
    await new Promise((r) => setTimeout(r, 20));
  }
  await stopDaemons(stateDir);
  assert.equal(isRunning(stateDir, 'talker'), false);
  assert.equal(readDaemon(stateDir, 'talker'), undefined);
  assert.ok(!existsSync(`/proc/${record.pid}`) || isZombie(record.pid));
});

test('a pid file whose process was replaced (pid reused) never gets that process killed', async () => {
  const stranger = spawn('sleep', ['30'], { stdio: 'ignore' });
  const pid = stranger.pid!;
  writeFileSync(
    join(stateDir, 'pids/recycled.pid'),
    JSON.stringify({ pid, startTicks: 1, cmdline: ['sleep', '30'], startedAt: '' }),
  );
  assert.equal(isRunning(stateDir, 'recycled'), false);
  await stopDaemons(stateDir, ['recycled'], 100);
  assert.equal(stranger.exitCode, null);
  assert.ok(existsSync(`/proc/${pid}`));
  stranger.kill();
});

function isZombie(pid: number): boolean {
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
