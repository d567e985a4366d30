import { appendEvidence } from '../evidence/write.js';
import type { EvidenceMeta } from '../evidence/render.js';
import type { EvidenceStore } from '../evidence/store.js';
import type { RunResult } from '../run/types.js';
import type { EvidenceOutcome } from './types.js';

/**
 * `result` and `meta` come redacted as values; `redact` is for the free text of error messages.
 * The evidence of a finished run: to its store, or — when the store cannot take it — to the
 * local spool, so nothing is lost; an error value either way, never a throw after a verdict.
 */
export function recordEvidence(result: RunResult, store: EvidenceStore, meta: Omit<EvidenceMeta, 'fileName' | 'previous'>, redact: (text: string) => string): EvidenceOutcome {
  const written = appendEvidence(store, result, { redact: (text) => text, meta });
  if (written.ok) return { ok: true, path: written.path };
  if (written.spooled) return { ok: true, spooled: true, path: written.spooled, error: `${redact(written.message)}; kept in the spool: ${written.spooled} (\`rollout evidence push\` uploads it later)` };
  return { ok: false, error: `${redact(written.message)}: this run's evidence is lost` };
}
