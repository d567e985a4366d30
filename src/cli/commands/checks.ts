import { z } from 'zod';
import { registry } from '../../../checks/index.js';
import type { CheckDefinition } from '../../sdk/types.js';
import { didYouMean } from '../../playbook/diagnostics.js';
import { effectiveExpect } from '../../playbook/node-semantics.js';
import { err, out } from '../output.js';

export async function checksCommand(kind?: string): Promise<number> {
  if (!kind) {
    const lines = ['Check kinds (rollout checks KIND for parameters):', ''];
    for (const name of Object.keys(registry.kinds).sort()) {
      const definition = await registry.kinds[name]!();
      lines.push(`  ${name.padEnd(30)} ${definition.summary}${mutates(definition) ? '  [mutates]' : ''}`);
    }
    out(`${lines.join('\n')}\n`);
    return 0;
  }
  const load = registry.kinds[kind];
  if (!load) {
    const guess = didYouMean(kind, Object.keys(registry.kinds));
    err(`unknown kind "${kind}"${guess ? `; did you mean "${guess}"?` : ''} (rollout checks lists them)\n`);
    return 2;
  }
  out(describeKind(await load()));
  return 0;
}

function mutates(definition: CheckDefinition): boolean | string {
  return typeof definition.mutates === 'function' ? 'depends on parameters' : definition.mutates;
}

export function describeKind(definition: CheckDefinition): string {
  const lines = [`${definition.kind} — ${definition.summary}`, ''];
  if (definition.description) lines.push(definition.description, '');
  const schema = z.toJSONSchema(definition.params, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, { description?: string; type?: string; enum?: unknown[]; default?: unknown }>; required?: string[] };
  lines.push('Parameters (with:):');
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const required = schema.required?.includes(name) && prop.default === undefined;
    const type = prop.enum ? prop.enum.map(String).join(' | ') : prop.type ?? 'value';
    lines.push(`  ${name}${required ? '' : '?'}: ${type}${prop.default !== undefined ? ` (default ${JSON.stringify(prop.default)})` : ''}${prop.description ? ` — ${prop.description}` : ''}`);
  }
  lines.push('', `Observes: ${definition.observes === 'verdict' ? 'a verdict (pass/fail with reasons; takes no expect)' : definition.observes}${definition.unit ? ` in ${definition.unit}` : ''}`);
  if (definition.observeChoices) lines.push(`observe: ${definition.observeChoices.help.join(', ')}`);
  const fallback = effectiveExpect(definition, undefined, undefined);
  if (definition.observes !== 'verdict') lines.push(`Default expect: ${fallback ?? 'none — the node must state one'}`);
  lines.push(`Mutates: ${mutates(definition) === true ? 'yes (not run in --dry-run; under gates/verify it needs mutates: true)' : mutates(definition) === false ? 'no' : 'depends on parameters'}`);
  if (definition.system) lines.push(`Connects to: environments.<env>.${definition.system}`);
  if (definition.outputs) lines.push('Outputs:', ...Object.entries(definition.outputs).map(([k, v]) => `  ${k}: ${v}`));
  if (definition.examples?.length) lines.push('', 'Examples:', ...definition.examples.map((e) => e.split('\n').map((l) => `  ${l}`).join('\n')));
  return `${lines.join('\n')}\n`;
}
