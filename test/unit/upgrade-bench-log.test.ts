import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePhysicsLog } from '../../scripts/bench/upgrade-timeline';

describe('parsePhysicsLog (upgrade benchmark)', () => {
  const pod = 'steward-system/upgrade-worker-5-v1-32-13-kwmkl';
  const log = [
    `2026-11-25T06:12:37.385Z ${pod}: upgrading worker-5 to v1.32.13 (kubeadm upgrade node)`,
    '2026-11-25T06:12:39.432Z worker-5: kubelet restarting, now v1.32.13',
    '2026-11-25T06:12:41.482Z worker-5: Ready 39 ms after the kubelet started',
    `2026-11-25T06:12:41.511Z ${pod}: done`,
    '2026-11-25T06:12:42.000Z steward-system/upgrade-cp-1-v1-32-13-abcde: upgrading cp-1 to v1.32.13 (kubeadm upgrade apply)',
  ].join('\n');

  it('reads when the physics started and ended each node’s Job, keyed node@version', () => {
    const plays = parsePhysicsLog(log);
    assert.deepEqual(plays.get('worker-5@v1.32.13'), {
      playStart: Date.parse('2026-11-25T06:12:37.385Z'),
      playEnd: Date.parse('2026-11-25T06:12:41.511Z'),
    });
    assert.deepEqual(plays.get('cp-1@v1.32.13'), {
      playStart: Date.parse('2026-11-25T06:12:42.000Z'),
    });
  });

  it('starts anew when the physics plays a pod again', () => {
    const again = `${log}\n2026-11-25T06:13:00.000Z ${pod}: upgrading worker-5 to v1.32.13 (kubeadm upgrade node)`;
    assert.deepEqual(parsePhysicsLog(again).get('worker-5@v1.32.13'), {
      playStart: Date.parse('2026-11-25T06:13:00.000Z'),
    });
  });
});
