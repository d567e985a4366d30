import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readEvidence } from '../../src/evidence/read-back.js';
import { fileStore } from '../../src/evidence/file-store.js';
import { verifyEvidence, verifyEvidenceFile } from '../../src/evidence/verify.js';
import { appendEvidence } from '../../src/evidence/write.js';
import { META, runResult } from './run-result.js';

const WRITE_MODULE = fileURLToPath(new URL('../../dist/src/evidence/write.js', import.meta.url));
const STORE_MODULE = fileURLToPath(new URL('../../dist/src/evidence/file-store.js', import.meta.url));

const options = (spoolDir: string) => ({ redact: (text: string) => text, meta: META, spoolDir });
const allFiles = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }) : []);

describe('writing evidence', () => {
  it('returns an error value and keeps the file in the spool when the store cannot be written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-evidence-'));
    // A path under a regular file: not writable even for root.
    writeFileSync(join(dir, 'not-a-folder'), '');
    const store = fileStore(join(dir, 'not-a-folder', 'evidence'));
    const spool = join(dir, '.rollout', 'spool');
    const written = appendEvidence(store, runResult('api', '2026-11-29T10:00:00.000Z'), options(spool));
    expect(written.ok).toBe(false);
    if (written.ok) return;
    expect(written.message).toContain(`the evidence could not be written to file:${join(dir, 'not-a-folder', 'evidence')}`);
    expect(written.message).toMatch(/ENOTDIR|not a directory/);
    expect(written.spooled).toBe(join(spool, 'production', '2026-11-29T10-00-00.000Z-api-promote.md'));
    expect(verifyEvidenceFile(written.spooled!)).toMatchObject({ ok: true });
    expect(readFileSync(written.spooled!, 'utf8')).toContain('**Verdict: PASS**');
    expect(allFiles(spool).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('removes its temp files when the disk fills up mid-write, and says so instead of throwing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-evidence-full-'));
    const script = join(dir, 'write.mjs');
    writeFileSync(script, `
      const { appendEvidence } = await import(${JSON.stringify(WRITE_MODULE)});
      const { fileStore } = await import(${JSON.stringify(STORE_MODULE)});
      const result = ${JSON.stringify(runResult('api', '2026-11-29T10:00:00.000Z'))};
      const meta = ${JSON.stringify(META)};
      const written = appendEvidence(fileStore(${JSON.stringify(join(dir, 'evidence'))}), result, { redact: (t) => t, meta, spoolDir: ${JSON.stringify(join(dir, 'spool'))} });
      process.stdout.write(JSON.stringify(written));
    `);
    mkdirSync(join(dir, 'tmp'));
    // A file size limit of 2 KiB: the writes fail part-way (EFBIG) as on a full disk.
    const run = spawnSync('sh', ['-c', `trap '' XFSZ; ulimit -f 4; exec "$0" "$1"`, process.execPath, script], { encoding: 'utf8', env: { ...process.env, TMPDIR: join(dir, 'tmp') } });
    expect(run.status, run.stderr).toBe(0);
    const written = JSON.parse(run.stdout);
    expect(written.ok).toBe(false);
    expect(written.message).toMatch(/could not be written to file:.*: cannot write .*(EFBIG|too large)/);
    expect(written.message).toContain('nor could it be kept');
    expect(written.spooled).toBeUndefined();
    const leftovers = [...allFiles(join(dir, 'evidence')), ...allFiles(join(dir, 'spool')), ...allFiles(join(dir, 'tmp'))].filter((f) => f.includes('.tmp') || f.endsWith('.md'));
    expect(leftovers).toEqual([]);
  });

  it('reads back through the store, newest written first, only the playbook named inside the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-evidence-read-'));
    const store = fileStore(join(dir, 'evidence'));
    const spool = join(dir, 'spool');
    // The second run started a minute earlier (a slow run, or a wrong clock) but was written last.
    const first = appendEvidence(store, runResult('api', '2026-11-29T10:01:00.000Z'), options(spool));
    const drill = appendEvidence(store, runResult('api-rollback-drill', '2026-11-29T10:02:00.000Z'), options(spool));
    const second = appendEvidence(store, runResult('api', '2026-11-29T10:00:00.000Z', { verdict: 'fail', exitCode: 1 }), options(spool));
    expect([first.ok, drill.ok, second.ok]).toEqual([true, true, true]);
    const api = readEvidence(store, 'production', 'api');
    expect(api.map((e) => [e.file, e.verdict, e.verified])).toEqual([
      [second.ok && second.path, 'fail', true],
      [first.ok && first.path, 'pass', true],
    ]);
    expect(readEvidence(store, 'production', 'api-rollback-drill')).toHaveLength(1);
    expect(verifyEvidence(join(dir, 'evidence'))).toEqual({ checked: 3, problems: [] });
  });
});
