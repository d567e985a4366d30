import { existsSync } from 'node:fs';
import { verifyEvidence } from '../../evidence/verify.js';
import { err, out } from '../output.js';

export async function verifyCommand(path: string): Promise<number> {
  if (!existsSync(path)) {
    err(`${path}: no such file or folder\n`);
    return 2;
  }
  const { checked, problems } = verifyEvidence(path);
  for (const problem of problems) out(`FAIL ${problem.file}: ${problem.message}\n`);
  out(`${checked} evidence file${checked === 1 ? '' : 's'} checked, ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
  return problems.length ? 1 : 0;
}

/** `rollout evidence html DIR|STORE --output SITE/`: the store's evidence as a static site. */
export async function htmlCommand(source: string, options: { output?: string }): Promise<number> {
  if (!options.output) {
    err('evidence html: say where the site goes with --output SITE/\n');
    return 2;
  }
  const { openEvidenceStore } = await import('../../evidence/open-store.js');
  const opened = openEvidenceStore(source);
  if (!opened.ok) {
    err(`${opened.message}\n`);
    return 2;
  }
  const dir = source.startsWith('file:') ? source.slice('file:'.length) : source;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !existsSync(dir)) {
    err(`${source}: no such folder\n`);
    return 2;
  }
  const { writeEvidenceSite } = await import('../../site/write-site.js');
  const written = writeEvidenceSite(opened.store, options.output);
  out(`${written.runs} run${written.runs === 1 ? '' : 's'} in ${written.pages} page${written.pages === 1 ? '' : 's'}${written.untrusted ? `, ${written.untrusted} not verified (shown as such)` : ''}: ${written.index}\n`);
  return 0;
}
