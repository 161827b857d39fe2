// What a finished Rook/Ceph upgrade on the lab must show, checked against the lab Rook operator's
// record of its restarts and the ceph CLI's own view sampled meanwhile: each daemon restarted once
// per roll, in Rook's order, and each health gate passed only on a cluster at HEALTH_OK with every
// PG active+clean, after the restarts of its group (the OSD gates after Ceph went through
// degraded PGs or a down OSD and back).
import assert from 'node:assert/strict';
import type { RookCephUpgradeResult } from '../../workflows/api';
import type { CephSample, RookRestart } from './lab-rook';

export const ROLL_ORDER = ['mon.a', 'mon.b', 'mon.c', 'mgr.a', 'osd.0', 'osd.1', 'osd.2'];
const GROUP_OF: Record<string, string> = { mons: 'mon.', mgr: 'mgr.', OSDs: 'osd.' };

/** The restarts in rolls, one per (Rook version, image) pair in the order they began. */
export function rolls(
  restarts: RookRestart[],
): { rook: string; image: string; restarts: RookRestart[] }[] {
  const found: { rook: string; image: string; restarts: RookRestart[] }[] = [];
  for (const r of restarts) {
    let roll = found.find((f) => f.rook === r.rook && f.image === r.image);
    if (!roll) found.push((roll = { rook: r.rook, image: r.image, restarts: [] }));
    roll.restarts.push(r);
  }
  return found;
}

/**
 * Each roll restarted every daemon exactly once in Rook's order; the rolls are `expected`
 * ("<rook> <image>" each). Returns the rolls.
 */
export function assertRolledOnce(restarts: RookRestart[], expected: string[]) {
  const found = rolls(restarts);
  assert.deepEqual(
    found.map((r) => `${r.rook} ${r.image}`),
    expected,
    'the rolls, in order',
  );
  for (const roll of found) {
    assert.deepEqual(
      roll.restarts.map((r) => r.daemon),
      ROLL_ORDER,
      `roll ${roll.rook} ${roll.image}: each daemon restarted once, in Rook's order`,
    );
  }
  return found;
}

export function assertGatesHonest(
  result: RookCephUpgradeResult,
  restarts: RookRestart[],
  samples: CephSample[],
): void {
  const found = rolls(restarts);
  const groupGates = result.gates.filter((g) => g.gate.startsWith('after the '));
  assert.equal(groupGates.length, found.length * 3, result.gates.map((g) => g.gate).join('\n'));
  for (const gate of result.gates) {
    const from = Date.parse(gate.firstPassAt);
    const to = Date.parse(gate.passedAt);
    assert.ok(gate.reads >= 3, `${gate.gate}: ${gate.reads} reads`);
    assert.match(
      gate.summary,
      /^HEALTH_OK; (\d+) PGs: \1 active\+clean; quorum a,b,c of 3 mons; 3 of 3 OSDs up, 3 in$/,
      gate.gate,
    );
    const seen = samples.filter((s) => s.at >= from - 1_000 && s.at <= to + 1_000);
    assert.ok(
      seen.some((s) => s.ok),
      `${gate.gate}: the ceph CLI saw no HEALTH_OK with all PGs active+clean while it passed: ${seen.map((s) => s.text).join(' | ')}`,
    );
  }
  groupGates.forEach((gate, i) => {
    const roll = found[Math.floor(i / 3)];
    const group = /^after the (\S+) at /.exec(gate.gate)![1];
    const groupRestarts = roll.restarts.filter((r) => r.daemon.startsWith(GROUP_OF[group]));
    const firstPass = Date.parse(gate.firstPassAt);
    for (const r of groupRestarts) {
      assert.ok(
        r.at < firstPass,
        `${gate.gate}: ${r.daemon} restarted after the gate began to pass`,
      );
    }
    if (group === 'OSDs') {
      const during = samples.filter((s) => s.at >= groupRestarts[0].at && s.at < firstPass);
      assert.ok(
        during.some((s) => !s.ok),
        `${gate.gate}: Ceph never left HEALTH_OK with clean PGs between the first OSD restart and the gate: ${during.map((s) => s.text).join(' | ')}`,
      );
    }
  });
}
