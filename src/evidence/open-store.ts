import { parseEvidenceStoreSpec } from '../playbook/evidence-store-spec.js';
import { fileStore } from './file-store.js';
import { gitStore } from './git-store.js';
import type { EvidenceStore } from './store.js';

/** The store a run names: `file:DIR`, `git+…#branch`, or a bare directory (what `--evidence-dir` gives). */
export function openEvidenceStore(spec: string, cacheRoot?: string): { ok: true; store: EvidenceStore } | { ok: false; message: string } {
  const parsed = parseEvidenceStoreSpec(spec);
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  return { ok: true, store: value.kind === 'git' ? gitStore(value, cacheRoot) : fileStore(value.dir) };
}
