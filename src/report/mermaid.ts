// One Mermaid flowchart renderer for every DAG we draw (`rollout plan --format mermaid`, the
// evidence file), so a matrix value with a quote cannot break one of them and not the other.

export interface MermaidNode {
  id: string;
  /** Lines of the box's label, as plain text. */
  label: string[];
  /** A `classDef` name to colour the box with. */
  className?: string;
}

const ENTITY: Record<string, string> = { '"': '#quot;', '#': '#35;', '<': '#lt;', '>': '#gt;', '&': '#amp;', '`': '#96;' };

/**
 * Plain text inside a quoted label: Mermaid reads `#name;` / `#35;` as entity codes, so the
 * quote that would end the label, markup, and `#` itself are written that way and still render.
 */
export function escapeMermaidLabel(text: string): string {
  return text.replace(/["#<>&`]/g, (c) => ENTITY[c]!).replace(/\r?\n/g, '<br/>');
}

/** `flowchart LR` of the nodes and their edges (from → to); edges to unknown ids are left out. */
export function renderMermaidFlowchart(nodes: MermaidNode[], edges: Array<[string, string]>, classDefs: Record<string, string> = {}): string {
  const index = new Map(nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = ['flowchart LR'];
  for (const node of nodes) lines.push(`  ${index.get(node.id)}["${node.label.map(escapeMermaidLabel).join('<br/>')}"]${node.className ? `:::${node.className}` : ''}`);
  for (const [from, to] of edges) if (index.has(from) && index.has(to)) lines.push(`  ${index.get(from)} --> ${index.get(to)}`);
  for (const [name, style] of Object.entries(classDefs)) lines.push(`  classDef ${name} ${style}`);
  return `${lines.join('\n')}\n`;
}
