// `steward setup-namespace` against a dev server started without Steward's search attributes,
// reached through Temporal's standard variables (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { searchAttributes } from '../../workflows/api';
import { TEMPORAL_BIN } from '../support/temporal';

const STEWARD = join(__dirname, '../../bin/steward');
const { IndexedValueType } = temporal.api.enums.v1;
const names = Object.values(searchAttributes).map((k) => k.name);

let env: TestWorkflowEnvironment;
const dir = mkdtempSync(join(tmpdir(), 'steward-setup-ns-'));
before(async () => {
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: TEMPORAL_BIN },
      extraArgs: ['--namespace', 'clash'],
      log: { format: 'pretty', level: 'error' },
    },
  });
});
after(async () => {
  await env?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

async function steward(namespace: string): Promise<{ code: number; out: string }> {
  const config = join(dir, 'steward.yaml');
  writeFileSync(config, 'temporal:\n  address: 127.0.0.1:1\n'); // the variable must win
  try {
    const { stdout } = await promisify(execFile)(STEWARD, ['setup-namespace'], {
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        STEWARD_CONFIG: config,
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_NAMESPACE: namespace,
      },
    });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

const registered = async (namespace: string) =>
  (await env.connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};

describe('steward setup-namespace', () => {
  it("registers Steward's search attributes as Keyword, and a second run changes nothing", async () => {
    const first = await steward('default');
    assert.equal(first.code, 0, first.out);
    for (const name of names) {
      assert.match(
        first.out,
        new RegExp(`^${name} \\(Keyword\\): registered on namespace default$`, 'm'),
      );
    }
    const attrs = await registered('default');
    for (const name of names) {
      assert.equal(attrs[name], IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, name);
    }
    const second = await steward('default');
    assert.equal(second.code, 0, second.out);
    assert.equal(
      second.out.match(/already registered on namespace default/g)?.length,
      names.length,
    );
  });

  it('refuses an attribute of another type, naming it, and registers nothing', async () => {
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'clash',
      searchAttributes: { StewardPhase: IndexedValueType.INDEXED_VALUE_TYPE_TEXT },
    });
    const run = await steward('clash');
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /namespace clash: StewardPhase is Text; Steward needs Keyword/);
    const attrs = await registered('clash');
    assert.deepEqual(
      names.filter((n) => n in attrs),
      ['StewardPhase'],
    );
  });
});
