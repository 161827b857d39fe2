// Preloaded into every test file's process by scripts/test.sh: appends the file's wall time to
// test-results/file-times.txt. The runner's own events cannot give it: it holds a file's events
// back until the files before it have reported.
import { appendFileSync, mkdirSync } from 'node:fs';
import { relative } from 'node:path';
import process from 'node:process';

const file = process.argv[1];
if (file?.endsWith('.test.ts')) {
  const started = Date.now();
  process.on('exit', () => {
    const seconds = ((Date.now() - started) / 1000).toFixed(0).padStart(6);
    mkdirSync('test-results', { recursive: true });
    appendFileSync(
      'test-results/file-times.txt',
      `${seconds} s  ${relative(process.cwd(), file)}\n`,
    );
  });
}
