// A custom base script is read only from the worker's scripts directory: the installer publishes
// it, so a path from an input or NetBox must not reach the worker's secrets.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  baseScriptActivities,
  MAX_CUSTOM_SCRIPT_BYTES,
} from '../../activities/provisioning/base-scripts';

const root = mkdtempSync(join(tmpdir(), 'steward-scripts-'));
after(() => rmSync(root, { recursive: true, force: true }));
const dir = join(root, 'scripts');
mkdirSync(join(dir, 'sub'), { recursive: true });
writeFileSync(join(dir, 'sub', 'ok.sh'), '#!/bin/sh\necho ok\n');
writeFileSync(join(root, 'secret-id'), 'the worker secret');
symlinkSync(join(root, 'secret-id'), join(dir, 'link.sh'));
writeFileSync(join(dir, 'big.sh'), Buffer.alloc(MAX_CUSTOM_SCRIPT_BYTES + 1, 'x'));

const check = (customScript: string, scriptsDir: string | undefined = dir) =>
  baseScriptActivities('http://pxe.example', scriptsDir).checkBaseScript({
    host: 'w1',
    deployment: 'custom',
    customScript,
  });

async function refused(customScript: string, reason: RegExp, scriptsDir?: string) {
  await assert.rejects(check(customScript, scriptsDir), (err: Error) => {
    assert.match(err.message, /^customScript: /);
    assert.match(err.message, reason);
    assert.doesNotMatch(err.message, /the worker secret/);
    return true;
  });
}

describe('a custom base script', () => {
  it('is read from inside the scripts directory', async () => {
    assert.equal((await check(join(dir, 'sub', 'ok.sh'))).bytes, 18);
  });

  it('is refused outside it, through .. or a symlink, naming customScript', async () => {
    await refused(join(root, 'secret-id'), /not inside provisioning\.scriptsDir/);
    await refused(join(dir, 'sub', '..', '..', 'secret-id'), /not inside provisioning\.scriptsDir/);
    await refused(join(dir, 'link.sh'), /not inside provisioning\.scriptsDir/);
    await refused('/etc/passwd', /not inside provisioning\.scriptsDir/);
  });

  it('is refused when it is a directory, too large or missing', async () => {
    await refused(join(dir, 'sub'), /not a regular file/);
    await refused(join(dir, 'big.sh'), /1048577 bytes, more than 1048576/);
    await refused(join(dir, 'none.sh'), /cannot read it on the worker: ENOENT/);
  });

  it('is refused altogether on a worker without a scripts directory', async () => {
    await assert.rejects(check(join(dir, 'sub', 'ok.sh'), ''), /custom scripts are off/);
  });
});
