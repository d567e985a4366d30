import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import type { Diagnostic } from '../playbook/diagnostics.js';
import type { ValidPlaybook } from '../playbook/validate.js';
import { resolveConnections } from './connections.js';
import { expandMatrix } from './matrix.js';
import { linkInstances, topologicalOrder } from './order.js';
import { planNode } from './plan-node.js';
import type { PlanResult, ResolveScope } from './resolve.js';
import { plannedSites, type StageSelection } from './select.js';
import { findSecretsInIdentifiers } from './secret-identifiers.js';
import { selectOnly } from './select-only.js';
import type { Command, Plan, PlanNode, StageInstance } from './types.js';

export interface PlanOptions extends StageSelection {
  env: string;
  command: Command;
  dryRun?: boolean;
  only?: string[];
  /** The process environment: ${env:X} and ${secret:X} come from here. */
  processEnv: Record<string, string | undefined>;
}

export interface PlanOutput {
  plan: Plan;
  /** Every secret value resolved, for the redactor. */
  secrets: string[];
}

/** Builds the typed DAG for one command in one environment, resolving only what it plans. */
export function buildPlan(valid: ValidPlaybook, options: PlanOptions): PlanResult<PlanOutput> {
  const { playbook, doc, kinds } = valid;
  const diagnostics: Diagnostic[] = [];
  // Own keys only: `--env constructor` must not find Object.prototype.constructor.
  const environment = Object.hasOwn(playbook.environments, options.env) ? playbook.environments[options.env] : undefined;
  if (!environment) {
    return { ok: false, diagnostics: [doc.diagnostic('unknown-environment', ['environments'], `unknown environment "${options.env}"`, `environments defined: ${Object.keys(playbook.environments).join(', ')}`)] };
  }
  const secrets = new Set<string>();
  const secretNames = new Map<string, string>();
  const vars = environment.vars ?? {};
  const stagesById = new Map((playbook.stages ?? []).map((s, i) => [s.id, { stage: s, index: i }]));
  const nodes: PlanNode[] = [];
  const instancesOf = new Map<string, string[]>();
  const stageRowsCache = new Map<string, Array<Record<string, unknown> | undefined>>();

  for (const name of [options.stage, options.fromStage]) {
    if (name !== undefined && !(playbook.stages ?? []).some((s) => s.id === name)) {
      diagnostics.push({ id: 'unknown-stage', file: doc.file, line: 1, column: 1, path: options.stage ? '--stage' : '--from', message: `no stage "${name}" in this playbook`, hint: `stages: ${(playbook.stages ?? []).map((s) => s.id).join(', ') || 'none'}` });
    }
  }
  const stageInstances: StageInstance[] = [];
  for (const site of plannedSites(valid, options.command, options)) {
    const definition = kinds.get(site.node.uses)!;
    const stage = site.stage ? stagesById.get(site.stage) : undefined;
    const stageSkip = stage?.stage.environments && !stage.stage.environments.includes(options.env);
    const allowed = site.node.environments ?? stage?.stage.environments;
    const skip = stageSkip || (allowed && !allowed.includes(options.env)) ? 'environment' : undefined;
    const scope: ResolveScope = { vars, env: options.processEnv, secrets, secretNames };
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

  linkInstances(nodes, instancesOf);
  const selected = options.only?.length ? selectOnly(nodes, options.only, options.command, doc, diagnostics) : nodes;
  const partial = Boolean(options.only?.length);

  const connections = resolveConnections(valid, selected, options.env, { vars, env: options.processEnv, secrets, secretNames }, diagnostics);
  diagnostics.push(...findSecretsInIdentifiers(valid, secretNames));
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
