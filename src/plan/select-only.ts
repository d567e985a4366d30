import type { Diagnostic } from '../playbook/diagnostics.js';
import type { LoadedDocument } from '../playbook/load.js';
import type { Command, PlanNode } from './types.js';

/** `--only a,b`: those nodes (an id, or every instance of a matrix node) and what they need. */
export function selectOnly(nodes: PlanNode[], only: string[], command: Command, doc: LoadedDocument, diagnostics: Diagnostic[]): PlanNode[] {
  const byBase = new Map<string, PlanNode[]>();
  for (const node of nodes) byBase.set(node.baseId, [...(byBase.get(node.baseId) ?? []), node]);
  const keep = new Set<string>();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const visit = (node: PlanNode) => {
    if (keep.has(node.id)) return;
    keep.add(node.id);
    for (const need of node.needs) visit(byId.get(need)!);
  };
  for (const id of only) {
    const found = byId.get(id) ? [byId.get(id)!] : byBase.get(id);
    if (!found) diagnostics.push({ id: 'unknown-only', file: doc.file, line: 1, column: 1, path: '--only', message: `--only names "${id}", which this ${command} does not plan`, hint: `nodes here: ${[...byBase.keys()].join(', ')}` });
    else found.forEach(visit);
  }
  return nodes.filter((n) => keep.has(n.id));
}
