import type { ValidPlaybook } from '../playbook/validate.js';
import type { NodeSite } from '../playbook/walk.js';
import type { Command } from './types.js';

export interface StageSelection {
  /** `promote --stage X` / `--from X`: only that stage, or that stage and the ones after it. */
  stage?: string;
  fromStage?: string;
  /** `watch --rollback`: plan the rollback too. */
  withRollback?: boolean;
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
export function plannedSites(valid: ValidPlaybook, command: Command, options: StageSelection): NodeSite[] {
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

function selectStages(valid: ValidPlaybook, options: StageSelection) {
  const stages = valid.playbook.stages ?? [];
  if (options.stage) return stages.filter((s) => s.id === options.stage);
  if (options.fromStage) return stages.slice(Math.max(0, stages.findIndex((s) => s.id === options.fromStage)));
  return stages;
}
