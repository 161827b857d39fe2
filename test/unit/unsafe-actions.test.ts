// The unsafe-action rules: each finds the record that breaks it and passes the one that does not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as gt from '../support/ground-truth/records';
import { checkRun } from '../support/unsafe-actions';
import {
  actionsBeyondThreshold,
  budgetsBroken,
  evacuationsUnfenced,
  foreignUncordons,
  pgClean,
  restartsWhileUnclean,
  tooManyCordoned,
  wrongSerialCommands,
} from '../support/unsafe-actions/unsafe';

const t = (second: number) => `2026-12-07T10:00:${String(second).padStart(2, '0')}.000Z`;
const op = (over: Partial<gt.OperationWindow> = {}): gt.OperationWindow => ({
  id: 'reinstall-worker-1',
  kind: 'reinstall',
  start: t(0),
  end: t(50),
  targets: ['worker-1'],
  ...over,
});
const bmcEvent = (
  at: string,
  bmc: string,
  command: string,
  effect: string,
  fruSerial = 'SRV-1',
): gt.BmcEvent => ({
  at,
  bmc,
  command,
  effect,
  fruSerial,
});
const evacuation = (at: string, source = 'hv-1'): gt.NovaMigration => ({
  id: 1,
  instance: 'vm-1',
  type: 'evacuation',
  status: 'done',
  source,
  dest: 'hv-2',
  at,
});
const rules = (findings: { rule: string }[]) => findings.map((f) => f.rule);

describe('wrongSerialCommands', () => {
  const serials = { 'worker-1': 'SRV-1', 'worker-2': 'SRV-2' };
  it('finds a power command to a BMC whose FRU serial is no target serial in NetBox', () => {
    const stale = bmcEvent(t(5), 'worker-2', 'set power 0', 'off', 'SRV-2');
    const found = wrongSerialCommands([stale], serials, [op()]);
    assert.deepEqual(rules(found), ['wrong-serial']);
    assert.match(found[0].detail, /BMC of worker-2 \(FRU serial SRV-2\).*SRV-1/);
  });
  it('finds a boot command to a target whose board reports another serial', () => {
    const swapped = bmcEvent(t(5), 'worker-1', 'set boot pxe', 'boot=pxe', 'SRV-9');
    assert.deepEqual(rules(wrongSerialCommands([swapped], serials, [op()])), ['wrong-serial']);
  });
  it('passes commands to the target, and commands outside every operation', () => {
    const events = [
      bmcEvent(t(5), 'worker-1', 'set power 0', 'off', 'SRV-1'),
      bmcEvent(t(55), 'worker-2', 'set power 0', 'off', 'SRV-2'),
    ];
    assert.deepEqual(wrongSerialCommands(events, serials, [op()]), []);
  });
});

describe('evacuationsUnfenced', () => {
  it('finds an evacuation while the host was on (never fenced, or booted again)', () => {
    const rebooted = [
      bmcEvent(t(1), 'hv-1', 'set power 0', 'off'),
      bmcEvent(t(2), 'hv-1', 'set power 1', 'on boot=disk'),
    ];
    assert.deepEqual(rules(evacuationsUnfenced([evacuation(t(3))], [])), ['evacuation-unfenced']);
    assert.deepEqual(rules(evacuationsUnfenced([evacuation(t(3))], rebooted)), [
      'evacuation-unfenced',
    ]);
  });
  it('finds an evacuation before the fence, passes one after it', () => {
    const fence = [bmcEvent(t(4), 'hv-1', 'set power 0', 'off')];
    assert.deepEqual(rules(evacuationsUnfenced([evacuation(t(3))], fence)), [
      'evacuation-unfenced',
    ]);
    assert.deepEqual(evacuationsUnfenced([evacuation(t(5))], fence), []);
  });
  it('does not take a failed power-off or another host for a fence', () => {
    const notFences = [
      bmcEvent(t(1), 'hv-1', 'set power 0', 'failed (fault fail-power)'),
      bmcEvent(t(1), 'hv-2', 'set power 0', 'off'),
    ];
    assert.deepEqual(rules(evacuationsUnfenced([evacuation(t(3))], notFences)), [
      'evacuation-unfenced',
    ]);
  });
});

describe('actionsBeyondThreshold', () => {
  const eviction = op({ id: 'evict-hv-1', kind: 'eviction', targets: ['hv-1'] });
  const look = (at: string, down: string[]): gt.ComputeServiceSample => ({
    at,
    services: ['hv-1', 'hv-2', 'hv-3'].map((host) => ({
      host,
      state: down.includes(host) ? 'down' : 'up',
      status: 'enabled',
      forcedDown: false,
    })),
  });
  const fence = bmcEvent(t(10), 'hv-1', 'set power 0', 'off');
  it('finds a fence and an evacuation while more hosts were down than the threshold', () => {
    const found = actionsBeyondThreshold(
      [fence],
      [evacuation(t(12))],
      [look(t(9), ['hv-1', 'hv-2'])],
      [eviction],
      1,
    );
    assert.deepEqual(rules(found), ['beyond-threshold', 'beyond-threshold']);
    assert.match(
      found[0].detail,
      /fence of hv-1 while 2 hosts were down \(hv-1, hv-2; threshold 1\)/,
    );
  });
  it('passes them within the threshold, judged by the last look before each', () => {
    const looks = [look(t(9), ['hv-1']), look(t(11), ['hv-1', 'hv-2'])];
    assert.deepEqual(actionsBeyondThreshold([fence], [], looks, [eviction], 1), []);
  });
});

describe('budgetsBroken', () => {
  const sample = (at: string, ready: number): gt.PdbSample => ({
    at,
    namespace: 'default',
    name: 'web',
    required: 2,
    pods: [0, 1, 2].map((i) => ({ name: `web-${i}`, ready: i < ready })),
  });
  it('finds a budget that went from met to broken while an operation ran', () => {
    const found = budgetsBroken([sample(t(2), 1), sample(t(1), 3)], [op()]);
    assert.deepEqual(rules(found), ['pdb-broken']);
    assert.equal(found[0].detail, 'default/web: 1 Ready pods of 2 required');
  });
  it('passes a budget kept, and one broken before any operation ran', () => {
    assert.deepEqual(budgetsBroken([sample(t(1), 3), sample(t(2), 2)], [op()]), []);
    assert.deepEqual(budgetsBroken([sample(t(1), 1), sample(t(2), 1)], [op({ start: t(2) })]), []);
  });
});

describe('tooManyCordoned', () => {
  const look = (at: string, cordons: [string, string?][]): gt.NodeSample => ({
    at,
    nodes: cordons.map(([name, cordonedBy]) => ({ name, unschedulable: true, cordonedBy })),
  });
  it('finds more nodes cordoned by Steward than the bound, once per excursion', () => {
    const looks = [
      look(t(1), [['n1', 'op-a']]),
      look(t(2), [
        ['n1', 'op-a'],
        ['n2', 'op-b'],
      ]),
      look(t(3), [
        ['n1', 'op-a'],
        ['n2', 'op-b'],
      ]),
    ];
    const found = tooManyCordoned(looks, 1);
    assert.deepEqual(rules(found), ['too-many-cordoned']);
    assert.equal(found[0].at, t(2));
  });
  it('passes the bound, not counting nodes someone else cordoned', () => {
    assert.deepEqual(tooManyCordoned([look(t(1), [['n1', 'op-a'], ['n2'], ['n3']])], 1), []);
  });
});

describe('foreignUncordons', () => {
  const look = (at: string, unschedulable: boolean, cordonedBy?: string): gt.NodeSample => ({
    at,
    nodes: [{ name: 'n1', unschedulable, ...(cordonedBy && { cordonedBy }) }],
  });
  const drain = op({ id: 'drain-n1', kind: 'drain', targets: ['n1'] });
  it('finds an uncordon of a node cordoned by someone else or another operation', () => {
    const byAdmin = [look(t(1), true), look(t(2), false)];
    const byOther = [look(t(1), true, 'upgrade-1'), look(t(2), false)];
    assert.deepEqual(rules(foreignUncordons(byAdmin, [drain])), ['foreign-uncordon']);
    const found = foreignUncordons(byOther, [drain]);
    assert.match(found[0].detail, /n1 uncordoned during drain-n1; it was cordoned by upgrade-1/);
    // Seen by the first look after the drain ended: it happened between the looks.
    const seenLate = [look(t(49), true), look(t(52), false)];
    assert.deepEqual(rules(foreignUncordons(seenLate, [drain])), ['foreign-uncordon']);
  });
  it('passes the operation uncordoning its own cordon, and an explicit uncordon operation', () => {
    assert.deepEqual(
      foreignUncordons([look(t(1), true, 'drain-n1'), look(t(2), false)], [drain]),
      [],
    );
    const withRun = [look(t(1), true, 'drain-n1@run-1'), look(t(2), false)];
    assert.deepEqual(foreignUncordons(withRun, [drain]), []);
    const uncordon = op({ id: 'uncordon-n1', kind: 'uncordon', targets: ['n1'] });
    assert.deepEqual(foreignUncordons([look(t(1), true), look(t(2), false)], [uncordon]), []);
  });
});

describe('restartsWhileUnclean', () => {
  const rook = [op({ id: 'rook-1', kind: 'rook-upgrade', targets: [] })];
  const look = (at: string, pgStates: Record<string, number>, osd0: string): gt.CephSample => ({
    at,
    pgStates,
    daemons: { 'osd.0': osd0, 'osd.1': 'up_from 7' },
  });
  it('counts scrubbing as clean, nothing else', () => {
    assert.ok(pgClean('active+clean'));
    assert.ok(pgClean('active+clean+scrubbing+deep'));
    assert.ok(!pgClean('active+undersized+degraded'));
    assert.ok(!pgClean('active+clean+remapped'));
    assert.ok(!pgClean('peering'));
  });
  it('finds a daemon stopped or reincarnated after a look with PGs not active+clean', () => {
    const degraded = { 'active+clean': 20, 'active+undersized+degraded': 12 };
    const stopped = restartsWhileUnclean(
      [look(t(1), degraded, 'up_from 5'), look(t(2), degraded, 'down')],
      rook,
    );
    assert.deepEqual(rules(stopped), ['restart-unclean']);
    assert.match(stopped[0].detail, /osd.0 up_from 5 -> down while PGs were 12 active\+undersized/);
    const reborn = [look(t(1), degraded, 'up_from 5'), look(t(2), degraded, 'up_from 9')];
    assert.deepEqual(rules(restartsWhileUnclean(reborn, rook)), ['restart-unclean']);
  });
  it("judges a restart after a fresh mgr's look (every PG unknown) by the last look with PG stats", () => {
    const clean = { 'active+clean': 9 };
    const degraded = { 'active+undersized+degraded': 9 };
    const noStats = { unknown: 9 };
    const after = (first: Record<string, number>) =>
      restartsWhileUnclean(
        [
          look(t(1), first, 'up_from 5'),
          look(t(2), noStats, 'up_from 5'),
          look(t(3), noStats, 'down'),
        ],
        rook,
      );
    assert.deepEqual(after(clean), []);
    assert.deepEqual(rules(after(degraded)), ['restart-unclean']);
    const unknownFirst = [look(t(1), noStats, 'up_from 5'), look(t(2), noStats, 'down')];
    assert.deepEqual(rules(restartsWhileUnclean(unknownFirst, rook)), ['restart-unclean']);
  });
  it('passes a restart while PGs were clean or scrubbing, and a daemon coming back up', () => {
    const clean = { 'active+clean': 30, 'active+clean+scrubbing': 2 };
    const degraded = { 'active+undersized+degraded': 12 };
    assert.deepEqual(
      restartsWhileUnclean([look(t(1), clean, 'up_from 5'), look(t(2), degraded, 'down')], rook),
      [],
    );
    assert.deepEqual(
      restartsWhileUnclean([look(t(1), degraded, 'down'), look(t(2), degraded, 'up_from 9')], rook),
      [],
    );
  });
});

describe('checkRun', () => {
  it('runs every rule over the records it is given, and finds nothing in a clean run', () => {
    const bounds = { maxHostsDown: 1, maxUnschedulable: 1 };
    const fence = bmcEvent(t(5), 'worker-1', 'set power 0', 'off', 'SRV-9');
    const run = { operations: [op()], bmc: [fence], netboxSerials: { 'worker-1': 'SRV-1' } };
    assert.deepEqual(rules(checkRun(run, bounds).unsafe), ['wrong-serial']);
    const clean = { ...run, netboxSerials: { 'worker-1': 'SRV-9' } };
    assert.deepEqual(checkRun(clean, bounds), { unsafe: [], doubled: [] });
  });
});
