import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openPlaybook } from '../session/index.js';

export interface Catalog {
  /** Playbook name → file. */
  files: Map<string, string>;
  /** Environments each playbook declares. */
  environments: Map<string, string[]>;
}

/**
 * Every playbook in the folder, validated: one invalid playbook refuses the whole catalog,
 * with every problem listed (a server must not start half-configured).
 */
export async function loadCatalog(dir: string): Promise<{ ok: true; catalog: Catalog } | { ok: false; problems: string[] }> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch (error) {
    return { ok: false, problems: [`--playbooks ${dir}: ${(error as Error).message}`] };
  }
  if (!names.length) return { ok: false, problems: [`--playbooks ${dir}: no playbooks (*.yaml) in this folder`] };
  const catalog: Catalog = { files: new Map(), environments: new Map() };
  const problems: string[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const opened = await openPlaybook(file);
    if (!opened.ok) {
      problems.push(...opened.problems);
      continue;
    }
    const playbook = opened.value.playbook;
    const earlier = catalog.files.get(playbook.name);
    if (earlier) problems.push(`${file}: playbook name ${playbook.name} is also used by ${earlier}; names must be unique in --playbooks`);
    catalog.files.set(playbook.name, file);
    catalog.environments.set(playbook.name, Object.keys(playbook.environments));
  }
  return problems.length ? { ok: false, problems } : { ok: true, catalog };
}
