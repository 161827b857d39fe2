// The fault matrix's Rook/Ceph upgrade (test/fixtures/ceph-lab.yaml): Ceph-only upgrades on one
// lab, each run one patch release past the CephCluster's image (v18.2.4 → v18.2.5 → …; an image
// is never reused, and a lab a test file has already upgraded serves as well). `osd-stays-down` (the lab's daemon fault) keeps osd.1 down after its restart: the
// upgrade must stop Rook's roll and wait, and the operator aborts; cleaning up brings osd.1 back
// and lets Rook finish. `pgs-scrubbing` keeps asking Ceph (the real CLI) to deep-scrub every PG
// while the upgrade runs: scrubbing PGs count as clean, so the upgrade goes through.
import { setCephDaemonFault } from '../../lab';
import { runOk } from '../../lab/ceph/cli';
import { waitFor } from '../../lab/wait';
import { cephClusterJson, cephJson } from '../../test/support/lab-rook';
import type { TestLab } from '../../test/support/lab';
import {
  rookCephUpgradeStatusQuery,
  workflowIds,
  type RookCephUpgradeResult,
} from '../../workflows/api';
import type { OperationDriver } from './fault-matrix-run';

const FAULTY_OSD = 'osd.1';
/** One patch release past the CephCluster's image: v18.2.4 → v18.2.5. */
async function nextImage(lab: TestLab): Promise<string> {
  const image = (await cephClusterJson(lab)).spec.cephVersion.image;
  const patch = /^(.*:v\d+\.\d+\.)(\d+)$/.exec(image);
  if (!patch) throw new Error(`CephCluster image ${image} is tagged with no version`);
  return `${patch[1]}${Number(patch[2]) + 1}`;
}

const ceph = (lab: TestLab, ...args: string[]) =>
  runOk('ceph', ['--conf', lab.ceph!.conf, '--keyring', lab.ceph!.keyring, ...args]);

/** Asks Ceph to deep-scrub every PG every 2 s (with a sleep between scrub chunks, so they last). */
async function keepScrubbing(lab: TestLab): Promise<() => Promise<void>> {
  await ceph(lab, 'config', 'set', 'osd', 'osd_scrub_sleep', '0.5');
  const scrubAll = async () => {
    const pgs = (await cephJson(lab, 'pg', 'ls')) as { pg_stats: { pgid: string }[] };
    for (const { pgid } of pgs.pg_stats) await ceph(lab, 'pg', 'deep-scrub', pgid);
  };
  let running = scrubAll().catch(() => undefined);
  const timer = setInterval(() => {
    running = running.then(() => scrubAll().catch(() => undefined));
  }, 2000);
  return async () => {
    clearInterval(timer);
    await running;
    await ceph(lab, 'config', 'rm', 'osd', 'osd_scrub_sleep');
  };
}

/**
 * Waits until Rook has rolled every daemon to the CephCluster's image (the run's, or the last one
 * when it aborted before setting it) and Ceph says HEALTH_OK.
 */
const untilSettled = (lab: TestLab) =>
  waitFor(
    'Ceph at its CephCluster image and healthy',
    async () => {
      const cluster = await cephClusterJson(lab);
      const [wanted, version] = [cluster.spec.cephVersion.image, cluster.status?.version?.image];
      const { status } = await cephJson(lab, 'health');
      return (version === wanted && status === 'HEALTH_OK') || `${version}, ${status}`;
    },
    { timeoutMs: 600_000, intervalMs: 2000 },
  );

export function rookDriver(): OperationDriver {
  return {
    scenario: 'ceph-lab.yaml',
    bounds: { maxHostsDown: 0, maxUnschedulable: 0 },
    faults: ['none', 'osd-stays-down', 'pgs-scrubbing'],
    steps: (fault) =>
      fault === 'osd-stays-down'
        ? ['gate-before', 'ceph-image', 'ceph-roll']
        : ['gate-before', 'ceph-image', 'ceph-roll', 'gate-after'],
    async prepare(stack, fault) {
      const { lab } = stack;
      const image = await nextImage(lab);
      const id = workflowIds.rookUpgrade('lab');
      const osdFault = (on: boolean) =>
        setCephDaemonFault(lab.kubeconfigPath, FAULTY_OSD, on ? 'stays-down' : undefined);
      if (fault === 'osd-stays-down') await osdFault(true);
      const stopScrubbing = fault === 'pgs-scrubbing' ? await keepScrubbing(lab) : undefined;
      return {
        window: { id, kind: 'rook-upgrade', targets: [] },
        args: [
          ...['rook-upgrade', 'lab', '--ceph', image, '--pause', '1s'],
          ...(fault === 'osd-stays-down' ? ['--gate-timeout', '60s'] : []),
        ],
        async step() {
          const status = await stack.client.workflow
            .getHandle(id)
            .query(rookCephUpgradeStatusQuery);
          return { name: status.phase, waiting: status.waitingReason !== undefined };
        },
        clearFault: () => osdFault(false),
        async endedAsExpected(result) {
          const { outcome, rookStopped } = result as RookCephUpgradeResult;
          if (fault === 'osd-stays-down') return outcome === 'aborted' && rookStopped;
          const version = (await cephClusterJson(lab)).status?.version?.image;
          return outcome === 'upgraded' && version === image;
        },
        async cleanUp() {
          await stopScrubbing?.();
          if (fault !== 'osd-stays-down') return;
          await osdFault(false);
          // The operator's way back after an abort: Rook runs again and finishes its roll.
          await lab.kubectl(
            ...['scale', 'deploy', 'rook-ceph-operator', '-n', 'rook-ceph', '--replicas=1'],
          );
          await untilSettled(lab);
        },
      };
    },
  };
}
