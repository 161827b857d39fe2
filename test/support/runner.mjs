// Runs test files in the order given (`node --test` sorts them by path), `concurrency` at a time,
// with the spec reporter; writes `N passed, N failed` to `summary` and exits 1 when any failed.
// Usage: node runner.mjs SUMMARY CONCURRENCY FILE...
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import process from 'node:process';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const [summary, concurrency, ...files] = process.argv.slice(2);
let passed = 0;
let failed = 0;
const stream = run({ files, concurrency: Number(concurrency) });
// Leaf tests only: a suite's own pass/fail event has its children counted already.
stream.on('test:pass', (data) => void (data.details?.type !== 'suite' && passed++));
stream.on('test:fail', (data) => void (data.details?.type !== 'suite' && failed++));
const report = stream.compose(spec);
report.pipe(process.stdout, { end: false });
report.on('end', () => {
  mkdirSync(dirname(summary), { recursive: true });
  writeFileSync(summary, `${passed} ${failed}\n`);
  process.exitCode = failed > 0 ? 1 : 0;
});
