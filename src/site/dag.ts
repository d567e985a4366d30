import type { EdgeLabel, GraphLabel, NodeLabel, Point } from '@dagrejs/dagre';
import { esc, slug } from './html.js';

const BOX_W = 170;
const BOX_H = 44;
const MARGIN = 8;

type Dagre = typeof import('@dagrejs/dagre');

export interface DagPicture {
  nodes: Array<{ id: string; status: string }>;
  edges: Array<[string, string]>;
}

/**
 * Lays out and draws DAGs as inline SVG. dagre is loaded here, once, by a plain dynamic
 * import: only `evidence html` pays for it, and a bundler can split it off.
 */
export async function loadDagRenderer(): Promise<(picture: DagPicture) => string> {
  const dagre = (await import('@dagrejs/dagre')) as Dagre;
  return (picture) => renderDag(dagre, picture);
}

/**
 * The DAG left to right, laid out by dagre at build time (the page needs no script): each box
 * links to the node's details. dagre keys are positions, not ids, so no id from a file can
 * collide with anything of the library's; self-loops and repeated edges are dropped, and a
 * cycle in a forged file is laid out (dagre breaks it) rather than refused.
 */
function renderDag(dagre: Dagre, { nodes, edges }: DagPicture): string {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const seen = new Set<string>();
  const known = edges.filter(([a, b]) => {
    const key = `${index.get(a)}>${index.get(b)}`;
    if (!index.has(a) || !index.has(b) || a === b || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const graph = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>();
  graph.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 60, marginx: MARGIN, marginy: MARGIN });
  graph.setDefaultEdgeLabel(() => ({}));
  nodes.forEach((_, i) => graph.setNode(`n${i}`, { width: BOX_W, height: BOX_H }));
  for (const [from, to] of known) graph.setEdge(`n${index.get(from)}`, `n${index.get(to)}`);
  dagre.layout(graph);
  const size = graph.graph();
  const width = Math.ceil(size.width ?? BOX_W + 2 * MARGIN);
  const height = Math.ceil(size.height ?? BOX_H + 2 * MARGIN);
  const parts: string[] = ['<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="currentColor"/></marker></defs>'];
  for (const [from, to] of known) {
    const points: Point[] = graph.edge(`n${index.get(from)}`, `n${index.get(to)}`)?.points ?? [];
    const d = points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    parts.push(`<path class="dag-edge" data-from="${esc(from)}" data-to="${esc(to)}" marker-end="url(#arrow)" d="${d}"/>`);
  }
  nodes.forEach((n, i) => {
    const at = graph.node(`n${i}`);
    const x = Math.round(at.x - BOX_W / 2);
    const y = Math.round(at.y - BOX_H / 2);
    const label = n.id.length > 24 ? `${n.id.slice(0, 23)}…` : n.id;
    parts.push(`<a href="#node-${esc(slug(n.id))}" class="dag-link"><g class="dag-node s-${esc(n.status)}" data-node="${esc(n.id)}" data-status="${esc(n.status)}"><title>${esc(`${n.id}: ${n.status}`)}</title><rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="6"/><text x="${x + 8}" y="${y + 18}">${esc(label)}</text><text x="${x + 8}" y="${y + 35}">${esc(n.status.toUpperCase())}</text></g></a>`);
  });
  return `<svg class="dag" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="group" aria-label="the run's DAG: ${nodes.length} nodes, ${known.length} edges">${parts.join('')}</svg>`;
}
