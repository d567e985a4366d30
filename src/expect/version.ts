// The two functions used, not the package index (which loads all of semver at start-up).
import semverCompare from 'semver/functions/compare.js';
import semverValid from 'semver/functions/valid.js';

// Versions compare with semver (pre-releases below their release, build metadata ignored);
// missing parts are zero (`1.9` is 1.9.0) and a leading `v` is allowed.
const LOOSE_VERSION = /^[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** The semver form of a version written loosely, or undefined when it is not one. */
export function toSemver(text: string): string | undefined {
  const match = LOOSE_VERSION.exec(text.trim());
  if (!match) return undefined;
  const [, major, minor = '0', patch = '0', pre = '', build = ''] = match;
  return semverValid(`${major}.${minor}.${patch}${pre}${build}`) ?? undefined;
}

/**
 * An operand is written as a version when it has a `v` prefix, two or more dots, a
 * pre-release or build suffix, or is a decimal not in canonical form (`1.10`, `2.0`: as
 * numbers they would be written 1.1 and 2). Anything else that looks numeric is a number.
 */
export function isWrittenAsVersion(text: string): boolean {
  if (/^[vV]\d/.test(text)) return true;
  if (/^\d+(?:\.\d+){2,}/.test(text)) return true;
  if (/^\d+(?:\.\d+)*[-+][0-9A-Za-z]/.test(text)) return true;
  return /^\d+\.\d+$/.test(text) && String(Number(text)) !== text;
}

/** -1, 0 or 1 as semver orders two versions already in semver form. */
export function compareSemver(have: string, want: string): number {
  return semverCompare(have, want);
}

/**
 * The version an observation holds: the whole text, or a version followed by a note in
 * parentheses as PostgreSQL prints `server_version` ("15.4 (Debian 15.4-1.pgdg120+1)").
 */
export function observedVersion(text: string): string | undefined {
  const trimmed = text.trim();
  return toSemver(trimmed) ?? toSemver(/^(\S+)\s+\([^)]*\)$/.exec(trimmed)?.[1] ?? '');
}
