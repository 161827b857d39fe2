// The code's static contract: TypeScript strict compiles, ESLint and Prettier are clean.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(__dirname, '../..');
const bin = (name: string) => join(root, 'node_modules/.bin', name);

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
  assert.equal(result.status, 0, `${command} ${args.join(' ')}\n${result.stdout}${result.stderr}`);
}

describe('static checks', () => {
  it('tsc --noEmit is clean', () => run(bin('tsc'), ['--noEmit', '-p', '.']));
  it('eslint is clean', () => run(bin('eslint'), ['--max-warnings=0', '.']));
  it('prettier --check is clean', () => run(bin('prettier'), ['--check', '.']));
});
