import { dirname, isAbsolute, resolve } from 'node:path';
import { openEvidenceStore } from '../evidence/open-store.js';
import { composeAttestation } from '../evidence/attest/attestation.js';
import type { SigningKey } from '../evidence/attest/ssh-key.js';
import { appendEvidence } from '../evidence/write.js';
import { parseEvidenceStoreSpec } from '../playbook/evidence-store-spec.js';
import type { ValidPlaybook } from '../playbook/validate.js';
import type { EvidenceMeta } from '../evidence/render.js';
import type { EvidenceStore } from '../evidence/store.js';
import type { RunResult } from '../run/types.js';
import type { EvidenceOutcome, SessionRequest } from './types.js';

/**
 * `result` and `meta` come redacted as values; `redact` is for the free text of error messages.
 * The evidence of a finished run: to its store, or — when the store cannot take it — to the
 * local spool, so nothing is lost; an error value either way, never a throw after a verdict.
 */
export function recordEvidence(result: RunResult, store: EvidenceStore, meta: Omit<EvidenceMeta, 'fileName' | 'previous'>, redact: (text: string) => string, signKey?: SigningKey): EvidenceOutcome {
  const written = appendEvidence(store, result, { redact: (text) => text, meta, ...(signKey ? { attest: (composed, location) => composeAttestation(composed, result, location, signKey) } : {}) });
  if (written.ok) return { ok: true, path: written.path };
  if (written.spooled) return { ok: true, spooled: true, path: written.spooled, error: `${redact(written.message)}; kept in the spool: ${written.spooled} (\`rollout evidence push\` uploads it later)` };
  return { ok: false, error: `${redact(written.message)}: this run's evidence is lost` };
}

/**
 * The store a run reads and writes: `--evidence-store` (or `--evidence-dir`, as `file:DIR`),
 * else ROLLOUT_EVIDENCE_STORE, else the environment's `evidenceStore:` (a relative `file:`
 * path is the playbook's folder's), else `file:./evidence`. A name that cannot be opened is a
 * refusal: nothing runs whose evidence would have nowhere to go.
 */
export function selectEvidenceStore(request: SessionRequest, valid: ValidPlaybook, processEnv: Record<string, string | undefined>): { ok: true; store: EvidenceStore } | { ok: false; message: string } {
  const fromEnvironment = (valid.playbook.environments[request.env] as { evidenceStore?: string } | undefined)?.evidenceStore;
  const [spec, source] = request.evidenceStore
    ? [request.evidenceStore, '--evidence-store']
    : processEnv.ROLLOUT_EVIDENCE_STORE
      ? [processEnv.ROLLOUT_EVIDENCE_STORE, 'ROLLOUT_EVIDENCE_STORE']
      : fromEnvironment
        ? [relativeToPlaybook(fromEnvironment, valid.doc.file), `environments.${request.env}.evidenceStore`]
        : ['file:./evidence', 'the default'];
  const opened = openEvidenceStore(spec);
  return opened.ok ? opened : { ok: false, message: `${source}: ${opened.message}` };
}

function relativeToPlaybook(spec: string, playbookFile: string): string {
  const parsed = parseEvidenceStoreSpec(spec);
  if (!parsed.ok || parsed.value.kind !== 'file' || isAbsolute(parsed.value.dir)) return spec;
  return `file:${resolve(dirname(playbookFile), parsed.value.dir)}`;
}
