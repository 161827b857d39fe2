// node:test reporter that ends the run with the closing line CI reads: `N passed, N failed`, and
// writes each test file's wall time (from its dequeue, when its process starts, to its last
// event), slowest first, to test-results/durations.txt, so the test command's budget can be kept.
import { mkdirSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import process from 'node:process';

export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  const seen = new Map();
  for await (const event of source) {
    // Count leaf tests only: a suite's own pass/fail event has children counted already.
    if (event.type === 'test:pass' && event.data.details?.type !== 'suite') passed++;
    if (event.type === 'test:fail' && event.data.details?.type !== 'suite') failed++;
    const file = event.data?.file;
    // Every file is enqueued at the start; its span begins when it is dequeued to run.
    if (event.type === 'test:dequeue' && event.data.name === file) {
      seen.set(file, { first: Date.now(), last: Date.now() });
    } else if (file && seen.has(file)) {
      seen.get(file).last = Date.now();
    }
  }
  const lines = [...seen]
    .map(([file, { first, last }]) => [last - first, relative(process.cwd(), file)])
    .sort((a, b) => b[0] - a[0])
    .map(([ms, file]) => `${(ms / 1000).toFixed(0).padStart(6)} s  ${file}`);
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/durations.txt', `${lines.join('\n')}\n`);
  yield `${passed} passed, ${failed} failed\n`;
}
