import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunResult } from '../run/types.js';
import { sha256 } from './check-file.js';
import { placeFile } from './file-store.js';
import { DIGEST_PREFIX, renderEvidenceBody, type EvidenceMeta } from './render.js';
import type { ChainLink, CompanionFile, ComposeEvidence, EvidenceStore } from './store.js';

export { sha256 };

export interface EvidenceOptions {
  /** Applied to the whole text before it is hashed: secrets never reach the file. */
  redact: (text: string) => string;
  meta: Omit<EvidenceMeta, 'fileName' | 'previous'>;
  /** Where the file is kept when the store cannot take it (default `./.rollout/spool`). */
  spoolDir?: string;
  /** A file to store beside the evidence in the same write (its signed attestation). */
  attest?: (composed: { name: string; text: string }, location: string) => CompanionFile;
}

/**
 * Written: `path` is where the file is. Not written: why, and where the file was kept instead
 * (`spooled`, `<spool>/<env>/<file>.md`), or — when even that failed — `spooled` is absent and
 * `message` says both failures. The caller prints it loudly; the run's verdict stands.
 */
export type EvidenceWrite = { ok: true; path: string } | { ok: false; message: string; spooled?: string };

/** `2026-11-23T10-15-30.123Z-payments-api-check-dry-run.md` */
export function evidenceFileName(result: RunResult, suffix = ''): string {
  const stamp = result.startedAt.replace(/:/g, '-');
  return `${stamp}-${result.playbook.name}-${result.command}${result.dryRun ? '-dry-run' : ''}${result.partial ? '-partial' : ''}${suffix}.md`;
}

/** The file's name and full text (body, then its digest line), linked to `previous`. */
export function composeEvidence(result: RunResult, options: EvidenceOptions, previous: ChainLink | undefined, attempt = 1, store?: EvidenceStore): ReturnType<ComposeEvidence> {
  const name = evidenceFileName(result, attempt === 1 ? '' : `-${attempt}`);
  const body = options.redact(renderEvidenceBody(result, { ...options.meta, fileName: name, ...(previous ? { previous } : {}) }));
  const composed = { name, text: `${body}${DIGEST_PREFIX}${sha256(body)} -->\n` };
  if (!options.attest) return composed;
  // Signed over the exact bytes stored, and stored with them (one commit in git).
  return { ...composed, companions: [options.attest(composed, store ? store.locate(result.env, name) : name)] };
}

/**
 * Adds the run's evidence to the store, chained to the file last written for the same
 * playbook and env (linked when it is stored, not when the run started). Never throws: when
 * the store cannot take it, the file is kept in the spool and the result says where.
 */
export function appendEvidence(store: EvidenceStore, result: RunResult, options: EvidenceOptions): EvidenceWrite {
  let composed: ReturnType<ComposeEvidence> | undefined;
  let lastTip: ChainLink | undefined;
  let failure: string;
  try {
    const stored = store.append(result.env, result.playbook.name, (tip, attempt) => {
      lastTip = tip;
      return (composed = composeEvidence(result, options, tip, attempt, store));
    });
    if (stored.ok) return { ok: true, path: stored.location };
    failure = stored.message;
  } catch (error) {
    failure = (error as Error).message;
  }
  const message = `the evidence could not be written to ${store.url}: ${failure}`;
  let spooled: ReturnType<typeof spoolEvidence>;
  try {
    // Linked to the tip it saw, if any: `evidence push` re-links it to the store's tip later.
    spooled = spoolEvidence(result.env, (attempt) => (attempt === 1 && composed ? composed : composeEvidence(result, options, lastTip, attempt)), options.spoolDir);
  } catch (error) {
    return { ok: false, message: `${message}; nor could it be rendered: ${(error as Error).message}` };
  }
  return spooled.ok ? { ok: false, message, spooled: spooled.path } : { ok: false, message: `${message}; nor could it be kept: ${spooled.message}` };
}

/**
 * Keeps a file that the store did not take: in the spool (`./.rollout/spool/<env>/`), else in
 * this user's temp folder, so the run's record survives a full or read-only disk where it can.
 */
export function spoolEvidence(env: string, compose: (attempt: number) => ReturnType<ComposeEvidence>, spoolDir = join('.rollout', 'spool')): { ok: true; path: string } | { ok: false; message: string } {
  const failures: string[] = [];
  for (const root of [spoolDir, join(tmpdir(), `rollout-spool-${process.getuid?.() ?? 'user'}`)]) {
    const folder = resolve(root, env);
    try {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
    } catch (error) {
      failures.push(`cannot create ${folder}: ${(error as Error).message}`);
      continue;
    }
    for (let attempt = 1; attempt < 1000; attempt++) {
      const { name, text, companions = [] } = compose(attempt);
      const placed = placeFile(folder, name, text);
      if (placed === 'placed') {
        const kept = companions.map((c) => placeFile(folder, c.name, c.text)).filter((p) => p !== 'placed');
        if (!kept.length) return { ok: true, path: join(folder, name) };
        failures.push(...kept.map((p) => (p === 'taken' ? `a companion of ${name} exists already in ${folder}` : p)));
        break;
      }
      if (placed !== 'taken') {
        failures.push(placed);
        break;
      }
    }
  }
  return { ok: false, message: failures.join('; ') };
}
