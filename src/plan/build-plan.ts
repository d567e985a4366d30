import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import type { CheckDefinition } from '../sdk/types.js';
import type { Diagnostic } from '../playbook/diagnostics.js';
import { findReferences, parseReference, substitute } from '../playbook/interpolate.js';
import type { NodeSpec } from '../playbook/schema.js';
import { connectionsOf, type ValidPlaybook } from '../playbook/validate.js';
import { effectiveExpect, effectiveObserve, kindMutates, nodeMutation } from '../playbook/node-semantics.js';
import type { NodeSite } from '../playbook/walk.js';
import { describeSources } from './reference-sources.js';
import { planLookup, type PlanResult, type ResolveScope } from './resolve.js';
import { resolveDurations, type DurationField } from './resolve-durations.js';
import type { Command, Plan, PlanConnection, PlanNode, StageInstance } from './types.js';

export const BUILT_IN_DEFAULTS = { timeoutMs: 30_000, retries: 0, intervalMs: 5_000 };

export interface PlanOptions {
  env: string;
  command: Command;
  dryRun?: boolean;
  only?: string[];
  /** The process environment: ${env:X} and ${secret:X} come from here. */
  processEnv: Record<string, string | undefined>;
  /** `promote --stage X` / `--from X`: only that stage, or that stage and the ones after it. */
  stage?: string;
  fromStage?: string;
  /** `watch --rollback`: plan the rollback too. */
  withRollback?: boolean;
}

export interface PlanOutput {
  plan: Plan;
  /** Every secret value resolved, for the redactor. */
  secrets: string[];
}

/** Which parts of the playbook a command runs. Inline stage nodes never run in `check`. */
export function selectSites(sites: NodeSite[], command: Command): NodeSite[] {
  switch (command) {
    case 'check':
      return sites.filter((s) => s.section === 'gate');
    case 'watch':
      return sites.filter((s) => s.section === 'trigger');
    case 'rollback':
      return sites.filter((s) => s.section === 'trigger' || s.section === 'rollback-step' || s.section === 'rollback-verify');
    case 'promote':
      return sites.filter((s) => s.section !== 'trigger');
    case 'validate':
      return sites.filter((s) => s.section !== 'trigger' && s.section !== 'rollback-step' && s.section !== 'rollback-verify');
  }
}

/**
 * The sites a command plans. `promote` also re-checks the top-level gates a stage names
 * right before that stage, and plans the rollback only when a stage may run it.
 */
function plannedSites(valid: ValidPlaybook, command: Command, options: PlanOptions): NodeSite[] {
  let sites = selectSites(valid.sites, command);
  if (command === 'watch' && options.withRollback) sites = [...sites, ...valid.sites.filter((s) => s.section === 'rollback-step' || s.section === 'rollback-verify')];
  if (command !== 'promote') return sites;
  const stages = selectStages(valid, options);
  if (!stages.some((stage) => stage.onFailure === 'rollback')) sites = sites.filter((s) => s.section !== 'rollback-step' && s.section !== 'rollback-verify');
  const topGates = new Map(valid.sites.filter((s) => s.section === 'gate').map((s) => [s.node.id, s]));
  const named: NodeSite[] = [];
  for (const stage of stages) {
    for (const gate of stage.gates ?? []) {
      const top = typeof gate === 'string' ? topGates.get(gate) : undefined;
      if (top) named.push({ ...top, section: 'stage-gate', stage: stage.id, named: true });
    }
  }
  // Keep stage order: each stage's named gates stand with its other nodes.
  return [...sites.filter((s) => !s.stage), ...stages.flatMap((stage) => [...named.filter((n) => n.stage === stage.id), ...sites.filter((s) => s.stage === stage.id)])];
}

function selectStages(valid: ValidPlaybook, options: PlanOptions) {
  const stages = valid.playbook.stages ?? [];
  if (options.stage) return stages.filter((s) => s.id === options.stage);
  if (options.fromStage) return stages.slice(Math.max(0, stages.findIndex((s) => s.id === options.fromStage)));
  return stages;
}

/** Builds the typed DAG for one command in one environment, resolving only what it plans. */
export function buildPlan(valid: ValidPlaybook, options: PlanOptions): PlanResult<PlanOutput> {
  const { playbook, doc, kinds } = valid;
  const diagnostics: Diagnostic[] = [];
  const environment = playbook.environments[options.env];
  if (!environment) {
    return { ok: false, diagnostics: [doc.diagnostic(['environments'], `unknown environment "${options.env}"`, `environments defined: ${Object.keys(playbook.environments).join(', ')}`)] };
  }
  const secrets = new Set<string>();
  const vars = environment.vars ?? {};
  const stagesById = new Map((playbook.stages ?? []).map((s, i) => [s.id, { stage: s, index: i }]));
  const nodes: PlanNode[] = [];
  const instancesOf = new Map<string, string[]>();
  const stageRowsCache = new Map<string, Array<Record<string, unknown> | undefined>>();

  for (const name of [options.stage, options.fromStage]) {
    if (name !== undefined && !(playbook.stages ?? []).some((s) => s.id === name)) {
      diagnostics.push({ file: doc.file, line: 1, column: 1, path: options.stage ? '--stage' : '--from', message: `no stage "${name}" in this playbook`, hint: `stages: ${(playbook.stages ?? []).map((s) => s.id).join(', ') || 'none'}` });
    }
  }
  const stageInstances: StageInstance[] = [];
  for (const site of plannedSites(valid, options.command, options)) {
    const definition = kinds.get(site.node.uses)!;
    const stage = site.stage ? stagesById.get(site.stage) : undefined;
    const stageSkip = stage?.stage.environments && !stage.stage.environments.includes(options.env);
    const allowed = site.node.environments ?? stage?.stage.environments;
    const skip = stageSkip || (allowed && !allowed.includes(options.env)) ? 'environment' : undefined;
    const scope: ResolveScope = { vars, env: options.processEnv, secrets };
    // A stage matrix makes one instance of the stage per value; its nodes follow it.
    let stageRows: Array<Record<string, unknown> | undefined> = [undefined];
    if (stage?.stage.matrix && !stageSkip) {
      if (!stageRowsCache.has(stage.stage.id)) stageRowsCache.set(stage.stage.id, expandMatrix(stage.stage.matrix, ['stages', stage.index, 'matrix'], scope, doc, diagnostics));
      stageRows = stageRowsCache.get(stage.stage.id)!;
    }
    const ids: string[] = [];
    for (const stageRow of stageRows) {
      const nodeRows = skip ? [undefined] : expandMatrix(site.node.matrix, [...site.path, 'matrix'], { ...scope, ...(stageRow ? { matrix: stageRow } : {}) }, doc, diagnostics);
      for (const nodeRow of nodeRows) {
        const row = stageRow || nodeRow ? { ...stageRow, ...nodeRow } : undefined;
        const suffix = row ? `[${Object.values(row).map(String).join(',')}]` : '';
        const id = site.named ? `${site.node.id}@${site.stage}${stageRow ? `[${Object.values(stageRow).map(String).join(',')}]` : ''}` : `${site.node.id}${suffix}`;
        const node = planNode(site, definition, id, row, skip, { ...scope, ...(row ? { matrix: row } : {}) }, valid, options.env, diagnostics);
        if (stage) {
          node.stageInstance = stageRow ? `${stage.stage.id}[${Object.values(stageRow).map(String).join(',')}]` : stage.stage.id;
          if (!stageInstances.some((i) => i.instance === node.stageInstance)) {
            stageInstances.push({ instance: node.stageInstance, stage: stage.stage.id, title: `${stage.stage.title ?? stage.stage.id}${stageRow ? ` [${Object.values(stageRow).map(String).join(', ')}]` : ''}`, onFailure: stage.stage.onFailure ?? 'stop' });
          }
        }
        if (site.named) node.needs = [];
        nodes.push(node);
        ids.push(id);
      }
    }
    // A stage's copy of a top-level gate is not what `needs: [gate]` names.
    if (!site.named) instancesOf.set(site.node.id, ids);
  }

  // needs and ${nodes.X} edges point at every instance of X that this run plans — within a
  // stage instance, at the instance of the same stage instance.
  const byIdAll = new Map(nodes.map((n) => [n.id, n]));
  for (const node of nodes) {
    const wanted = new Set<string>();
    for (const need of [...node.needs, ...node.refs]) {
      let instances = instancesOf.get(need) ?? [];
      const sameStage = instances.filter((id) => byIdAll.get(id)?.stageInstance === node.stageInstance);
      if (node.stageInstance && sameStage.length) instances = sameStage;
      for (const instance of instances) wanted.add(instance);
    }
    node.needs = [...wanted];
  }

  let selected = nodes;
  let partial = false;
  if (options.only?.length) {
    partial = true;
    const byBase = new Map<string, PlanNode[]>();
    for (const node of nodes) byBase.set(node.baseId, [...(byBase.get(node.baseId) ?? []), node]);
    const keep = new Set<string>();
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const visit = (node: PlanNode) => {
      if (keep.has(node.id)) return;
      keep.add(node.id);
      for (const need of node.needs) visit(byId.get(need)!);
    };
    for (const id of options.only) {
      const found = byId.get(id) ? [byId.get(id)!] : byBase.get(id);
      if (!found) diagnostics.push({ file: doc.file, line: 1, column: 1, path: '--only', message: `--only names "${id}", which this ${options.command} does not plan`, hint: `nodes here: ${[...byBase.keys()].join(', ')}` });
      else found.forEach(visit);
    }
    selected = nodes.filter((n) => keep.has(n.id));
  }

  const connections = resolveConnections(valid, selected, options.env, { vars, env: options.processEnv, secrets }, diagnostics);
  if (diagnostics.length) return { ok: false, diagnostics };
  const plan: Plan = {
    playbook: { name: playbook.name, file: doc.file, dir: dirname(resolve(doc.file)), sha256: createHash('sha256').update(doc.source).digest('hex') },
    env: options.env,
    command: options.command,
    dryRun: options.dryRun ?? false,
    partial: partial || options.stage !== undefined || options.fromStage !== undefined,
    nodes: topologicalOrder(selected),
    connections,
    ...(options.command === 'promote' ? { stages: stageInstances } : {}),
  };
  return { ok: true, value: { plan, secrets: [...secrets] } };
}

function planNode(site: NodeSite, definition: CheckDefinition, id: string, row: Record<string, unknown> | undefined, skip: string | undefined, scope: ResolveScope, valid: ValidPlaybook, env: string, diagnostics: Diagnostic[]): PlanNode {
  const { node, path } = site;
  const defaults = valid.playbook.defaults ?? {};
  let params: Record<string, unknown> = node.with ?? {};
  let expect = node.expect;
  let title = node.title ?? definition.summary;
  let deferred = false;
  let durations: Partial<Record<DurationField, number>> = {};
  let parsedParams: Record<string, unknown> | undefined;
  if (!skip) {
    durations = resolveDurations(node, path, scope, valid.doc, env, diagnostics);
    const lookup = planLookup(scope);
    const resolved = substitute({ with: params, expect, title }, lookup, path);
    for (const error of resolved.errors) diagnostics.push(valid.doc.diagnostic(error.path, error.message, 'values resolve only for the nodes a run plans; set it, or limit the node with environments:'));
    const value = resolved.value as { with: Record<string, unknown>; expect?: string; title: string };
    params = value.with;
    expect = value.expect;
    title = value.title;
    deferred = resolved.deferred;
    if (!deferred && !resolved.errors.length) {
      const checked = parseResolved(definition, node.with ?? {}, params);
      if (!checked.success) {
        for (const issue of checked.error.issues) {
          const at = issue.path as Array<string | number>;
          const where = describeSources(valid.doc, env, dig(node.with ?? {}, at));
          diagnostics.push(valid.doc.diagnostic([...path, 'with', ...at], `after resolving values in ${env}: ${issue.message}`, where ?? 'check the value the reference resolves to in this environment'));
        }
      } else {
        params = checked.data as Record<string, unknown>;
        parsedParams = params;
      }
    }
  }
  const mutation = nodeMutation(site, definition, kindMutates(definition, parsedParams ?? parsedWithoutValues(definition, params)));
  if (mutation.problem && !skip) diagnostics.push(valid.doc.diagnostic([...path, 'uses'], mutation.problem.message, mutation.problem.hint));
  const mutates = mutation.mutates;
  // Mutating nodes and people (approvals) take only what they state.
  const useDefaults = !mutates && !definition.interactive;
  const timeoutMs = durations.timeout ?? (useDefaults ? defaults.timeout ?? BUILT_IN_DEFAULTS.timeoutMs : undefined);
  const isWindow = node.for !== undefined || site.section === 'trigger';
  const observe = effectiveObserve(definition, node.observe);
  const effective = effectiveExpect(definition, expect, observe);
  const refs = findReferences({ with: node.with, expect: node.expect }).flatMap((found) => {
    const reference = parseReference(found.body);
    return !('error' in reference) && reference.type === 'node' ? [reference.id] : [];
  });
  return {
    id,
    baseId: node.id,
    kind: node.uses,
    title: row ? `${title} [${Object.values(row).map(String).join(', ')}]` : title,
    role: site.section,
    ...(site.stage ? { stage: site.stage } : {}),
    params,
    ...(effective !== undefined ? { expect: effective } : {}),
    ...(observe !== undefined ? { observe } : {}),
    severity: node.severity ?? 'blocker',
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    retries: isWindow ? 0 : node.retries ?? (useDefaults ? defaults.retries ?? BUILT_IN_DEFAULTS.retries : 0),
    intervalMs: durations.interval ?? (useDefaults ? defaults.interval : undefined) ?? BUILT_IN_DEFAULTS.intervalMs,
    ...(durations.for !== undefined ? { forMs: durations.for } : {}),
    needs: node.needs ?? [],
    mutates,
    ...(node.connection ? { connection: node.connection } : {}),
    ...(node.onEmpty ? { onEmpty: node.onEmpty } : {}),
    ...(node.onError ? { onError: node.onError } : {}),
    ...(node.ifPassed ? { ifPassed: node.ifPassed } : {}),
    ...(skip ? { skip } : {}),
    deferred,
    refs: [...new Set(refs)],
    docPath: path,
  };
}

/**
 * A whole-string reference keeps its type (${matrix.weight} is 25), but a field that takes
 * text (an argv) then gets a number. Where a reference, not a literal, put a number or a
 * boolean into a string field, use its text; an unquoted literal stays an error.
 */
export function parseResolved(definition: CheckDefinition, raw: Record<string, unknown>, resolved: Record<string, unknown>) {
  const first = definition.params.safeParse(resolved);
  if (first.success) return first;
  let changed = false;
  const copy = structuredClone(resolved);
  for (const issue of first.error.issues) {
    if (issue.code !== 'invalid_type' || issue.expected !== 'string') continue;
    const path = issue.path as Array<string | number>;
    const source = dig(raw, path);
    const parent = dig(copy, path.slice(0, -1)) as Record<string | number, unknown> | undefined;
    const value = parent?.[path[path.length - 1]!];
    if (typeof source === 'string' && source.includes('${') && parent && (typeof value === 'number' || typeof value === 'boolean')) {
      parent[path[path.length - 1]!] = String(value);
      changed = true;
    }
  }
  return changed ? definition.params.safeParse(copy) : first;
}

function dig(value: unknown, path: Array<string | number>): unknown {
  let current = value;
  for (const part of path) current = current && typeof current === 'object' ? (current as Record<string | number, unknown>)[part] : undefined;
  return current;
}

/** Parameters still holding ${nodes...} parse when those fields take any text; else unknown. */
function parsedWithoutValues(definition: CheckDefinition, params: Record<string, unknown>): unknown {
  const parsed = definition.params.safeParse(params);
  return parsed.success ? parsed.data : undefined;
}

function expandMatrix(matrix: NodeSpec['matrix'], path: Array<string | number>, scope: ResolveScope, doc: ValidPlaybook['doc'], diagnostics: Diagnostic[]): Array<Record<string, unknown> | undefined> {
  if (!matrix) return [undefined];
  let rows: Array<Record<string, unknown>> = [{}];
  for (const [name, spec] of Object.entries(matrix)) {
    let values: unknown = spec;
    if (typeof spec === 'string') {
      const resolved = substitute(spec, planLookup(scope), [...path, name]);
      resolved.errors.forEach((e) => diagnostics.push(doc.diagnostic(e.path, e.message)));
      values = resolved.value;
    }
    if (!Array.isArray(values) || values.length === 0) {
      diagnostics.push(doc.diagnostic([...path, name], `matrix ${name} must be a non-empty list`, 'write matrix: { weight: [25, 50, 100] } or a ${vars.X} that holds a list'));
      return [undefined];
    }
    rows = rows.flatMap((row) => (values as unknown[]).map((value) => ({ ...row, [name]: value })));
  }
  return rows;
}

function resolveConnections(valid: ValidPlaybook, nodes: PlanNode[], env: string, scope: ResolveScope, diagnostics: Diagnostic[]): PlanConnection[] {
  const environment = valid.playbook.environments[env]!;
  const connections: PlanConnection[] = [];
  const wanted = new Map<string, Set<string | undefined>>();
  for (const node of nodes) {
    if (node.skip) continue;
    const system = valid.kinds.get(node.kind)?.system;
    if (!system) continue;
    if (!wanted.has(system)) wanted.set(system, new Set());
    wanted.get(system)!.add(node.connection);
  }
  for (const [systemName, names] of wanted) {
    const raw = (environment as Record<string, unknown>)[systemName];
    const system = valid.systems.get(systemName);
    const user = nodes.find((n) => !n.skip && valid.kinds.get(n.kind)?.system === systemName)!;
    if (raw === undefined || !system) {
      diagnostics.push(valid.doc.diagnostic(user.docPath, `${user.kind} needs ${systemName}: settings in environment ${env}, which has none`, `add environments.${env}.${systemName}`, 'uses'));
      continue;
    }
    const available = connectionsOf(system, raw, ['environments', env, systemName]);
    for (const wantedName of names) {
      // A node that names no connection takes the first one, as written.
      const chosen = wantedName === undefined ? available[0] : available.find(([name]) => name === wantedName);
      if (!chosen) {
        const holder = nodes.find((n) => n.connection === wantedName && valid.kinds.get(n.kind)?.system === systemName)!;
        diagnostics.push(valid.doc.diagnostic([...holder.docPath, 'connection'], `no ${systemName} connection "${wantedName}" in environment ${env}`, `connections: ${available.map(([n]) => n).join(', ')}`));
        continue;
      }
      const [name, settings, path] = chosen;
      if (connections.some((c) => c.system === systemName && c.name === name)) continue;
      const resolved = substitute(settings, planLookup(scope), [...path]);
      resolved.errors.forEach((e) => diagnostics.push(valid.doc.diagnostic(e.path, e.message)));
      const parsed = system.settings.safeParse(resolved.value);
      connections.push({ system: systemName, name, settings: (parsed.success ? parsed.data : resolved.value) as Record<string, unknown> });
    }
  }
  return connections;
}

/** Kahn's algorithm, stable in playbook order. */
export function topologicalOrder(nodes: PlanNode[]): PlanNode[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const indegree = new Map(nodes.map((n) => [n.id, n.needs.filter((need) => byId.has(need)).length]));
  const dependents = new Map<string, string[]>();
  for (const node of nodes) for (const need of node.needs) if (byId.has(need)) dependents.set(need, [...(dependents.get(need) ?? []), node.id]);
  const order: PlanNode[] = [];
  const ready = nodes.filter((n) => indegree.get(n.id) === 0);
  while (ready.length) {
    const node = ready.shift()!;
    order.push(node);
    for (const next of dependents.get(node.id) ?? []) {
      indegree.set(next, indegree.get(next)! - 1);
      if (indegree.get(next) === 0) ready.push(byId.get(next)!);
    }
  }
  return order;
}

/** Levels of the DAG (longest path from a root), for printing. */
export function planLevels(plan: Plan): PlanNode[][] {
  const level = new Map<string, number>();
  for (const node of plan.nodes) level.set(node.id, Math.max(0, ...node.needs.map((n) => (level.get(n) ?? -1) + 1)));
  const levels: PlanNode[][] = [];
  for (const node of plan.nodes) (levels[level.get(node.id)!] ??= []).push(node);
  return levels;
}
