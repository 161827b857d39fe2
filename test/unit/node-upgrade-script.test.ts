// The upgrade Job's real command, run as the Job runs it (a container whose /host is the node's
// root, entered with chroot) against a stub host: a root filesystem with a real shell, sed and
// grep, a real apt sources file, and apt-get, apt-mark, kubeadm, kubectl and systemctl that
// record their calls. The stub apt-get behaves as pkgs.k8s.io does: each repository URL holds one
// minor, and apt installs from the lists of its last `apt-get update`.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { upgradeJob, type UpgradeJobInput } from '../../activities/kubernetes/upgrade-jobs';

const LIST = '/etc/apt/sources.list.d/kubernetes.list';
const KEYRING = '/etc/apt/keyrings/kubernetes-apt-keyring.gpg';
const repoLine = (minor: string) =>
  `deb [signed-by=${KEYRING}] https://pkgs.k8s.io/core:/stable:/v${minor}/deb/ /\n`;

// One stub for every command: its name says what it plays. Calls go to /stub/calls.
const STUB = `#!/bin/sh
name="\${0##*/}"
echo "$name $*" >> /stub/calls
minor_of() { v="\${1#*=}"; v="\${v#v}"; echo "\${v%.*}"; }
case "$name $1" in
  "apt-get update")
    grep -ho 'pkgs.k8s.io/core:/stable:/v[0-9.]*/' /etc/apt/sources.list.d/* | sed 's#.*/v##; s#/##' > /stub/apt-lists ;;
  "apt-get install")
    for arg in "$@"; do
      case "$arg" in *=*)
        want="$(minor_of "$arg")"
        if [ ! -f /stub/apt-lists ] || [ "$want" != "$(cat /stub/apt-lists)" ]; then
          echo "E: Version '\${arg#*=}' for '\${arg%%=*}' was not found" >&2; exit 100
        fi
        [ "\${arg%%=*}" = kubeadm ] && v="\${arg#*=}" && echo "v\${v%-\\*}" > /stub/kubeadm-version ;;
      esac
    done ;;
  "kubeadm version") cat /stub/kubeadm-version ;;
esac
exit 0
`;

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** Copies a binary of this machine, with the shared libraries ldd names, into `root`. */
function copyBinary(root: string, command: string): string {
  const path = realpathSync(
    execFileSync('sh', ['-c', `command -v ${command}`])
      .toString()
      .trim(),
  );
  const libs = execFileSync('ldd', [path])
    .toString()
    .split('\n')
    .flatMap((line) => /(\/\S+) \(0x/.exec(line)?.[1] ?? []);
  for (const file of [path, ...libs]) {
    mkdirSync(join(root, dirname(file)), { recursive: true });
    if (!existsSync(join(root, file))) copyFileSync(realpathSync(file), join(root, file));
    chmodSync(join(root, file), 0o755);
  }
  return path;
}

function linkAs(root: string, target: string, at: string): void {
  mkdirSync(join(root, dirname(at)), { recursive: true });
  symlinkSync(target, join(root, at));
}

/** A container root whose /host is a stub node with `sources` in /etc/apt/sources.list.d. */
function stubNode(sources: Record<string, string>): { container: string; host: string } {
  const container = mkdtempSync(join(tmpdir(), 'steward-node-script-'));
  roots.push(container);
  const host = join(container, 'host');
  linkAs(container, copyBinary(container, 'dash'), '/bin/sh');
  linkAs(container, copyBinary(container, 'chroot'), '/usr/local/bin/chroot');
  linkAs(host, copyBinary(host, 'dash'), '/bin/sh');
  for (const tool of ['sed', 'grep', 'cat']) linkAs(host, copyBinary(host, tool), `/bin/${tool}`);
  mkdirSync(join(host, 'stub'));
  mkdirSync(join(host, 'usr/sbin'), { recursive: true });
  writeFileSync(join(host, 'usr/sbin/stub'), STUB, { mode: 0o755 });
  for (const tool of ['apt-get', 'apt-mark', 'kubeadm', 'kubectl', 'systemctl']) {
    linkAs(host, '/usr/sbin/stub', `/usr/bin/${tool}`);
  }
  mkdirSync(join(host, '/etc/apt/sources.list.d'), { recursive: true });
  for (const [name, text] of Object.entries(sources)) {
    writeFileSync(join(host, '/etc/apt/sources.list.d', name), text);
  }
  return { container, host };
}

/** Runs the Job's container command with its environment, chrooted into the container root. */
function runJob(input: Omit<UpgradeJobInput, 'cluster' | 'image'>, container: string) {
  const spec = upgradeJob({ ...input, cluster: 'lab', image: 'debian' }).spec!.template.spec!;
  const [c] = spec.containers;
  const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? '']));
  // Not root: a user namespace of our own grants chroot.
  const prefix = process.getuid?.() === 0 ? [] : ['unshare', '-r'];
  const [command, ...args] = [...prefix, 'chroot', container, ...c.command!];
  return spawnSync(command, args, {
    env: { ...env, PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
    encoding: 'utf8',
  });
}

const calls = (host: string) =>
  existsSync(join(host, 'stub/calls'))
    ? readFileSync(join(host, 'stub/calls'), 'utf8').trim().split('\n')
    : [];

const upgradeCalls = (version: string, kubeadm: string) => [
  'apt-mark unhold kubeadm',
  'apt-get update -q',
  `apt-get install -y -q kubeadm=${version}-*`,
  'apt-mark hold kubeadm',
  'kubeadm version -o short',
  kubeadm,
  'apt-mark unhold kubelet kubectl',
  `apt-get install -y -q kubelet=${version}-* kubectl=${version}-*`,
  'apt-mark hold kubelet kubectl',
  'systemctl daemon-reload',
  'systemctl restart kubelet',
];

describe('the node upgrade script', () => {
  it('switches pkgs.k8s.io to the target minor before installing, then follows kubeadm’s guide on a worker', () => {
    const { container, host } = stubNode({ 'kubernetes.list': repoLine('1.32') });
    const run = runJob({ node: 'w1', version: 'v1.33.2', kubeadm: 'node' }, container);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(calls(host), upgradeCalls('1.33.2', 'kubeadm upgrade node'));
    // Only the minor changed: the keyring and the rest of the line are the operator's.
    assert.equal(readFileSync(join(host, LIST), 'utf8'), repoLine('1.33'));
  });

  it('runs kubeadm upgrade apply on the first control-plane node', () => {
    const { container, host } = stubNode({ 'kubernetes.list': repoLine('1.32') });
    const run = runJob({ node: 'cp1', version: 'v1.33.2', kubeadm: 'apply' }, container);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(calls(host), upgradeCalls('1.33.2', 'kubeadm upgrade apply -y v1.33.2'));
  });

  it('keeps the repository of a patch release within the minor, and edits a deb822 .sources file', () => {
    const sources = [
      'Types: deb',
      'URIs: https://pkgs.k8s.io/core:/stable:/v1.32/deb/',
      'Suites: /',
      `Signed-By: ${KEYRING}`,
      '',
    ].join('\n');
    const patch = stubNode({ 'kubernetes.sources': sources });
    assert.equal(
      runJob({ node: 'w1', version: 'v1.32.13', kubeadm: 'node' }, patch.container).status,
      0,
    );
    assert.equal(
      readFileSync(join(patch.host, '/etc/apt/sources.list.d/kubernetes.sources'), 'utf8'),
      sources,
    );
    const minor = stubNode({ 'kubernetes.sources': sources });
    const run = runJob({ node: 'w1', version: 'v1.33.2', kubeadm: 'node' }, minor.container);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(
      readFileSync(join(minor.host, '/etc/apt/sources.list.d/kubernetes.sources'), 'utf8'),
      sources.replace('/v1.32/', '/v1.33/'),
    );
  });

  it('stops before any package change when the node has no pkgs.k8s.io repository, saying so', () => {
    const legacy = 'deb https://apt.kubernetes.io/ kubernetes-xenial main\n';
    const { container, host } = stubNode({ 'kubernetes.list': legacy });
    const run = runJob({ node: 'w1', version: 'v1.33.2', kubeadm: 'node' }, container);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /no pkgs\.k8s\.io repository in \/etc\/apt\/sources\.list\.d/);
    assert.deepEqual(calls(host), []);
    assert.equal(readFileSync(join(host, LIST), 'utf8'), legacy);
  });
});
