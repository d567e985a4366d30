import { existsSync } from 'node:fs';
import { loadTrustedKeys } from '../../evidence/attest/load.js';
import { verifyEvidence } from '../../evidence/verify.js';
import { err, out } from '../output.js';

export async function verifyCommand(path: string, opts: { trustedKeys?: string } = {}): Promise<number> {
  if (!existsSync(path)) {
    err(`${path}: no such file or folder\n`);
    return 2;
  }
  const trusted = opts.trustedKeys ? loadTrustedKeys(opts.trustedKeys) : undefined;
  if (trusted && !trusted.ok) {
    err(`${trusted.message.replace(/^trusted keys/, '--trusted-keys')}\n`);
    return 2;
  }
  for (const line of trusted?.ok ? trusted.value.skipped : []) err(`warning: --trusted-keys ${opts.trustedKeys}: ${line}; not trusted\n`);
  const { checked, problems } = verifyEvidence(path, trusted?.ok ? { trustedKeys: trusted.value } : {});
  for (const problem of problems) out(`FAIL ${problem.file}: ${problem.message}\n`);
  const signed = trusted ? ' with attestations' : '';
  out(`${checked} evidence file${checked === 1 ? '' : 's'}${signed} checked, ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
  return problems.length ? 1 : 0;
}
