import { resolve } from 'node:path';
import { writeEvidence } from '../evidence/write.js';
import type { EvidenceMeta } from '../evidence/render.js';
import type { RunResult } from '../run/types.js';
import type { EvidenceOutcome } from './types.js';

export const SPOOL_DIR = '.rollout/spool';

/**
 * The evidence of a finished run: to its store, or — when the store cannot take it — to the
 * local spool, so nothing is lost; an error value either way, never a throw after a verdict.
 */
export function recordEvidence(result: RunResult, dir: string, meta: Omit<EvidenceMeta, 'fileName' | 'previous'>, redact: (text: string) => string): EvidenceOutcome {
  try {
    return { ok: true, path: writeEvidence(result, { dir, redact, meta }) };
  } catch (error) {
    const reason = `${(error as Error).message}`;
    try {
      const path = writeEvidence(result, { dir: resolve(SPOOL_DIR), redact, meta });
      return { ok: true, spooled: true, path, error: `evidence could not be written to ${dir} (${redact(reason)}); kept in the spool: ${path}` };
    } catch (spoolError) {
      return { ok: false, error: `evidence could not be written to ${dir} (${redact(reason)}) nor to the spool ${SPOOL_DIR} (${redact((spoolError as Error).message)}): this run's evidence is lost` };
    }
  }
}
