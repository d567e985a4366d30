import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../run/types.js';
import { DIGEST_PREFIX, renderEvidenceBody, type EvidenceMeta } from './render.js';

export interface WriteEvidenceOptions {
  dir: string;
  /** Applied to the whole text before it is hashed: secrets never reach the file. */
  redact: (text: string) => string;
  meta: Omit<EvidenceMeta, 'fileName' | 'previous'>;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `2026-11-23T10-15-30.123Z-payments-api-check-dry-run.md` */
export function evidenceFileName(result: RunResult, suffix = ''): string {
  const stamp = result.startedAt.replace(/:/g, '-');
  return `${stamp}-${result.playbook.name}-${result.command}${result.dryRun ? '-dry-run' : ''}${result.partial ? '-partial' : ''}${suffix}.md`;
}

/** Evidence files of one playbook in an environment's folder, oldest first. */
export function listEvidence(envDir: string, playbook: string): string[] {
  let files: string[];
  try {
    files = readdirSync(envDir);
  } catch {
    return [];
  }
  const pattern = new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d.-]+Z-${playbook.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(check|promote|rollback|watch)(-|\\.md$)`);
  return files.filter((f) => pattern.test(f) && f.endsWith('.md')).sort();
}

/**
 * Writes the evidence atomically (temp file, fsync, hard link into place — which fails
 * rather than overwrite), chained to the previous file of the same playbook and env.
 */
export function writeEvidence(result: RunResult, options: WriteEvidenceOptions): string {
  const envDir = join(options.dir, result.env);
  mkdirSync(envDir, { recursive: true });
  const existing = listEvidence(envDir, result.playbook.name);
  const last = existing[existing.length - 1];
  const previous = last ? { fileName: last, sha256: sha256(readFileSync(join(envDir, last))) } : undefined;
  for (let n = 1; ; n++) {
    const fileName = evidenceFileName(result, n === 1 ? '' : `-${n}`);
    const body = options.redact(renderEvidenceBody(result, { ...options.meta, fileName, ...(previous ? { previous } : {}) }));
    const text = `${body}${DIGEST_PREFIX}${sha256(body)} -->\n`;
    const target = join(envDir, fileName);
    const temp = join(envDir, `.${fileName}.${process.pid}.tmp`);
    const fd = openSync(temp, 'wx', 0o644);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, target);
      return target;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temp);
    }
  }
}
