import type { NodeSpec, Playbook } from './schema.js';

export type Section = 'gate' | 'stage-gate' | 'step' | 'verify' | 'finally' | 'trigger' | 'rollback-step' | 'rollback-verify';

export interface NodeSite {
  node: NodeSpec;
  path: Array<string | number>;
  section: Section;
  stage?: string;
  /** A top-level gate a stage names in its `gates:`, checked again before that stage. */
  named?: boolean;
}

/** Every node the playbook defines, wherever it stands, with its document path. */
export function listNodes(playbook: Playbook): NodeSite[] {
  const sites: NodeSite[] = [];
  playbook.gates?.forEach((node, i) => sites.push({ node, path: ['gates', i], section: 'gate' }));
  playbook.stages?.forEach((stage, s) => {
    stage.gates?.forEach((gate, i) => {
      if (typeof gate !== 'string') sites.push({ node: gate, path: ['stages', s, 'gates', i], section: 'stage-gate', stage: stage.id });
    });
    stage.steps?.forEach((node, i) => sites.push({ node, path: ['stages', s, 'steps', i], section: 'step', stage: stage.id }));
    stage.verify?.forEach((node, i) => sites.push({ node, path: ['stages', s, 'verify', i], section: 'verify', stage: stage.id }));
    stage.finally?.forEach((node, i) => sites.push({ node, path: ['stages', s, 'finally', i], section: 'finally', stage: stage.id }));
  });
  playbook.rollback?.triggers?.forEach((node, i) => sites.push({ node, path: ['rollback', 'triggers', i], section: 'trigger' }));
  playbook.rollback?.steps?.forEach((node, i) => sites.push({ node, path: ['rollback', 'steps', i], section: 'rollback-step' }));
  playbook.rollback?.verify?.forEach((node, i) => sites.push({ node, path: ['rollback', 'verify', i], section: 'rollback-verify' }));
  return sites;
}

/** Steps and finally nodes act on systems; everything else only looks. */
export function mutatesBySection(section: Section): boolean {
  return section === 'step' || section === 'finally' || section === 'rollback-step';
}

/** Which nodes a node may name in `needs:` — its own part of the playbook (and top-level gates for stages). */
export function scopeOf(site: NodeSite): string {
  if (site.section === 'gate') return 'gates';
  if (site.stage !== undefined) return `stage:${site.stage}`;
  return 'rollback';
}
