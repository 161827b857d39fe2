// The docs' links hold: every relative link in README.md, lab/README.md and docs/**/*.md names a
// file that exists and, with a #fragment, a heading (or id) that exists in it. No network.
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const root = join(__dirname, '../..');

/** The Markdown files whose links are checked. */
function docFiles(base: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return walk(path);
      return name.endsWith('.md') ? [path] : [];
    });
  const docs = join(base, 'docs');
  return [
    ...['README.md', 'lab/README.md'].map((f) => join(base, f)).filter((f) => existsSync(f)),
    ...(existsSync(docs) ? walk(docs) : []),
  ];
}

/** The text outside fenced code blocks and inline code, where links are links. */
function prose(markdown: string): string {
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .replace(/(`+)[^`\n]*?\1/g, '');
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1') // a link in a heading counts as its text
    .replace(/`/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors a Markdown file offers: its headings' slugs (repeats numbered) and HTML ids. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  const text = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const [, heading] of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  }
  for (const [, id] of text.matchAll(/<[a-z]+[^>]*\s(?:id|name)="([^"]+)"/gi)) found.add(id);
  return found;
}

/** Relative link targets in a Markdown text: inline links, images and reference definitions. */
export function links(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)];
  const defined = [...text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)];
  return [...inline, ...defined]
    .map((m) => m[1])
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target)); // http:, https:, mailto:, …
}

/** Every broken relative link of the files, as `file: target (why)`. */
export function brokenLinks(base: string, files: string[]): string[] {
  const anchorsOf = new Map<string, Set<string>>();
  const anchorsIn = (file: string) => {
    if (!anchorsOf.has(file)) anchorsOf.set(file, anchors(readFileSync(file, 'utf8')));
    return anchorsOf.get(file)!;
  };
  const broken: string[] = [];
  for (const file of files) {
    for (const target of links(readFileSync(file, 'utf8'))) {
      const [pathPart, fragment] = target.split('#', 2);
      const path = decodeURIComponent(pathPart);
      const linked = path === '' ? file : resolve(dirname(file), path);
      const where = `${relative(base, file)}: ${target}`;
      if (!existsSync(linked)) {
        broken.push(`${where} (no such file)`);
      } else if (fragment !== undefined && fragment !== '') {
        if (!linked.endsWith('.md')) continue; // line anchors (#L10) of code files are GitHub's
        if (!anchorsIn(linked).has(decodeURIComponent(fragment))) {
          broken.push(`${where} (no heading #${fragment} in ${relative(base, linked)})`);
        }
      }
    }
  }
  return broken;
}

describe('docs links', () => {
  it('finds a missing file and a missing heading, and passes good links', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'docs-links-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, 'README.md'),
      [
        '# Top',
        '## The `decide` Update, again',
        'See [ok](#top), [ok](README.md#the-decide-update-again), [web](https://example.com),',
        '[gone](docs/missing.md), [bad anchor](#nowhere) and `[code](not-a-link.md)`.',
        '```',
        '[fenced](fenced.md)',
        '```',
      ].join('\n'),
    );
    assert.deepEqual(brokenLinks(dir, [join(dir, 'README.md')]), [
      'README.md: docs/missing.md (no such file)',
      'README.md: #nowhere (no heading #nowhere in README.md)',
    ]);
  });

  it('numbers repeated headings as GitHub does', () => {
    assert.deepEqual(
      [...anchors('# Input\n## Input\n### Input: defaults (JSON)\n')],
      ['input', 'input-1', 'input-defaults-json'],
    );
  });

  it('every relative link in README.md and docs/ resolves', () => {
    const files = docFiles(root);
    assert.ok(
      files.some((f) => f.endsWith(join('docs', 'architecture.md'))),
      'docs/ is found',
    );
    assert.deepEqual(brokenLinks(root, files), []);
  });
});
