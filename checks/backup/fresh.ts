import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { defineCheck, duration, findMatches, formatDuration } from '../../src/sdk/index.js';

// Binary multiples, as in `expect` (the core reads 4GB as 4 GiB) and in PostgreSQL.
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3, tb: 1024 ** 4, tib: 1024 ** 4 };

const size = z.union([
  z.number().int().min(0),
  z.string().transform((text, ctx) => {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)?$/i.exec(text.trim());
    const factor = SIZE_UNITS[(m?.[2] ?? 'b').toLowerCase()];
    if (!m || factor === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a size; write 500KB, 10MB, 2GiB or a number of bytes` });
      return z.NEVER;
    }
    return Math.round(Number(m[1]) * factor);
  }),
]);

const params = z.strictObject({
  path: z.string().min(1).describe('Glob of backup artifacts as bash expands it (globstar): *, ?, [..], **; relative to the playbook'),
  maxAge: duration.describe('How old the newest artifact may be: 26h, 7d'),
  minSize: size.default(1).describe('Smallest acceptable size: bytes or 500KB, 10MB, 2GiB (binary multiples); empty files always fail'),
  checksum: z.enum(['auto', 'required', 'skip']).default('auto').describe('auto: verify FILE.sha256 when present; required: it must exist; skip: never read it'),
});

export default defineCheck({
  kind: 'backup.fresh',
  summary: 'The newest backup artifact matching a glob is recent, big enough, and matches its .sha256',
  description:
    'Finds the newest regular file (by modification time) matching `path` — `*.sha256` files are never candidates — and fails when ' +
    'there is none, when it is older than `maxAge` (as of `--at` when given), smaller than `minSize` (`500KB`, `10MB`, `2GiB`: binary multiples, ' +
    'as everywhere in rollout), or when `FILE.sha256` (`sha256sum` format, or just the hex digest) does not match its content. ' +
    '`checksum: required` also fails when there is no checksum file.',
  params,
  observes: 'verdict',
  mutates: false,
  outputs: { path: 'the newest artifact', ageSeconds: 'its age', sizeBytes: 'its size', sha256: 'its digest, when a checksum was verified' },
  examples: [
    '- id: nightly-backup\n  uses: backup.fresh\n  with: { path: /var/backups/pg/*.dump, maxAge: 26h, minSize: 10MB }',
    '- id: pre-migration-snapshot\n  uses: backup.fresh\n  with: { path: "${vars.backupDir}/production-pre-rollout*.dump", maxAge: 2h, checksum: required }',
  ],
  async run(p, ctx) {
    let files: Array<{ path: string; mtimeMs: number; size: number }>;
    try {
      // A directory is never a backup, however fresh or large it looks.
      const matches = await findMatches(p.path, ctx.cwd, ctx.signal);
      files = matches.filter((m) => m.stats.isFile()).map((m) => ({ path: m.path, mtimeMs: m.stats.mtimeMs, size: m.stats.size }));
    } catch (error) {
      return { error: `cannot list ${p.path}: ${(error as Error).message}` };
    }
    const candidates = files.filter((f) => !f.path.endsWith('.sha256'));
    if (candidates.length === 0) return { status: 'fail', reasons: [`no backup matches ${p.path}`] };
    const newest = candidates.reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a));
    const ageMs = ctx.now().getTime() - newest.mtimeMs;
    const reasons: string[] = [];
    if (ageMs > p.maxAge) reasons.push(`newest backup ${newest.path} is ${formatDuration(ageMs)} old, more than maxAge ${formatDuration(p.maxAge)}`);
    if (newest.size < p.minSize) reasons.push(`newest backup ${newest.path} is ${newest.size} bytes, less than minSize ${p.minSize}`);
    let sha256: string | undefined;
    if (p.checksum !== 'skip') {
      const expected = await readChecksum(`${newest.path}.sha256`);
      if (expected === undefined) {
        if (p.checksum === 'required') reasons.push(`no checksum file ${newest.path}.sha256`);
      } else if (expected === null) {
        reasons.push(`${newest.path}.sha256 holds no sha256 digest`);
      } else {
        const actual = await hashFile(newest.path, ctx.signal);
        if (actual === undefined) return { error: 'stopped while computing the checksum' };
        if (actual !== expected) reasons.push(`checksum mismatch: ${newest.path} has sha256 ${actual}, ${newest.path}.sha256 says ${expected}`);
        else sha256 = actual;
      }
    }
    const outputs = { path: newest.path, ageSeconds: Math.round(ageMs / 1000), sizeBytes: newest.size, ...(sha256 ? { sha256 } : {}) };
    const notes = [`${candidates.length} artifact(s) match; newest ${newest.path}: ${formatDuration(Math.max(0, ageMs))} old, ${newest.size} bytes${sha256 ? ', checksum ok' : ''}`];
    if (reasons.length > 0) return { status: 'fail', reasons, details: { notes }, outputs };
    return { status: 'pass', reasons: notes, details: { notes }, outputs };
  },
});

/** undefined: no file; null: a file without a digest in it. */
async function readChecksum(path: string): Promise<string | null | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  return /\b([0-9a-f]{64})\b/i.exec(text)?.[1]?.toLowerCase() ?? null;
}

async function hashFile(path: string, signal: AbortSignal): Promise<string | undefined> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) {
    if (signal.aborted) return undefined;
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
