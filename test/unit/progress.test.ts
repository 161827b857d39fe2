import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiveFrame } from '../../cli/commands/watch';
import {
  drainProgress,
  reinstallProgress,
  renderBars,
  rookProgress,
  upgradeProgress,
} from '../../cli/progress';
import type {
  KubernetesUpgradeStatus,
  NodeReinstallStatus,
  RookCephUpgradeStatus,
} from '../../workflows/api';

const upgrade: KubernetesUpgradeStatus = {
  cluster: 'lab',
  phase: 'workers',
  version: 'v1.33.13',
  inFlight: ['w2', 'w3', 'w4'],
  upgraded: ['cp-1@v1.32.13', 'w1@v1.32.13', 'cp-1@v1.33.13', 'w1@v1.33.13'],
  skipped: ['gpu-1@v1.33.13'],
  excluded: [],
  leftCordoned: [],
  addonsApplied: [],
  addonsSkipped: [],
  approved: [],
  waiting: [],
  decisions: [],
};

describe('progress bars', () => {
  it('draws one bar per node of the current version step, in flight at its own step', () => {
    const node = (step: 'upgrade-job' | 'drain', waitingReason?: string) => ({
      node: 'x',
      version: 'v1.33.13',
      step,
      cordonedBySteward: true,
      waitingReason,
      decisions: [],
    });
    const bars = upgradeProgress(upgrade, {
      w2: { ...node('upgrade-job'), node: 'w2' },
      w3: { ...node('drain', 'PDB web allows 0'), node: 'w3' },
    });
    assert.equal(
      renderBars(bars),
      [
        'cp-1   [████████████████████]   6/6 upgraded',
        'w1     [████████████████████]   6/6 upgraded',
        'gpu-1  [░░░░░░░░░░░░░░░░░░░░]   0/6 skipped',
        'w2     [███░░░░░░░░░░░░░░░░░]   1/6 upgrade-job',
        'w3     [░░░░░░░░░░░░░░░░░░░░]   0/6 drain: waiting for an operator',
        'w4     [░░░░░░░░░░░░░░░░░░░░]   0/6 starting',
      ].join('\n'),
    );
  });

  it('a drain counts the pods gone of the plan; nothing to evict is a full bar', () => {
    const pod = { pod: { namespace: 'shop', name: 'web', uid: 'u' } };
    const drain = {
      cluster: 'lab',
      node: 'worker-1',
      phase: 'evicting' as const,
      cordonedBySteward: true,
      evicted: [pod.pod, pod.pod, pod.pod],
      left: [{ ...pod, blocker: 'PDB' }],
      decisions: [],
    };
    assert.equal(
      renderBars([drainProgress(drain)]),
      'worker-1  [███████████████░░░░░]   3/4 evicting: 3 pods gone, 1 left',
    );
    assert.match(
      renderBars([drainProgress({ ...drain, evicted: [], left: [] })]),
      /\[█{20}\] {3}0\/0/,
    );
  });

  it('a reinstall and a Rook/Ceph upgrade by their steps', () => {
    const reinstall = {
      node: 'bm-7',
      step: 'power-on',
      waitingReason: undefined,
    } as NodeReinstallStatus;
    assert.match(
      renderBars([reinstallProgress(reinstall)]),
      /^bm-7 {2}\[█{13}░{7}\] {2}7\/11 power-on$/,
    );
    assert.match(
      renderBars([reinstallProgress({ ...reinstall, novaRegion: 'lab' })]),
      /^bm-7 {2}\[█{12}░{8}\] {2}9\/15 power-on$/,
      "a hypervisor's reinstall has four steps more",
    );
    assert.match(
      renderBars([
        reinstallProgress({
          ...reinstall,
          step: 'validating',
          unavailable: 'NetBox (HTTP 500: database unavailable, since 10:42:13 UTC)',
        }),
      ]),
      /^bm-7 {2}\[░{20}\] {2}0\/11 validating: waiting for NetBox$/,
    );
    const rook = {
      cluster: 'lab',
      phase: 'ceph-roll',
      current: 'OSDs at v18.2.6',
    } as RookCephUpgradeStatus;
    assert.match(
      renderBars([rookProgress(rook)]),
      /^lab {2}\[█{14}░{6}\] {3}5\/7 ceph-roll: OSDs at v18\.2\.6$/,
    );
  });
});

describe('LiveFrame', () => {
  it('redraws in place: back over the lines it drew, clear, draw; long lines cut to the width', () => {
    const written: string[] = [];
    const frame = new LiveFrame({ write: (t) => written.push(t) }, 12);
    frame.show('one\ntwo');
    frame.show('a much longer line\nb\nc');
    frame.clear();
    assert.deepEqual(written, ['one\ntwo\n', '\x1b[2F\x1b[Ja much lon…\nb\nc\n', '\x1b[3F\x1b[J']);
  });
});
