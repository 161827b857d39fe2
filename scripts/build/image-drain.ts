// Proves the worker image on the lab: the worker and the CLI run from the image's root filesystem
// (`buildah mount`, then chroot: no container runtime can run here) and drain a lab node, as the
// lab apiserver's audit log records, and serve their metrics. Prints the worker's start to polling
// and the drain's time.
// As root, after scripts/build/image.sh (minutes: not in the test command):
//   node --import tsx scripts/build/image-drain.ts [IMAGE]   # default localhost/steward:<version>
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts, startLab } from '../../lab';
import { startDaemon, stopDaemons } from '../../lab/daemon';
import { auditEvents } from '../../test/support/audit';
import { seconds, timed } from '../bench/measure';
import {
  freeStackPorts,
  labClusterConfig,
  REPO_ROOT,
  startTemporalWithConfig,
  waitForWorker,
} from '../stack';

const run = async (command: string, ...args: string[]) =>
  (await promisify(execFile)(command, args, { encoding: 'utf8' })).stdout.trim();
const buildah = (...args: string[]) => run('buildah', '--storage-driver', 'vfs', ...args);
const version = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version;
const image = process.argv[2] ?? `localhost/steward:${version}`;

/** The image's root filesystem with /proc, /dev and the state folder bound in; undone by `close`. */
async function mountImage(stateDir: string) {
  const container = await buildah('from', '--quiet', image);
  const root = await buildah('mount', container);
  const binds: string[] = [];
  const bind = async (from: string, to: string, ...options: string[]) => {
    mkdirSync(join(root, to), { recursive: true });
    await run('mount', ...options, from, join(root, to));
    binds.unshift(join(root, to));
  };
  const close = async () => {
    for (const target of binds) await run('umount', '--lazy', target);
    await buildah('rm', container);
  };
  try {
    await bind('proc', '/proc', '-t', 'proc');
    await bind('/dev', '/dev', '--rbind');
    // The lab's kubeconfig and the worker's configuration, at the paths the configuration names.
    await bind(stateDir, stateDir, '--bind');
  } catch (err) {
    await close();
    throw err;
  }
  return { root, close };
}

async function drainFromImage(stateDir: string, root: string): Promise<void> {
  const lab = await startLab({
    stateDir,
    scenarioPath: join(REPO_ROOT, 'test/fixtures/drain-lab.yaml'),
    ports: await freePorts(),
  });
  // The `locked` PDB never allows an eviction: this drain is about the image, not waiting.
  const kubectl = (...args: string[]) =>
    run('kubectl', '--kubeconfig', lab.kubeconfigPath, ...args);
  await kubectl('delete', 'pdb', 'locked');
  // Room for the evicted pods: the spares start cordoned.
  await kubectl('uncordon', 'spare-1', 'spare-2');
  const ports = await freeStackPorts();
  const { client, configPath } = await startTemporalWithConfig(stateDir, ports, {
    clusters: { lab: labClusterConfig(lab) },
  });
  // The image's environment, not this machine's: only what a pod would be given.
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/app', STEWARD_CONFIG: configPath };
  const polling = await timed(async () => {
    const { pid } = startDaemon(stateDir, {
      name: 'worker',
      command: '/usr/sbin/chroot',
      args: [root, 'node', '/app/dist/workers/main.js'],
      env,
    });
    await waitForWorker(client, pid);
  });
  console.log(`worker from ${image}: start to polling ${seconds(polling.ms)} s`);

  const cli = ['/usr/sbin/chroot', root, 'node', '/app/dist/cli/main.js'];
  const drain = await timed(() =>
    promisify(execFile)(
      'env',
      [
        '-i',
        ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
        ...cli,
        'drain',
        'node-a',
        '--force',
        '--delete-emptydir-data',
      ],
      { encoding: 'utf8' },
    ),
  );
  console.log(drain.value.stdout.trim());
  const node = JSON.parse(await kubectl('get', 'node', 'node-a', '-o=json'));
  if (node.spec.unschedulable !== true) throw new Error('node-a is not cordoned');
  const evictions = auditEvents(stateDir).filter(
    (e) => e.objectRef?.subresource === 'eviction' && e.responseStatus?.code === 201,
  );
  if (evictions.length === 0) throw new Error('the apiserver recorded no eviction');
  console.log(
    `drain of node-a from the image: ${seconds(drain.ms)} s, ${evictions.length} evictions in the audit log`,
  );
  // The image's worker serves its figures: the drain counted, its pollers (what the alerts read).
  const metrics = await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text();
  const finished =
    /^steward_operations_finished\{[^}]*outcome="completed"[^}]*workflowType="drainNode"/m;
  if (!finished.test(metrics)) throw new Error('the worker counted no completed drain');
  if (!/^temporal_num_pollers\{[^}]*poller_type="workflow_task"/m.test(metrics)) {
    throw new Error('the worker shows no workflow pollers');
  }
  console.log('metrics from the image: the drain counted, the workflow pollers shown');
  await client.connection.close();
}

async function main(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'steward-image-drain-'));
  const { root, close } = await mountImage(stateDir);
  let cleaning: Promise<void> | undefined;
  // The daemons run detached and the image stays mounted: both are undone however this ends.
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await stopDaemons(stateDir);
      await close();
      rmSync(stateDir, { recursive: true, force: true });
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
  }
  try {
    await drainFromImage(stateDir, root);
  } finally {
    await cleanUp();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
