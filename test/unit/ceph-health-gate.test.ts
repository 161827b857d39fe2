// The Ceph health gate on outputs captured from real Ceph 16.2.15 clusters: the project's shared
// captures (copied from ../shared/fixtures/ceph-16.2.15 into test/fixtures/ceph/one-mon, one mon)
// and the lab's (test/fixtures/ceph, three mons).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  parseHealth,
  parseOkToStop,
  parseOsds,
  parsePgStates,
  parseQuorum,
} from '../../activities/ceph/parse';
import {
  cephHealthGate,
  describeCephHealth,
  pgStateClean,
  type CephHealthFacts,
  type CephGateCheck,
} from '../../workflows/policy/ceph-health-gate';
import { FIXTURES } from '../support/lab';

const LAB = join(FIXTURES, 'ceph');
const SHARED = join(__dirname, '../fixtures/ceph/one-mon');
const lab = (name: string) => JSON.parse(readFileSync(join(LAB, `${name}.json`), 'utf8'));
const text = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');

/** Facts from lab captures: `<state>-health-detail`, `-pgs-brief`, `-quorum-status`, `-osd-dump`. */
const facts = (
  parts: Partial<Record<'health' | 'pgs' | 'quorum' | 'osds', string>>,
): CephHealthFacts => ({
  health: parseHealth(lab(parts.health ?? 'ok-health-detail')),
  pgs: parsePgStates(lab(parts.pgs ?? 'ok-pgs-brief')),
  quorum: parseQuorum(lab(parts.quorum ?? 'ok-quorum-status')),
  osds: parseOsds(lab(parts.osds ?? 'ok-osd-dump')),
});

describe('cephHealthGate on lab captures', () => {
  const cases: {
    name: string;
    facts: CephHealthFacts;
    allowed?: string[];
    failing: CephGateCheck[];
    quotes: RegExp[];
  }[] = [
    { name: 'a healthy cluster', facts: facts({}), failing: [], quotes: [] },
    {
      name: 'an OSD down',
      facts: facts({
        health: 'osd-down-health-detail',
        pgs: 'osd-down-pgs-brief',
        osds: 'osd-down-osd-dump',
      }),
      failing: ['health', 'health', 'pgs', 'osds'],
      quotes: [
        /OSD_DOWN \[HEALTH_WARN\]: 1 osds down \(osd\.1 \(root=default,host=vm\) is down\)/,
        /PG_DEGRADED \[HEALTH_WARN\]: Degraded data redundancy: 9\/27 objects degraded/,
        /10 of 10 PGs not active\+clean .*pg 1\.0 is active\+undersized\+degraded/,
        /^osd\.1 down$/,
      ],
    },
    {
      name: 'a mon out of quorum',
      facts: facts({ health: 'mon-down-health-detail', quorum: 'mon-down-quorum-status' }),
      failing: ['health', 'quorum'],
      quotes: [
        /MON_DOWN \[HEALTH_WARN\]: 1\/3 mons down, quorum b,a \(mon\.c \(rank 1\) addr .* is down \(out of quorum\)\)/,
        /^mon\.c out of quorum \(quorum a,b\)$/,
      ],
    },
    {
      name: 'a PG that stays degraded',
      facts: facts({ health: 'pg-degraded-health-detail', pgs: 'pg-degraded-pgs-brief' }),
      failing: ['health', 'pgs'],
      quotes: [
        /PG_DEGRADED/,
        /1 of 10 PGs not active\+clean \(1 active\+undersized\+degraded\): pg 3\.0/,
      ],
    },
    {
      name: 'an allowed warning still fails on the degraded PG itself',
      facts: facts({ health: 'pg-degraded-health-detail', pgs: 'pg-degraded-pgs-brief' }),
      allowed: ['PG_DEGRADED'],
      failing: ['pgs'],
      quotes: [/pg 3\.0 is active\+undersized\+degraded/],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const verdict = cephHealthGate(c.facts, { allowedWarnings: c.allowed });
      assert.deepEqual(
        verdict.failures.map((f) => f.check),
        c.failing,
        JSON.stringify(verdict.failures),
      );
      assert.equal(verdict.pass, c.failing.length === 0);
      c.quotes.forEach((q, i) => assert.match(verdict.failures[i].message, q));
    });
  }
});

describe('cephHealthGate on the shared captures (one mon)', () => {
  const shared = (name: string) => parseHealth(JSON.parse(text(SHARED, name)));
  const healthy = facts({});
  it('refuses the captured baseline with its two warnings, and passes when both are allowed', () => {
    const health = shared('health-ok.json');
    const strict = cephHealthGate({ ...healthy, health });
    assert.deepEqual(
      strict.failures.map((f) => f.message.split(' ')[0]),
      ['AUTH_INSECURE_GLOBAL_ID_RECLAIM_ALLOWED', 'MON_DISK_LOW'],
    );
    const lenient = cephHealthGate(
      { ...healthy, health },
      { allowedWarnings: ['AUTH_INSECURE_GLOBAL_ID_RECLAIM_ALLOWED', 'MON_DISK_LOW'] },
    );
    assert.equal(lenient.pass, true);
    assert.deepEqual(lenient.allowed, ['AUTH_INSECURE_GLOBAL_ID_RECLAIM_ALLOWED', 'MON_DISK_LOW']);
  });
  it('never lets an allow-listed OSD_DOWN hide the down OSD', () => {
    const health = shared('health-osd-down-noout.json');
    const verdict = cephHealthGate(
      { ...healthy, health, osds: healthy.osds.map((o) => ({ ...o, up: o.id !== 0 })) },
      {
        allowedWarnings: [
          'AUTH_INSECURE_GLOBAL_ID_RECLAIM_ALLOWED',
          'MON_DISK_LOW',
          'OSDMAP_FLAGS',
          'OSD_DOWN',
        ],
      },
    );
    assert.deepEqual(verdict.failures, [{ check: 'osds', message: 'osd.0 down' }]);
  });
  it('quotes Ceph naming the OSD', () => {
    const verdict = cephHealthGate({ ...healthy, health: shared('health-osd-down.json') });
    assert.ok(
      verdict.failures.some((f) => f.message.includes('osd.0 (root=default,host=vm) is down')),
    );
  });
});

/** The lab's healthy `pg dump pgs_brief` capture with some PGs put in `states`, as Ceph writes them. */
function pgsBriefWith(...states: string[]): unknown {
  const brief = lab('ok-pgs-brief') as { pg_stats: { state: string }[] };
  states.forEach((state, i) => (brief.pg_stats[i].state = state));
  return brief;
}

describe('PGs that scrub or trim snapshots count as clean, as Ceph counts them', () => {
  const busy = [
    'active+clean+scrubbing',
    'active+clean+scrubbing+deep',
    'active+clean+snaptrim',
    'active+clean+snaptrim_wait',
  ];
  it('the gate passes a healthy cluster whose PGs scrub, deep-scrub and trim snapshots', () => {
    const f = { ...facts({}), pgs: parsePgStates(pgsBriefWith(...busy)) };
    assert.deepEqual(f.pgs.notClean, []);
    assert.deepEqual(cephHealthGate(f), { pass: true, failures: [], allowed: [] });
    assert.match(describeCephHealth(f), /10 PGs: 6 active\+clean, 1 active\+clean\+scrubbing, /);
  });
  it('a PG that is degraded, inconsistent, remapped or laggy while it scrubs still fails, named', () => {
    const bad = [
      'active+undersized+degraded+scrubbing',
      'active+clean+scrubbing+deep+inconsistent',
      'active+clean+remapped',
      'active+clean+laggy',
      'peering',
    ];
    const f = { ...facts({}), pgs: parsePgStates(pgsBriefWith('active+clean+scrubbing', ...bad)) };
    const verdict = cephHealthGate(f);
    assert.deepEqual(
      verdict.failures.map((x) => x.check),
      ['pgs'],
    );
    assert.match(verdict.failures[0].message, /^5 of 10 PGs not active\+clean \(/);
    for (const state of bad) assert.ok(verdict.failures[0].message.includes(`is ${state}`), state);
    assert.ok(!verdict.failures[0].message.includes('is active+clean+scrubbing;'));
  });
  it('judges the state names of `ceph status` (pgmap.pgs_by_state) and `ceph pg stat` alike', () => {
    // Real shapes: the lab's captures, the healthy one with Ceph's names of busy clean PGs.
    const ok = lab('ok-status') as { pgmap: { pgs_by_state: { state_name: string }[] } };
    const down = lab('osd-down-status') as typeof ok;
    const pgStat = {
      num_pg_by_state: [...busy, 'active+clean'].map((name) => ({ name, num: 1 })),
    };
    for (const { state_name } of ok.pgmap.pgs_by_state) assert.ok(pgStateClean(state_name));
    for (const { name } of pgStat.num_pg_by_state) assert.ok(pgStateClean(name), name);
    for (const { state_name } of down.pgmap.pgs_by_state) {
      assert.equal(pgStateClean(state_name), false, state_name);
    }
    for (const state of [
      'clean',
      'active',
      'active+clean+premerge',
      'active+clean+scrubbing+repair',
    ]) {
      assert.equal(pgStateClean(state), false, state);
    }
  });
});

describe('Ceph output parsers', () => {
  it('read ok-to-stop both ways, with the reason from stderr', () => {
    assert.deepEqual(parseOkToStop(text(SHARED, 'oktostop-0.json'), ''), {
      okToStop: true,
      osds: [0],
      pgsBecomeDegraded: JSON.parse(text(SHARED, 'oktostop-0.json')).ok_become_degraded,
      pgsBecomeInactive: [],
    });
    const refused = parseOkToStop(text(SHARED, 'oktostop-1.json'), text(SHARED, 'oktostop-1.err'));
    assert.equal(refused?.okToStop, false);
    assert.equal(
      refused?.reason,
      'Error EBUSY: unsafe to stop osd(s) at this time (33 PGs are or would become offline)',
    );
    assert.equal(refused?.pgsBecomeInactive.length, 33);
    assert.equal(parseOkToStop('', 'Error ENOENT: osd.9 does not exist'), undefined);
  });
  it('count PG states and list the unclean PGs in order', () => {
    const pgs = parsePgStates(lab('osd-down-pgs-brief'));
    assert.equal(pgs.total, 10);
    assert.equal(pgs.notClean.length, 10);
    assert.deepEqual(
      pgs.notClean.map((p) => p.pgid),
      [...pgs.notClean.map((p) => p.pgid)].sort((a, b) =>
        a.localeCompare(b, 'en', { numeric: true }),
      ),
    );
    assert.equal(parsePgStates(lab('ok-pgs-brief')).notClean.length, 0);
  });
  it('read the quorum and OSDs', () => {
    assert.deepEqual(parseQuorum(lab('mon-down-quorum-status')), {
      mons: ['b', 'c', 'a'],
      quorum: ['a', 'b'],
      leader: 'b',
    });
    assert.deepEqual(
      parseOsds(lab('osd-down-osd-dump')).map((o) => [o.id, o.up, o.in]),
      [
        [0, true, true],
        [1, false, true],
        [2, true, true],
      ],
    );
  });
});

describe('describeCephHealth', () => {
  it('says in one line what the gate judged, on the lab captures', () => {
    assert.equal(
      describeCephHealth(facts({})),
      'HEALTH_OK; 10 PGs: 10 active+clean; quorum a,b,c of 3 mons; 3 of 3 OSDs up, 3 in',
    );
    const down = describeCephHealth(
      facts({
        health: 'osd-down-health-detail',
        pgs: 'osd-down-pgs-brief',
        osds: 'osd-down-osd-dump',
      }),
    );
    assert.match(
      down,
      /^HEALTH_WARN; 10 PGs: \d+ active\+undersized\+degraded.*; 2 of 3 OSDs up, 3 in$/,
    );
  });
});
