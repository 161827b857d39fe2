// `steward completion bash`, sourced into a real bash and asked as bash asks on TAB; and the
// query behind `steward list`'s filters.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { listQuery } from '../../cli/commands/inspect';
import { OPERATION_NAMES } from '../../cli/completion';

const root = join(__dirname, '../..');

describe('steward completion bash', () => {
  let script: string;
  let fakeSteward: string;
  before(() => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-completion-'));
    script = join(dir, 'steward.bash');
    writeFileSync(script, execFileSync(join(root, 'bin/steward'), ['completion', 'bash']));
    // `steward list -q` as the completion calls it, without a Temporal server.
    writeFileSync(
      join(dir, 'steward'),
      '#!/bin/sh\n[ "$*" = "list -q" ] && printf "drain/lab/worker-1\\nk8s-upgrade/lab\\n"\n',
      { mode: 0o755 },
    );
    fakeSteward = dir;
  });

  /** What TAB offers after `line` (the last word is the one being completed). */
  const complete = (line: string) =>
    execFileSync(
      'bash',
      [
        '-c',
        `source "$0"; COMP_WORDS=(${line}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _steward; echo "\${COMPREPLY[*]}"`,
        script,
      ],
      { env: { ...process.env, PATH: `${fakeSteward}:${process.env.PATH}` } },
    )
      .toString()
      .trim();

  const cases: [string, string][] = [
    ['steward k8s', 'k8s-upgrade'],
    ['steward sch', 'schedule'],
    ['steward schedule p', 'pause'],
    ['steward schedule pause x --n', '--note'],
    ['steward k8s-upgrade lab --win', '--window'],
    ['steward list --op', '--operation'],
    ['steward list --operation k8s', 'k8s-upgrade k8s-upgrade-node'],
    ['steward status dr', 'drain/lab/worker-1'],
    ['steward watch ""', 'drain/lab/worker-1 k8s-upgrade/lab'],
    ['steward decide k8s-upgrade/lab a', 'abort approve'],
    ['steward completion ""', '--help'],
  ];
  for (const [line, offered] of cases) {
    it(`${line} ⇥ ${offered}`, () => assert.equal(complete(line), offered));
  }

  it('offers every operation the workflows announce', () => {
    // Directly, or as the kind of an Operation (the skeleton announces it).
    const announces = /announce\('([^']+)'|(?:new Operation\(|super\()[^;]*?\bkind: '([^']+)'/gs;
    const announced = readdirSync(join(root, 'workflows'))
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(join(root, 'workflows', f), 'utf8').matchAll(announces)])
      .map((m) => m[1] ?? m[2]);
    assert.deepEqual([...new Set(announced)].sort(), [...OPERATION_NAMES].sort());
  });
});

describe('steward list filters', () => {
  it('narrows by search attributes and running unless --all', () => {
    assert.equal(listQuery({}), 'StewardOperation IS NOT NULL AND ExecutionStatus = "Running"');
    assert.equal(
      listQuery({
        all: true,
        operation: 'k8s-upgrade',
        cluster: 'lab',
        target: '1.33',
        phase: 'waiting-for-window',
      }),
      'StewardOperation IS NOT NULL AND StewardOperation = "k8s-upgrade" AND StewardCluster = "lab" AND StewardTarget = "1.33" AND StewardPhase = "waiting-for-window"',
    );
  });

  for (const bad of ['lab" OR 1=1', '', 'a b']) {
    it(`refuses ${JSON.stringify(bad)} naming the flag`, () =>
      assert.throws(() => listQuery({ cluster: bad }), /^Error: --cluster: /));
  }
});
