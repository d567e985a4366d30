/** Where evidence goes, as named by a flag, ROLLOUT_EVIDENCE_STORE or a playbook's `evidenceStore:`. */
export type EvidenceStoreSpec =
  | { kind: 'file'; dir: string }
  /** `remote` is what git is given; `url` is the spec with any password hidden, for messages. */
  | { kind: 'git'; remote: string; branch: string; url: string };

/** A password in a URL (`https://user:token@host`) never reaches a message. */
export function hideSecretsInUrl(text: string): string {
  return text.replace(/(\/\/[^/:@\s]+):[^@\s/]*@/g, '$1:***@');
}

/** `file:DIR`, a bare directory, or `git+file:///…#branch`, `git+ssh://…#branch`, `git+https://…#branch`. */
export function parseEvidenceStoreSpec(spec: string): { ok: true; value: EvidenceStoreSpec } | { ok: false; message: string } {
  const shown = hideSecretsInUrl(spec);
  if (!spec) return { ok: false, message: 'an empty evidence store: expected file:DIR or git+…#branch' };
  if (spec.startsWith('git+')) {
    const match = /^git\+((file|ssh|https|http):\/\/[^#]+)(?:#(.*))?$/.exec(spec);
    if (!match) return { ok: false, message: `${shown}: expected git+file:///path/repo.git#branch, git+ssh://host/repo.git#branch or git+https://host/repo.git#branch` };
    const branch = match[3] ?? '';
    if (!branch) return { ok: false, message: `${shown}: name the branch after #, as in ${shown}#evidence` };
    if (!/^[A-Za-z0-9._][A-Za-z0-9._/-]*$/.test(branch) || branch.includes('..') || branch.endsWith('.lock') || branch.endsWith('/') || branch.includes('//')) return { ok: false, message: `${shown}: "${branch}" is not a branch name git accepts` };
    return { ok: true, value: { kind: 'git', remote: match[1]!, branch, url: shown } };
  }
  if (spec.startsWith('file:')) {
    const dir = spec.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    return dir ? { ok: true, value: { kind: 'file', dir } } : { ok: false, message: `${spec}: expected file:DIR` };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(spec)?.[1];
  // One letter is a Windows drive (C:\evidence), not a scheme.
  if (scheme && scheme.length > 1) return { ok: false, message: `${shown}: unknown evidence store "${scheme}:"; use file:DIR, or git+file://, git+ssh:// or git+https://…#branch` };
  return { ok: true, value: { kind: 'file', dir: spec } };
}
