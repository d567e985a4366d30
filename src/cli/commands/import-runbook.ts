import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { convertRunbook, describeProcedure } from '../../runbook/index.js';
import { err, out } from '../output.js';

export async function importRunbookCommand(file: string, opts: { write?: string }): Promise<number> {
  let markdown: string;
  try {
    markdown = readFileSync(file, 'utf8');
  } catch (error) {
    err(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); nothing was written.\n`);
    return 2;
  }
  const converted = convertRunbook(markdown, { source: basename(file) });
  if (converted.items === 0) {
    err(`${file}: no checklist items (\`- [ ]\` or numbered steps) found; nothing was written.\n`);
    return 2;
  }
  if (opts.write) {
    if (existsSync(opts.write)) {
      err(`${opts.write} exists; rollout import does not overwrite. Choose another --write file or remove it.\n`);
      return 2;
    }
    writeFileSync(opts.write, converted.yaml, { flag: 'wx' });
  } else {
    out(converted.yaml);
  }
  err(`${file}: ${converted.items} checklist items → ${converted.automated} automated checks, ${converted.items - converted.automated} sign-offs (approval)${converted.triggers ? `, ${converted.triggers} rollback triggers` : ''}${describeProcedure(converted.procedure)}${opts.write ? `; written to ${opts.write}` : ''}. Next: rollout validate${opts.write ? ` -p ${opts.write}` : ''}\n`);
  return 0;
}
