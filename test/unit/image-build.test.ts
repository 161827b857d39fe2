// The worker image's cheap checks (building it takes minutes: scripts/build/image.sh, proven by
// scripts/build/image-drain.ts): the build script's arguments, and a Containerfile that pins what
// scripts/setup/versions.env pins and runs what the chart's pod expects.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../scripts/stack';

const SCRIPT = join(REPO_ROOT, 'scripts/build/image.sh');
const imageSh = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(SCRIPT, args, { encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

/** The Containerfile's instructions, continuation lines joined. */
function instructions(): { op: string; args: string }[] {
  return readFileSync(join(REPO_ROOT, 'deploy/image/Containerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => {
      const [op, ...rest] = line.trim().split(/\s+/);
      return { op, args: rest.join(' ') };
    });
}

describe('scripts/build/image.sh', () => {
  it('parses as bash and explains itself', async () => {
    await promisify(execFile)('bash', ['-n', SCRIPT]);
    const help = await imageSh('--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--tag NAME.*\n[\s\S]*--base IMAGE[\s\S]*--context DIR/);
  });

  it('refuses a bad argument, naming it, before building anything', async () => {
    const unknown = await imageSh('--tga', 'x');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown argument '--tga'/);
    for (const option of ['--tag', '--base', '--context']) {
      const bare = await imageSh(option);
      assert.equal(bare.code, 2);
      assert.match(bare.stderr, new RegExp(`${option} needs a value`));
    }
    const swallowed = await imageSh('--tag', '--base', 'x');
    assert.match(swallowed.stderr, /--tag needs a value/, 'an option is not taken as a value');
  });

  it('writes a context only into an empty folder, leaving a used one as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-image-context-'));
    writeFileSync(join(dir, 'notes'), 'mine');
    const used = await imageSh('--context', dir);
    assert.equal(used.code, 2);
    assert.match(used.stderr, new RegExp(`--context ${dir} is not empty`));
    assert.deepEqual(readdirSync(dir), ['notes']);
  });
});

describe('deploy/image/Containerfile', () => {
  const steps = instructions();

  it('builds FROM its BASE argument, pinning the Debian packages as versions.env does', () => {
    assert.equal(steps[0].op, 'ARG');
    assert.match(steps[0].args, /^BASE=\S+node:20-bookworm/);
    assert.deepEqual(steps[1], { op: 'FROM', args: '${BASE}' });
    const versions = readFileSync(join(REPO_ROOT, 'scripts/setup/versions.env'), 'utf8');
    for (const name of ['IPMITOOL_DEB_VERSION', 'CEPH_DEB_VERSION']) {
      const pinned = versions.match(new RegExp(`^${name}=(.+)$`, 'm'))![1];
      assert.ok(
        steps.some((s) => s.op === 'ARG' && s.args === `${name}=${pinned}`),
        `${name} defaults to ${pinned}`,
      );
      assert.ok(steps.some((s) => s.op === 'RUN' && s.args.includes(`=\${${name}}`)));
    }
    const known = ['ARG', 'FROM', 'RUN', 'COPY', 'USER', 'WORKDIR', 'ENV', 'EXPOSE', 'CMD'];
    for (const { op } of steps) assert.ok(known.includes(op), `unknown instruction ${op}`);
  });

  it("runs what the chart's pod runs, as the chart's user", () => {
    const deployment = readFileSync(
      join(REPO_ROOT, 'deploy/chart/steward/templates/deployment.yaml'),
      'utf8',
    );
    const user = deployment.match(/runAsUser: (\d+)/)![1];
    assert.equal(steps.find((s) => s.op === 'USER')?.args, `${user}:${user}`);
    const cmd = JSON.parse(steps.find((s) => s.op === 'CMD')!.args);
    const command = parse(deployment.match(/^\s*command: (\[.*\])$/m)![1]);
    assert.deepEqual(cmd, command);
  });
});
