import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMatches } from '../../../src/sdk/index.js';

// bash itself is the oracle: globstar for `**`, nullglob so a pattern matching nothing prints
// nothing, and a UTF-8 locale so `?` is one character, not one byte.
function expandWithBash(pattern: string, cwd: string): string[] {
  const out = execFileSync('bash', ['-O', 'globstar', '-O', 'nullglob', '-c', `printf '%s\\n' ${pattern}`], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, LC_ALL: 'C.UTF-8' },
  });
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/\/$/, ''))
    .sort();
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rollout-glob-'));
  const files = ['logs/a.log', 'logs/ab.log', 'logs/é.log', 'logs/😀.log', 'logs/.hidden', 'logs/.cache/x.log', 'logs/sub/b.log', 'logs/sub/deep/c.log', 'logs/[x].log', '.dot/y.log', 'top.txt', 'other/d.log'];
  for (const file of files) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), file);
  }
  await mkdir(join(dir, 'logs/empty'));
  // A symlinked directory: bash lists it, but `**` does not descend into it.
  await symlink('logs', join(dir, 'link'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PATTERNS = [
  '**',
  '**/',
  'logs/**',
  'logs/**/',
  '*',
  '*/',
  '**/*.log',
  'logs/**/*.log',
  '**/sub',
  '**/c.log',
  'logs/?.log',
  'logs/??.log',
  'logs/.*',
  '.*',
  '*/*.log',
  'link/**',
  'logs/[a-b]*.log',
  'logs/[!a]*.log',
  'logs/[^a]*.log',
  'logs/\\[x\\].log',
  '**/**',
  'missing/**',
  'top.txt',
];

describe('globs follow bash with globstar', () => {
  it.each(PATTERNS)('%s matches what bash matches', async (pattern) => {
    const ours = (await findMatches(pattern, dir)).map((match) => relative(dir, match.path)).sort();
    expect(ours).toEqual(expandWithBash(pattern, dir));
  });

  it('an absolute pattern matches the same as a relative one', async () => {
    const ours = (await findMatches(join(dir, 'logs/**/*.log'), '/')).map((match) => relative(dir, match.path)).sort();
    expect(ours).toEqual(expandWithBash('logs/**/*.log', dir));
  });
});
