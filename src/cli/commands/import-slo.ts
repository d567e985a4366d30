import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isMap, isSeq, parseDocument, stringify } from 'yaml';
import { EXIT } from '../../run/verdict.js';
import { importSlo, type SloGate } from '../../slo/import-slo.js';
import { err, out } from '../output.js';

export interface ImportSloOptions {
  write?: string;
  minBudget?: string;
}

/** `rollout import slo FILE [--write PLAYBOOK]`: SLO file → gates, printed or added. */
export async function importSloCommand(file: string, opts: ImportSloOptions): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    err(`${file}: ${(error as Error).message}\n`);
    return EXIT.invalid;
  }
  const minBudget = opts.minBudget === undefined ? 0 : Number(opts.minBudget);
  if (!(minBudget >= 0 && minBudget < 1)) {
    err(`--min-budget ${opts.minBudget}: expected a fraction of the budget, 0 to 1 (e.g. 0.25)\n`);
    return EXIT.invalid;
  }
  const result = importSlo(text, { minBudget });
  if ('errors' in result) {
    err(`${file}: not imported — no gate is better than a wrong one:\n${result.errors.map((e) => `  - ${e}\n`).join('')}`);
    return EXIT.invalid;
  }
  for (const note of result.notes) err(`note: ${note}\n`);
  if (opts.write) return writeInto(opts.write, result.gates);
  const name = basename(file).replace(/\.[^.]+$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'slo';
  out(`# Gates from ${basename(file)} (rollout import slo). Set PROMETHEUS_URL, or paste the gates into your playbook.\n`);
  out(stringify({ version: 1, name: `${name}-slo`, environments: { production: { prometheus: { url: '${env:PROMETHEUS_URL}' } } }, gates: result.gates }, { lineWidth: 0 }));
  return EXIT.pass;
}

function writeInto(playbook: string, gates: SloGate[]): number {
  let doc;
  try {
    doc = parseDocument(readFileSync(playbook, 'utf8'));
  } catch (error) {
    err(`${playbook}: ${(error as Error).message}\n`);
    return EXIT.invalid;
  }
  if (doc.errors.length || !isMap(doc.contents)) {
    err(`${playbook}: not a playbook (${doc.errors[0]?.message ?? 'not a mapping'})\n`);
    return EXIT.invalid;
  }
  const taken = new Set<string>();
  collectIds(doc.toJS(), taken);
  const duplicates = gates.filter((g) => taken.has(g.id)).map((g) => g.id);
  if (duplicates.length) {
    err(`${playbook}: already has ${duplicates.join(', ')}; nothing written (rename or remove those nodes first)\n`);
    return EXIT.invalid;
  }
  const existing = doc.get('gates');
  if (isSeq(existing)) for (const gate of gates) existing.add(doc.createNode(gate));
  else doc.set('gates', doc.createNode(gates));
  writeFileSync(playbook, doc.toString({ lineWidth: 0 }));
  out(`added ${gates.map((g) => g.id).join(', ')} to ${playbook}\n`);
  return EXIT.pass;
}

/** Every node id in the playbook (gates, stages, rollback), so an import never shadows one. */
function collectIds(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const item of value) collectIds(item, into);
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.id === 'string' && typeof record.uses === 'string') into.add(record.id);
    for (const [key, child] of Object.entries(record)) if (key !== 'with') collectIds(child, into);
  }
}
