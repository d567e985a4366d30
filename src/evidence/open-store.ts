import { fileStore } from './file-store.js';
import type { EvidenceStore } from './store.js';

/**
 * The store a run names: `file:DIR`, or a bare directory (what `--evidence-dir` gives).
 * Other schemes are refused by name until their store exists.
 */
export function openEvidenceStore(spec: string): { ok: true; store: EvidenceStore } | { ok: false; message: string } {
  if (spec.startsWith('file:')) {
    const dir = spec.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    return dir ? { ok: true, store: fileStore(dir) } : { ok: false, message: `${spec}: expected file:DIR` };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(spec)?.[1];
  if (scheme) return { ok: false, message: `${spec}: the ${scheme} evidence store is not supported; use file:DIR` };
  return spec ? { ok: true, store: fileStore(spec) } : { ok: false, message: 'an empty evidence store' };
}
