import { didYouMean, type Diagnostic } from './diagnostics.js';
import { findReferences, parseReference } from './interpolate.js';
import type { LoadedDocument } from './load.js';
import type { Playbook } from './schema.js';
import { scopeOf, type NodeSite } from './walk.js';

/** The DAG: unique ids, stage gates, environments named, needs in scope, references, cycles. */
export function checkGraph(doc: LoadedDocument, playbook: Playbook, sites: NodeSite[], out: Diagnostic[]): void {
  const byId = new Map<string, NodeSite>();
  const stageIds = new Set<string>();
  for (const site of sites) {
    const previous = byId.get(site.node.id);
    if (previous) out.push(doc.diagnostic('duplicate-id', [...site.path, 'id'], `duplicate id "${site.node.id}" (also at ${formatSite(doc, previous)})`, 'ids are unique across the whole playbook; rename one'));
    else byId.set(site.node.id, site);
  }
  playbook.stages?.forEach((stage, s) => {
    if (stageIds.has(stage.id) || byId.has(stage.id)) out.push(doc.diagnostic('duplicate-id', ['stages', s, 'id'], `duplicate id "${stage.id}"`, 'stage ids share the namespace of node ids; rename one'));
    stageIds.add(stage.id);
    stage.gates?.forEach((gate, i) => {
      if (typeof gate !== 'string') return;
      const target = byId.get(gate);
      if (!target || target.section !== 'gate') {
        const guess = didYouMean(gate, (playbook.gates ?? []).map((g) => g.id));
        out.push(doc.diagnostic('unknown-gate', ['stages', s, 'gates', i], `stage gate "${gate}" is not a top-level gate`, guess ? `did you mean "${guess}"?` : 'name a node under gates:, or write the gate inline here'));
      }
    });
    stage.environments?.forEach((env, i) => {
      if (!Object.hasOwn(playbook.environments, env)) out.push(doc.diagnostic('unknown-environment', ['stages', s, 'environments', i], `unknown environment "${env}"`, hintEnv(env, playbook)));
    });
  });
  for (const site of sites) {
    site.node.environments?.forEach((env, i) => {
      if (!Object.hasOwn(playbook.environments, env)) out.push(doc.diagnostic('unknown-environment', [...site.path, 'environments', i], `unknown environment "${env}"`, hintEnv(env, playbook)));
    });
    site.node.needs?.forEach((need, i) => {
      const target = byId.get(need);
      const scope = scopeOf(site);
      if (!target) {
        const guess = didYouMean(need, byId.keys());
        out.push(doc.diagnostic('unknown-need', [...site.path, 'needs', i], `needs "${need}", which no node is`, guess ? `did you mean "${guess}"?` : 'name the id of a node in the same part of the playbook'));
      } else if (scopeOf(target) !== scope && !(scope.startsWith('stage:') && target.section === 'gate')) {
        out.push(doc.diagnostic('need-out-of-scope', [...site.path, 'needs', i], `needs "${need}", which is in another part of the playbook (${formatSite(doc, target)})`, 'gates need gates; stage nodes need nodes of their stage or top-level gates; rollback nodes need rollback nodes'));
      }
    });
    site.node.ifPassed?.forEach((id, i) => {
      const target = byId.get(id);
      if (!target || target.stage === undefined) out.push(doc.diagnostic('unknown-if-passed', [...site.path, 'ifPassed', i], `ifPassed names "${id}", which is not a node of a stage`, 'name the promote step whose effect this rollback step undoes'));
    });
    for (const found of findReferences({ with: site.node.with, expect: site.node.expect, title: site.node.title })) {
      const reference = parseReference(found.body);
      if (!('error' in reference) && reference.type === 'node' && !byId.has(reference.id)) {
        const guess = didYouMean(reference.id, byId.keys());
        out.push(doc.diagnostic('unknown-node-reference', [...site.path, ...found.path], `\${nodes.${reference.id}...} names no node`, guess ? `did you mean "${guess}"?` : 'name a node id of this playbook'));
      }
    }
  }
  const cycle = findCycle(sites);
  if (cycle) {
    const first = byId.get(cycle[0]!)!;
    out.push(doc.diagnostic('cycle', [...first.path, 'needs'], `needs form a cycle: ${cycle.join(' → ')}`, 'remove one of these needs so the graph has an order'));
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
