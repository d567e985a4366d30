import { lstat, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import type { Stats } from 'node:fs';

export interface FileMatch {
  path: string;
  stats: Stats;
}

const GLOB_CHARS = /[*?]/;

export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/**
 * Every existing path matching `pattern` (`*` and `?` within one segment, `**` for any number
 * of directories). Like a shell, wildcards skip dot-entries unless the segment starts with a
 * dot, and `**` does not follow symlinked directories (no cycles).
 */
export async function findMatches(pattern: string, cwd: string, signal?: AbortSignal): Promise<FileMatch[]> {
  const absolute = isAbsolute(pattern) ? pattern : resolve(cwd, pattern);
  if (!isGlob(absolute)) {
    const stats = await statOrUndefined(absolute);
    return stats ? [{ path: absolute, stats }] : [];
  }
  const segments = absolute.split(sep);
  const firstGlob = segments.findIndex((segment) => isGlob(segment));
  const base = segments.slice(0, firstGlob).join(sep) || sep;
  const matchers = segments.slice(firstGlob).filter((segment) => segment !== '');
  const found = new Set<string>();
  await walk(base, matchers, found, signal);
  const matches: FileMatch[] = [];
  for (const path of [...found].sort()) {
    const stats = await statOrUndefined(path);
    if (stats) matches.push({ path, stats });
  }
  return matches;
}

async function walk(dir: string, rest: string[], found: Set<string>, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const [segment, ...after] = rest;
  if (segment === undefined) {
    found.add(dir);
    return;
  }
  if (segment === '**') {
    // Zero directories, then one more level and `**` again.
    await walk(dir, after, found, signal);
    for (const entry of await listDir(dir)) {
      if (entry.startsWith('.')) continue;
      const child = join(dir, entry);
      const info = await lstat(child).catch(() => undefined);
      if (info?.isDirectory()) await walk(child, rest, found, signal);
    }
    return;
  }
  if (!isGlob(segment)) {
    const child = join(dir, segment);
    if (after.length === 0 || (await statOrUndefined(child))?.isDirectory()) await walk(child, after, found, signal);
    return;
  }
  const matcher = compileSegment(segment);
  for (const entry of await listDir(dir)) {
    if (!matcher.test(entry)) continue;
    const child = join(dir, entry);
    if (after.length === 0) found.add(child);
    else if ((await statOrUndefined(child))?.isDirectory()) await walk(child, after, found, signal);
  }
}

/** One path segment (`app-*.log`) as an anchored regular expression. */
export function compileSegment(segment: string): RegExp {
  let source = '';
  for (const char of segment) {
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const hidden = segment.startsWith('.') ? '' : '(?!\\.)';
  return new RegExp(`^${hidden}${source}$`);
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
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
