import type { CheckDefinition, Registry, SystemDefinition } from '../sdk/types.js';
import { checkEnvironments } from './check-environments.js';
import { checkGraph } from './check-graph.js';
import { checkNode } from './check-node.js';
import { didYouMean, type Diagnostic, type Path } from './diagnostics.js';
import type { LoadedDocument } from './load.js';
import { playbookSchema, type Playbook } from './schema.js';
import { loadUserKinds } from './user-kinds.js';
import { listNodes, type NodeSite } from './walk.js';
import { keysFor, valueAt, zodDiagnostics } from './zod-diagnostics.js';

export interface ValidPlaybook {
  playbook: Playbook;
  doc: LoadedDocument;
  /** The definitions of every kind the playbook uses. */
  kinds: Map<string, CheckDefinition>;
  systems: Map<string, SystemDefinition>;
  sites: NodeSite[];
}

export type ValidationResult = { ok: true; value: ValidPlaybook } | { ok: false; diagnostics: Diagnostic[] };

/** Structure, kinds, parameters, expressions and the DAG — every problem at once. */
export async function validatePlaybook(doc: LoadedDocument, registry: Registry): Promise<ValidationResult> {
  const diagnostics: Diagnostic[] = [];
  // YAML 1.2 has no merge keys: `<<: *base` would be read as a key named "<<" and its
  // values silently lost, so it is refused with a hint.
  for (const path of findMergeKeys(doc.data)) diagnostics.push(doc.diagnostic('merge-key', path, 'merge keys (<<) are not part of YAML 1.2 and would be ignored', 'write the values out (an alias of a whole value, *name, is fine)', '<<'));
  if (diagnostics.length) return { ok: false, diagnostics };
  const parsed = parseLeniently(doc, diagnostics);
  if (!parsed) return { ok: false, diagnostics: sortDiagnostics(diagnostics) };
  const playbook = parsed;
  const kinds = new Map<string, CheckDefinition>();
  const userKinds = await loadUserKinds(doc, playbook, diagnostics);
  const sites = listNodes(playbook);
  const allKindNames = [...Object.keys(registry.kinds), ...userKinds.keys()];
  const loadKind = async (name: string) => {
    if (kinds.has(name)) return kinds.get(name);
    const definition = userKinds.get(name) ?? (await registry.kinds[name]?.());
    if (definition) kinds.set(name, definition);
    return definition;
  };

  for (const site of sites) {
    const definition = await loadKind(site.node.uses);
    if (!definition) {
      const guess = didYouMean(site.node.uses, allKindNames);
      diagnostics.push(doc.diagnostic('unknown-kind', [...site.path, 'uses'], `unknown kind "${site.node.uses}"`, guess ? `did you mean "${guess}"? (rollout checks lists every kind)` : 'rollout checks lists every kind'));
      continue;
    }
    checkNode(doc, site, definition, diagnostics);
  }
  const systems = await checkEnvironments(doc, playbook, registry, diagnostics);
  checkGraph(doc, playbook, sites, diagnostics);
  if (diagnostics.length) return { ok: false, diagnostics: sortDiagnostics(diagnostics) };
  return { ok: true, value: { playbook, doc, kinds, systems, sites } };
}

/**
 * Unknown keys are reported, then set aside, so the checks that follow (kinds, needs,
 * expressions) still run and every problem is reported at once.
 */
function parseLeniently(doc: LoadedDocument, out: Diagnostic[]): Playbook | undefined {
  let data = doc.data;
  for (let round = 0; round < 5; round++) {
    const parsed = playbookSchema.safeParse(data);
    if (parsed.success) return parsed.data;
    out.push(...zodDiagnostics(doc, [], parsed.error.issues, keysFor));
    if (!parsed.error.issues.every((issue) => issue.code === 'unrecognized_keys')) return undefined;
    data = structuredClone(data);
    for (const issue of parsed.error.issues) {
      const holder = valueAt(data, issue.path as Path) as Record<string, unknown> | undefined;
      if (holder && issue.code === 'unrecognized_keys') for (const key of issue.keys) delete holder[key];
    }
  }
  return undefined;
}

function findMergeKeys(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((item, i) => findMergeKeys(item, [...path, i]));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => (key === '<<' ? [path] : findMergeKeys(item, [...path, key])));
}

function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return list.sort((a, b) => a.line - b.line || a.column - b.column);
}
