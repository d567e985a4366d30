import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import type { Dirent, Stats } from 'node:fs';
import { createRequire } from 'node:module';

// Loaded on first use: every check module imports the SDK, and most runs expand no glob.
let loaded: typeof import('picomatch') | undefined;
const picomatch = () => (loaded ??= createRequire(import.meta.url)('picomatch') as typeof import('picomatch'));

export interface FileMatch {
  path: string;
  /** Of the target, symlinks followed: a directory says so, and never passes as a file. */
  stats: Stats;
}

// `posix`: `[!a]` and `[[:alpha:]]` as bash reads them. No extglob: bash leaves it off by default.
const SEGMENT_OPTIONS = { posix: true, noextglob: true } as const;

/**
 * Every existing path matching `pattern` as bash expands it with `globstar`: `*`, `?`, `[..]`
 * within one segment; `**` as a whole segment for any number of directories (files too, when
 * it is the last segment); a trailing `/` for directories only. Wildcards skip names that
 * start with a dot unless the segment does, and `**` lists symlinked directories but does not
 * descend into them (no cycles). Relative patterns resolve from `cwd`.
 */
export async function findMatches(pattern: string, cwd: string, signal?: AbortSignal): Promise<FileMatch[]> {
  const absolute = isAbsolute(pattern) ? pattern : resolve(cwd, pattern);
  const search: Search = {
    dirOnly: pattern.endsWith(sep),
    // bash never prints the directory it expands a relative pattern in (`**` has no `./`).
    hidden: isAbsolute(pattern) || !isGlob(pattern) ? undefined : resolve(cwd),
    found: new Map(),
    signal,
  };
  const segments = absolute.split(sep).filter((segment) => segment !== '');
  await walk(sep, segments, search);
  return [...search.found.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, stats]) => ({ path, stats }));
}

/** Whether a path has wildcards, i.e. may match other paths than itself. */
export function isGlob(pattern: string): boolean {
  return picomatch().scan(pattern).isGlob || pattern.includes('\\');
}

interface Search {
  dirOnly: boolean;
  hidden: string | undefined;
  found: Map<string, Stats>;
  signal: AbortSignal | undefined;
}

async function walk(path: string, rest: string[], search: Search): Promise<void> {
  search.signal?.throwIfAborted();
  const [segment, ...after] = rest;
  if (segment === undefined) return addMatch(path, search);
  if (segment === '**') {
    await walk(path, after, search);
    for (const entry of await listDir(path)) {
      if (entry.name.startsWith('.')) continue;
      const child = join(path, entry.name);
      if (entry.isDirectory()) await walk(child, rest, search);
      else if (after.length === 0) await addMatch(child, search);
    }
    return;
  }
  if (!isGlob(segment)) {
    const child = join(path, segment);
    if (after.length === 0) return addMatch(child, search);
    if ((await statOrUndefined(child))?.isDirectory()) await walk(child, after, search);
    return;
  }
  const dotted = segment.startsWith('.');
  const matcher = compileSegment(segment);
  for (const entry of await listDir(path)) {
    // A leading dot is matched only by a leading dot, whatever a bracket would allow.
    if (entry.name.startsWith('.') && !dotted) continue;
    if (!matcher.test(entry.name)) continue;
    const child = join(path, entry.name);
    if (after.length === 0) await addMatch(child, search);
    else if ((await statOrUndefined(child))?.isDirectory()) await walk(child, after, search);
  }
}

/**
 * One path segment as a regular expression in Unicode mode, so `?` and `[..]` take one
 * character (`😀` is two UTF-16 units). picomatch parses the glob; its regex escapes `-` and
 * a user's `\,` in ways Unicode mode refuses, so those escapes are rewritten to what they mean.
 */
export function compileSegment(segment: string): RegExp {
  const source = picomatch().makeRe(segment, { ...SEGMENT_OPTIONS, dot: segment.startsWith('.'), debug: true }).source;
  return new RegExp(toUnicodeSource(source), 'u');
}

const UNICODE_ESCAPABLE = new Set([...'^$\\.*+?()[]{}|/']);

function toUnicodeSource(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (char === '\\') {
      const next = source[i + 1] ?? '';
      i++;
      if (UNICODE_ESCAPABLE.has(next) || /[a-zA-Z0-9]/.test(next) || (inClass && next === '-')) out += `\\${next}`;
      else out += next;
      continue;
    }
    if (char === '[' && !inClass) inClass = true;
    else if (char === ']' && inClass) inClass = false;
    out += char;
  }
  return out;
}

async function addMatch(path: string, search: Search): Promise<void> {
  if (path === search.hidden) return;
  const stats = await statOrUndefined(path);
  if (!stats || (search.dirOnly && !stats.isDirectory())) return;
  search.found.set(path, stats);
}

async function listDir(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}
