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
      const mutation = describeMutation(definition);
      lines.push(`  ${name.padEnd(30)} ${definition.summary}${mutation ? `  [${mutation}]` : ''}`);
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

/** `mutates`, `mutates when method is not GET/HEAD`, or undefined for a kind that only looks. */
function describeMutation(definition: CheckDefinition): string | undefined {
  if (typeof definition.mutates === 'function') return `mutates ${definition.mutatesWhen ?? 'depending on its parameters'}`;
  return definition.mutates ? 'mutates' : undefined;
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
  const mutation =
    typeof definition.mutates === 'function'
      ? `${definition.mutatesWhen ?? 'depending on its parameters'} (then as a mutating kind: not run in --dry-run, needs mutates: true under gates/verify)`
      : definition.mutates
        ? 'yes (not run in --dry-run; under gates/verify it needs mutates: true)'
        : 'no';
  lines.push(`Mutates: ${mutation}`);
  if (definition.system) lines.push(`Connects to: environments.<env>.${definition.system}`);
  if (definition.outputs) lines.push('Outputs:', ...Object.entries(definition.outputs).map(([k, v]) => `  ${k}: ${v}`));
  if (definition.examples?.length) lines.push('', 'Examples:', ...definition.examples.map((e) => e.split('\n').map((l) => `  ${l}`).join('\n')));
  return `${lines.join('\n')}\n`;
}
