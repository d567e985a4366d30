import type { Registry, SystemDefinition } from '../sdk/types.js';
import { connectionsOf } from './connections.js';
import { parseEvidenceStoreSpec } from './evidence-store-spec.js';
import { didYouMean, type Diagnostic, type Path } from './diagnostics.js';
import type { LoadedDocument } from './load.js';
import type { Playbook } from './schema.js';
import { holdsReference, shapeKeys, zodDiagnostics } from './zod-diagnostics.js';

/** Each environment's systems against their families' settings schemas. */
export async function checkEnvironments(doc: LoadedDocument, playbook: Playbook, registry: Registry, out: Diagnostic[]): Promise<Map<string, SystemDefinition>> {
  const systems = new Map<string, SystemDefinition>();
  for (const [envName, environment] of Object.entries(playbook.environments)) {
    for (const [key, value] of Object.entries(environment)) {
      if (key === 'vars') continue;
      const path = ['environments', envName, key];
      if (key === 'evidenceStore') {
        const parsed = typeof value === 'string' ? parseEvidenceStoreSpec(value) : { ok: false as const, message: 'evidenceStore is a URL: file:DIR or git+ssh://host/repo.git#branch' };
        if (!parsed.ok) out.push(doc.diagnostic('invalid-evidence-store', path, parsed.message));
        continue;
      }
      const load = registry.systems[key];
      if (!load) {
        const guess = didYouMean(key, ['vars', 'evidenceStore', ...Object.keys(registry.systems)]);
        out.push(doc.diagnostic('unknown-key', ['environments', envName], `unknown key "${key}" in environment ${envName}`, guess ? `did you mean "${guess}"?` : `an environment holds vars and systems: ${Object.keys(registry.systems).join(', ')}`, key));
        continue;
      }
      const system = systems.get(key) ?? (await load());
      systems.set(key, system);
      for (const [name, settings, at] of connectionsOf(system, value, path)) {
        const result = system.settings.safeParse(settings);
        if (!result.success) {
          const issues = result.error.issues.filter((issue) => !holdsReference(settings, issue.path as Path));
          out.push(...zodDiagnostics(doc, at, issues, () => shapeKeys(system.settings)).map((d) => (name === 'default' ? d : { ...d, hint: d.hint ?? `connection "${name}"` })));
        }
      }
    }
  }
  return systems;
}

/** A system is one connection, or a map of named ones (`primary`, `standby`). */
