import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** The tool's version, from package.json — found from dist/src/session (built) or src/session (in-process tests). */
export function readVersion(): string {
  if (cached) return cached;
  for (const relative of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'rollout-gates' || pkg.name === 'rollout') return (cached = pkg.version);
    } catch {
      // Not at this depth: try the next.
    }
  }
  return (cached = '0.0.0-unknown');
}
