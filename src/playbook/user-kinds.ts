import { readdirSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CheckDefinition } from '../sdk/types.js';
import type { Diagnostic } from './diagnostics.js';
import type { LoadedDocument } from './load.js';
import type { Playbook } from './schema.js';

/** The team's own compiled check modules from the playbook's `checks:` folder. */
export async function loadUserKinds(doc: LoadedDocument, playbook: Playbook, out: Diagnostic[]): Promise<Map<string, CheckDefinition>> {
  const kinds = new Map<string, CheckDefinition>();
  if (!playbook.checks) return kinds;
  const dir = resolvePath(doc.file, '..', playbook.checks);
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.js') || f.endsWith('.mjs'));
  } catch {
    out.push(doc.diagnostic('unreadable-checks-folder', ['checks'], `cannot read the checks folder ${dir}`, 'the folder holds compiled .js check modules, relative to the playbook'));
    return kinds;
  }
  for (const file of files.sort()) {
    try {
      const module = (await import(pathToFileURL(join(dir, file)).href)) as { default?: CheckDefinition };
      const definition = module.default;
      if (!definition || typeof definition.kind !== 'string' || typeof definition.run !== 'function' || !definition.params) {
        out.push(doc.diagnostic('not-a-check', ['checks'], `${file} does not default-export a check (kind, params, run)`, 'export default defineCheck({ kind, summary, params, observes, mutates, run })'));
        continue;
      }
      if (typeof definition.mutates !== 'boolean' && typeof definition.mutates !== 'function') {
        out.push(doc.diagnostic('missing-mutates', ['checks'], `${file}: kind ${definition.kind} must declare mutates`, 'mutates: false for checks that only look'));
        continue;
      }
      kinds.set(definition.kind, definition);
    } catch (error) {
      out.push(doc.diagnostic('check-load-failed', ['checks'], `${file} failed to load: ${(error as Error).message}`, 'the folder must hold compiled ESM .js modules'));
    }
  }
  return kinds;
}
