// Runs the test files in the order given (`node --test` sorts them by path), two at a time or
// STEWARD_TEST_CONCURRENCY, with the spec reporter; writes the closing line CI reads,
// `N passed, N failed`, to test-results/summary.txt and exits 1 when any test failed.
import { mkdirSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

let passed = 0;
let failed = 0;
const stream = run({
  files: process.argv.slice(2),
  concurrency: Number(process.env.STEWARD_TEST_CONCURRENCY ?? 2),
});
// Leaf tests only: a suite's own pass/fail event has its children counted already.
stream.on('test:pass', (data) => void (data.details?.type !== 'suite' && passed++));
stream.on('test:fail', (data) => void (data.details?.type !== 'suite' && failed++));
const report = stream.compose(spec);
report.pipe(process.stdout, { end: false });
report.on('end', () => {
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/summary.txt', `${passed} passed, ${failed} failed\n`);
  process.exitCode = failed > 0 ? 1 : 0;
});
