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
