import type { Diagnostic, Path } from '../playbook/diagnostics.js';
import type { ValidPlaybook } from '../playbook/validate.js';

/**
 * A secret whose value occurs in the playbook's own identifiers (its name, an environment,
 * a stage or node id) would be redacted out of them — renaming the evidence file and breaking
 * read-back — so the run is refused with the reason. The message names the secret, never its value.
 */
export function findSecretsInIdentifiers(valid: ValidPlaybook, secretNames: Map<string, string>): Diagnostic[] {
  if (!secretNames.size) return [];
  const { playbook, doc, sites } = valid;
  const identifiers: Array<{ text: string; path: Path; what: string; key?: string }> = [
    { text: playbook.name, path: ['name'], what: "the playbook's name" },
    ...Object.keys(playbook.environments).map((env) => ({ text: env, path: ['environments'], what: 'an environment name', key: env })),
    ...(playbook.stages ?? []).map((stage, s) => ({ text: stage.id, path: ['stages', s, 'id'], what: 'a stage id' })),
    ...sites.map((site) => ({ text: site.node.id, path: [...site.path, 'id'], what: 'a node id' })),
  ];
  const out: Diagnostic[] = [];
  for (const [value, name] of secretNames) {
    for (const identifier of identifiers) {
      if (!identifier.text.includes(value)) continue;
      out.push(doc.diagnostic('secret-in-identifier', identifier.path, `the value of secret ${name} occurs in ${identifier.what}; redacting it there would rename the evidence and break its read-back`, `use a secret that is not part of the playbook's names, or rename the ${identifier.what.replace(/^(the playbook's|an?) /, '')}`, identifier.key));
    }
  }
  return out;
}
