import { readdirSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import type { CheckDefinition, Registry, SystemDefinition } from '../sdk/types.js';
import { didYouMean, type Diagnostic, type Path } from './diagnostics.js';
import { parseExpect } from '../expect/index.js';
import { findReferences, parseReference, REFERENCE_HINT } from './interpolate.js';
import type { LoadedDocument } from './load.js';
import { knownKeys, playbookSchema, type Playbook } from './schema.js';
import { effectiveExpect, kindMutates, nodeMutation } from './node-semantics.js';
import { listNodes, scopeOf, type NodeSite } from './walk.js';

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
  for (const path of findMergeKeys(doc.data)) diagnostics.push(doc.diagnostic(path, 'merge keys (<<) are not part of YAML 1.2 and would be ignored', 'write the values out (an alias of a whole value, *name, is fine)', '<<'));
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
      diagnostics.push(doc.diagnostic([...site.path, 'uses'], `unknown kind "${site.node.uses}"`, guess ? `did you mean "${guess}"? (rollout checks lists every kind)` : 'rollout checks lists every kind'));
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

function checkNode(doc: LoadedDocument, site: NodeSite, definition: CheckDefinition, out: Diagnostic[]): void {
  const { node, path } = site;
  const params = node.with ?? {};
  // Values with references are checked again once resolved; here only their shape is known.
  const result = definition.params.safeParse(params);
  if (!result.success) {
    const issues = result.error.issues.filter((issue) => !holdsReference(params, issue.path as Path));
    out.push(...zodDiagnostics(doc, [...path, 'with'], issues, () => shapeKeys(definition.params)));
  } else if (definition.validate) {
    for (const problem of definition.validate(result.data)) {
      out.push(doc.diagnostic([...path, 'with', ...problem.path], problem.message, problem.hint));
    }
  }
  if (definition.observes === 'verdict' && node.expect !== undefined) {
    out.push(doc.diagnostic([...path, 'expect'], `${definition.kind} returns pass/fail with reasons and takes no expect`, 'remove expect; `rollout checks ' + definition.kind + '` shows what it checks'));
  }
  if (node.observe !== undefined) {
    const choices = definition.observeChoices;
    if (!choices) out.push(doc.diagnostic([...path, 'observe'], `${definition.kind} observes one thing and takes no observe`, 'remove observe'));
    else if (!choices.patterns.some((pattern) => pattern.test(node.observe!))) {
      out.push(doc.diagnostic([...path, 'observe'], `${definition.kind} cannot observe "${node.observe}"`, `choose one of: ${choices.help.join(', ')}`));
    }
  }
  if (node.expect !== undefined && !node.expect.includes('${')) {
    const parsed = parseExpect(node.expect);
    if (!parsed.ok) out.push(doc.diagnostic([...path, 'expect'], parsed.message, parsed.hint));
  }
  if (definition.observes !== 'verdict') {
    if (effectiveExpect(definition, node.expect, node.observe) === undefined) out.push(doc.diagnostic(path, `${definition.kind}${node.observe ? ` observing ${node.observe}` : ''} needs an expect: the healthy condition`, 'add e.g. expect: "<= 0.05"', 'id'));
  }
  // With references in its parameters the kind's answer waits for the plan, which asks again.
  const mutation = nodeMutation(site, definition, kindMutates(definition, result.success ? result.data : undefined));
  if (mutation.problem) out.push(doc.diagnostic([...path, 'uses'], mutation.problem.message, mutation.problem.hint));
  for (const field of definition.argvFields ?? []) {
    for (const found of findReferences(params[field], [field])) {
      const reference = parseReference(found.body);
      if (!('error' in reference) && reference.type === 'secret') {
        out.push(doc.diagnostic([...path, 'with', ...found.path], `\${secret:${reference.name}} in a command line is visible to every user in ps`, `pass it through env: (with: { env: { ${reference.name}: "\${secret:${reference.name}}" } }) and read it in the command`));
      }
    }
  }
  if (node.ifPassed && site.section !== 'rollback-step') {
    out.push(doc.diagnostic([...path, 'ifPassed'], 'ifPassed belongs to rollback steps', 'remove it, or move this node under rollback.steps'));
  }
  if (node.for !== undefined && (site.section === 'step' || site.section === 'finally' || site.section === 'rollback-step')) {
    out.push(doc.diagnostic([...path, 'for'], 'for: is a window over a condition; steps act once', 'move the condition to verify: or a gate'));
  }
  for (const field of ['timeout', 'interval', 'for'] as const) {
    for (const found of findReferences(node[field], [field])) {
      const reference = parseReference(found.body);
      if ('error' in reference || (reference.type !== 'node' && reference.type !== 'secret')) continue;
      out.push(doc.diagnostic([...path, field], `durations resolve when the run is planned; \${${found.body}} is not known then`, 'use ${vars.NAME} or ${env:NAME}, set per environment'));
    }
  }
  for (const found of findReferences({ with: node.with, expect: node.expect, title: node.title, matrix: node.matrix, timeout: node.timeout, interval: node.interval, for: node.for })) {
    const reference = parseReference(found.body);
    if ('error' in reference) out.push(doc.diagnostic([...path, ...found.path], reference.error, REFERENCE_HINT));
    else if (reference.type === 'matrix' && !node.matrix?.[reference.name] && !site.stage) {
      out.push(doc.diagnostic([...path, ...found.path], `\${matrix.${reference.name}} but this node has no matrix "${reference.name}"`, 'add matrix: { ' + reference.name + ': [...] } to the node or its stage'));
    }
  }
}

async function checkEnvironments(doc: LoadedDocument, playbook: Playbook, registry: Registry, out: Diagnostic[]): Promise<Map<string, SystemDefinition>> {
  const systems = new Map<string, SystemDefinition>();
  for (const [envName, environment] of Object.entries(playbook.environments)) {
    for (const [key, value] of Object.entries(environment)) {
      if (key === 'vars') continue;
      const path = ['environments', envName, key];
      const load = registry.systems[key];
      if (!load) {
        const guess = didYouMean(key, ['vars', ...Object.keys(registry.systems)]);
        out.push(doc.diagnostic(['environments', envName], `unknown key "${key}" in environment ${envName}`, guess ? `did you mean "${guess}"?` : `an environment holds vars and systems: ${Object.keys(registry.systems).join(', ')}`, key));
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
export function connectionsOf(system: SystemDefinition, value: unknown, path: Path): Array<[string, unknown, Path]> {
  if (value && typeof value === 'object' && !Array.isArray(value) && !system.settings.safeParse(value).success) {
    const entries = Object.entries(value as Record<string, unknown>);
    const keys = shapeKeys(system.settings);
    const looksNamed = entries.length > 0 && entries.every(([k, v]) => v && typeof v === 'object' && !Array.isArray(v) && !keys.includes(k));
    if (looksNamed) return entries.map(([name, settings]) => [name, settings, [...path, name]]);
  }
  return [['default', value, path]];
}

function checkGraph(doc: LoadedDocument, playbook: Playbook, sites: NodeSite[], out: Diagnostic[]): void {
  const byId = new Map<string, NodeSite>();
  const stageIds = new Set<string>();
  for (const site of sites) {
    const previous = byId.get(site.node.id);
    if (previous) out.push(doc.diagnostic([...site.path, 'id'], `duplicate id "${site.node.id}" (also at ${formatSite(doc, previous)})`, 'ids are unique across the whole playbook; rename one'));
    else byId.set(site.node.id, site);
  }
  playbook.stages?.forEach((stage, s) => {
    if (stageIds.has(stage.id) || byId.has(stage.id)) out.push(doc.diagnostic(['stages', s, 'id'], `duplicate id "${stage.id}"`, 'stage ids share the namespace of node ids; rename one'));
    stageIds.add(stage.id);
    stage.gates?.forEach((gate, i) => {
      if (typeof gate !== 'string') return;
      const target = byId.get(gate);
      if (!target || target.section !== 'gate') {
        const guess = didYouMean(gate, (playbook.gates ?? []).map((g) => g.id));
        out.push(doc.diagnostic(['stages', s, 'gates', i], `stage gate "${gate}" is not a top-level gate`, guess ? `did you mean "${guess}"?` : 'name a node under gates:, or write the gate inline here'));
      }
    });
    stage.environments?.forEach((env, i) => {
      if (!(env in playbook.environments)) out.push(doc.diagnostic(['stages', s, 'environments', i], `unknown environment "${env}"`, hintEnv(env, playbook)));
    });
  });
  for (const site of sites) {
    site.node.environments?.forEach((env, i) => {
      if (!(env in playbook.environments)) out.push(doc.diagnostic([...site.path, 'environments', i], `unknown environment "${env}"`, hintEnv(env, playbook)));
    });
    site.node.needs?.forEach((need, i) => {
      const target = byId.get(need);
      const scope = scopeOf(site);
      if (!target) {
        const guess = didYouMean(need, byId.keys());
        out.push(doc.diagnostic([...site.path, 'needs', i], `needs "${need}", which no node is`, guess ? `did you mean "${guess}"?` : 'name the id of a node in the same part of the playbook'));
      } else if (scopeOf(target) !== scope && !(scope.startsWith('stage:') && target.section === 'gate')) {
        out.push(doc.diagnostic([...site.path, 'needs', i], `needs "${need}", which is in another part of the playbook (${formatSite(doc, target)})`, 'gates need gates; stage nodes need nodes of their stage or top-level gates; rollback nodes need rollback nodes'));
      }
    });
    site.node.ifPassed?.forEach((id, i) => {
      const target = byId.get(id);
      if (!target || target.stage === undefined) out.push(doc.diagnostic([...site.path, 'ifPassed', i], `ifPassed names "${id}", which is not a node of a stage`, 'name the promote step whose effect this rollback step undoes'));
    });
    for (const found of findReferences({ with: site.node.with, expect: site.node.expect, title: site.node.title })) {
      const reference = parseReference(found.body);
      if (!('error' in reference) && reference.type === 'node' && !byId.has(reference.id)) {
        const guess = didYouMean(reference.id, byId.keys());
        out.push(doc.diagnostic([...site.path, ...found.path], `\${nodes.${reference.id}...} names no node`, guess ? `did you mean "${guess}"?` : 'name a node id of this playbook'));
      }
    }
  }
  const cycle = findCycle(sites);
  if (cycle) {
    const first = byId.get(cycle[0]!)!;
    out.push(doc.diagnostic([...first.path, 'needs'], `needs form a cycle: ${cycle.join(' → ')}`, 'remove one of these needs so the graph has an order'));
  }
}

function hintEnv(env: string, playbook: Playbook): string {
  const guess = didYouMean(env, Object.keys(playbook.environments));
  return guess ? `did you mean "${guess}"?` : `environments defined: ${Object.keys(playbook.environments).join(', ')}`;
}

function formatSite(doc: LoadedDocument, site: NodeSite): string {
  const { line, column } = doc.locate(site.path);
  return `line ${line}:${column}`;
}

/** A cycle in `needs` (and implicit ${nodes.X} edges), as the list of ids around it. */
function findCycle(sites: NodeSite[]): string[] | undefined {
  const edges = new Map<string, string[]>();
  for (const site of sites) {
    const refs = findReferences({ with: site.node.with, expect: site.node.expect }).flatMap((f) => {
      const r = parseReference(f.body);
      return !('error' in r) && r.type === 'node' ? [r.id] : [];
    });
    edges.set(site.node.id, [...(site.node.needs ?? []), ...refs]);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const next of edges.get(id) ?? []) {
      if (!edges.has(next)) continue;
      if (state.get(next) === 'visiting') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    if (!state.has(id)) {
      const found = visit(id);
      if (found) return found;
    }
  }
  return undefined;
}

function findMergeKeys(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((item, i) => findMergeKeys(item, [...path, i]));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => (key === '<<' ? [path] : findMergeKeys(item, [...path, key])));
}

function holdsReference(value: unknown, path: Path): boolean {
  let current: unknown = value;
  for (const part of path) {
    if (typeof current === 'string') break;
    if (!current || typeof current !== 'object') return false;
    current = (current as Record<string | number, unknown>)[part];
  }
  return typeof current === 'string' && current.includes('${');
}

function shapeKeys(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

/** The keys allowed at a path of the playbook document. */
function keysFor(path: Path): string[] {
  if (path.length === 0) return knownKeys.top;
  if (path[0] === 'defaults') return knownKeys.defaults;
  if (path[0] === 'rollback' && path.length === 1) return knownKeys.rollback;
  if (path[0] === 'stages' && path.length === 2) return knownKeys.stage;
  return knownKeys.node;
}

export function zodDiagnostics(doc: LoadedDocument, base: Path, issues: z.core.$ZodIssue[], keys: (path: Path) => string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as Array<string | number>)];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const guess = didYouMean(key, keys(issue.path as Path));
        out.push(doc.diagnostic(path, `unknown key "${key}"`, guess ? `did you mean "${guess}"?` : `allowed here: ${keys(issue.path as Path).join(', ')}`, key));
      }
      continue;
    }
    if (issue.code === 'invalid_union') {
      const nested = issue.errors.flat();
      if (nested.length) {
        out.push(...zodDiagnostics(doc, base, [nested[0]!].map((n) => ({ ...n, path: [...issue.path, ...n.path] })) as z.core.$ZodIssue[], keys));
        continue;
      }
    }
    const actual = valueAt(doc.data, path);
    if (issue.code === 'invalid_type' && actual === undefined) {
      out.push(doc.diagnostic(path, `missing ${String(path[path.length - 1])}`, `${issue.message.replace(/^Invalid input: /, '')}`));
      continue;
    }
    if (issue.code === 'invalid_type' && issue.expected === 'string' && (typeof actual === 'number' || typeof actual === 'boolean')) {
      const text = doc.sourceText(path) ?? String(actual);
      out.push(doc.diagnostic(path, `expected a string, found the ${typeof actual} ${text}`, `quote it: "${text}" (YAML reads unquoted ${text} as a ${typeof actual})`));
      continue;
    }
    const hint = issue.code === 'invalid_value' && 'values' in issue ? `one of: ${(issue.values as unknown[]).map(String).join(', ')}` : undefined;
    out.push(doc.diagnostic(path, issue.message.replace(/^Invalid input: /, ''), hint));
  }
  return out;
}

function valueAt(data: unknown, path: Path): unknown {
  let current = data;
  for (const part of path) {
    if (!current || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return list.sort((a, b) => a.line - b.line || a.column - b.column);
}

async function loadUserKinds(doc: LoadedDocument, playbook: Playbook, out: Diagnostic[]): Promise<Map<string, CheckDefinition>> {
  const kinds = new Map<string, CheckDefinition>();
  if (!playbook.checks) return kinds;
  const dir = resolvePath(doc.file, '..', playbook.checks);
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.js') || f.endsWith('.mjs'));
  } catch {
    out.push(doc.diagnostic(['checks'], `cannot read the checks folder ${dir}`, 'the folder holds compiled .js check modules, relative to the playbook'));
    return kinds;
  }
  for (const file of files.sort()) {
    try {
      const module = (await import(pathToFileURL(join(dir, file)).href)) as { default?: CheckDefinition };
      const definition = module.default;
      if (!definition || typeof definition.kind !== 'string' || typeof definition.run !== 'function' || !definition.params) {
        out.push(doc.diagnostic(['checks'], `${file} does not default-export a check (kind, params, run)`, 'export default defineCheck({ kind, summary, params, observes, mutates, run })'));
        continue;
      }
      if (typeof definition.mutates !== 'boolean' && typeof definition.mutates !== 'function') {
        out.push(doc.diagnostic(['checks'], `${file}: kind ${definition.kind} must declare mutates`, 'mutates: false for checks that only look'));
        continue;
      }
      kinds.set(definition.kind, definition);
    } catch (error) {
      out.push(doc.diagnostic(['checks'], `${file} failed to load: ${(error as Error).message}`, 'the folder must hold compiled ESM .js modules'));
    }
  }
  return kinds;
}
