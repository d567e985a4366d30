import { existsSync } from 'node:fs';
import { loadTrustedKeys } from '../../evidence/attest/load.js';
import { openEvidenceStore } from '../../evidence/open-store.js';
import { pushSpool } from '../../evidence/push-spool.js';
import { verifyEvidence, verifyStore } from '../../evidence/verify.js';
import { namedEvidenceStore } from '../options.js';
import { err, out } from '../output.js';

type StoreFlags = { evidenceStore?: string; evidenceDir?: string };

/** The store named by the flags, else ROLLOUT_EVIDENCE_STORE, else `file:./evidence`. */
function storeSpec(opts: StoreFlags): string {
  return namedEvidenceStore(opts) ?? process.env.ROLLOUT_EVIDENCE_STORE ?? 'file:./evidence';
}

export async function verifyCommand(path: string | undefined, opts: StoreFlags & { trustedKeys?: string } = {}): Promise<number> {
  if (path !== undefined && namedEvidenceStore(opts) !== undefined) {
    err('give a path or --evidence-store/--evidence-dir, not both\n');
    return 2;
  }
  const trusted = opts.trustedKeys ? loadTrustedKeys(opts.trustedKeys) : undefined;
  if (trusted && !trusted.ok) {
    err(`${trusted.message.replace(/^trusted keys/, '--trusted-keys')}\n`);
    return 2;
  }
  for (const line of trusted?.ok ? trusted.value.skipped : []) err(`warning: --trusted-keys ${opts.trustedKeys}: ${line}; not trusted\n`);
  const options = trusted?.ok ? { trustedKeys: trusted.value } : {};
  let found: ReturnType<typeof verifyStore>;
  if (path !== undefined) {
    if (!existsSync(path)) {
      err(`${path}: no such file or folder\n`);
      return 2;
    }
    found = verifyEvidence(path, options);
  } else {
    const opened = openEvidenceStore(storeSpec(opts));
    if (!opened.ok) {
      err(`${opened.message}\n`);
      return 2;
    }
    found = verifyStore(opened.store, undefined, options);
  }
  const { checked, problems } = found;
  for (const problem of problems) out(`FAIL ${problem.file}: ${problem.message}\n`);
  const signed = trusted ? ' with attestations' : '';
  out(`${checked} evidence file${checked === 1 ? '' : 's'}${signed} checked, ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
  return problems.length ? 1 : 0;
}

/** `rollout evidence push`: the spool to the store; exit 1 while anything stays in the spool. */
export async function pushCommand(opts: StoreFlags & { spool: string }): Promise<number> {
  const opened = openEvidenceStore(storeSpec(opts));
  if (!opened.ok) {
    err(`${opened.message}\n`);
    return 2;
  }
  const pushed = pushSpool(opened.store, opts.spool);
  for (const file of pushed) {
    if (file.location) out(`pushed ${file.spooled} → ${file.location}\n`);
    else err(`error: ${file.spooled} stays in the spool: ${file.message}\n`);
  }
  const left = pushed.filter((f) => !f.location).length;
  out(`${pushed.length - left} spooled file${pushed.length - left === 1 ? '' : 's'} pushed to ${opened.store.url}${left ? `, ${left} left in ${opts.spool}` : ''}\n`);
  return left ? 1 : 0;
}

/** `rollout evidence html DIR|STORE --output SITE/`: the store's evidence as a static site. */
export async function htmlCommand(source: string, options: { output?: string; trustedKeys?: string }): Promise<number> {
  if (!options.output) {
    err('evidence html: say where the site goes with --output SITE/\n');
    return 2;
  }
  const trusted = options.trustedKeys ? loadTrustedKeys(options.trustedKeys) : undefined;
  if (trusted && !trusted.ok) {
    err(`${trusted.message.replace(/^trusted keys/, '--trusted-keys')}\n`);
    return 2;
  }
  for (const line of trusted?.ok ? trusted.value.skipped : []) err(`warning: --trusted-keys ${options.trustedKeys}: ${line}; not trusted\n`);
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
  const written = await writeEvidenceSite(opened.store, options.output, trusted?.ok ? { trustedKeys: trusted.value } : {});
  const signatures = (Object.entries(written.attestations) as Array<[string, number]>).filter(([, n]) => n).map(([state, n]) => `${n} ${state}`).join(', ');
  out(`${written.runs} run${written.runs === 1 ? '' : 's'} in ${written.pages} page${written.pages === 1 ? '' : 's'}${written.untrusted ? `, ${written.untrusted} not verified (shown as such)` : ''}${signatures ? `; attestations: ${signatures}` : ''}: ${written.index}\n`);
  return 0;
}
