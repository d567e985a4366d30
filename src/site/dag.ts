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
  // The runs of one playbook mostly share one DAG: statuses do not move boxes, so each shape is laid out once.
  const layouts = new Map<string, Layout>();
  return (picture) => {
    const key = JSON.stringify([picture.nodes.map((n) => n.id), picture.edges]);
    const layout = layouts.get(key) ?? layouts.set(key, layOut(dagre, picture)).get(key)!;
    return drawDag(layout, picture.nodes);
  };
}

/**
 * Above this many nodes dagre ranks by longest path and skips its extra ordering passes:
 * network simplex and the full crossing reduction took 6.3 s for 300 nodes and minutes for
 * 1,000 (10 levels, 2,700 edges); the fast settings take 0.6 s and 2.6 s.
 */
const FAST_LAYOUT_NODES = 100;

interface Layout {
  edges: Array<{ from: string; to: string; points: Point[] }>;
  boxes: Array<{ x: number; y: number }>;
  width: number;
  height: number;
}

/**
 * The DAG left to right, laid out by dagre at build time (the page needs no script). dagre
 * keys are positions, not ids, so no id from a file can collide with anything of the
 * library's; self-loops and repeated edges are dropped, and a cycle in a forged file is laid
 * out (dagre breaks it) rather than refused.
 */
function layOut(dagre: Dagre, { nodes, edges }: DagPicture): Layout {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const seen = new Set<string>();
  const known = edges.filter(([a, b]) => {
    const key = `${index.get(a)}>${index.get(b)}`;
    if (!index.has(a) || !index.has(b) || a === b || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const fast = nodes.length > FAST_LAYOUT_NODES;
  const graph = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>();
  graph.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 60, marginx: MARGIN, marginy: MARGIN, ...(fast ? { ranker: 'longest-path' as const } : {}) });
  graph.setDefaultEdgeLabel(() => ({}));
  nodes.forEach((_, i) => graph.setNode(`n${i}`, { width: BOX_W, height: BOX_H }));
  for (const [from, to] of known) graph.setEdge(`n${index.get(from)}`, `n${index.get(to)}`);
  dagre.layout(graph, fast ? { disableOptimalOrderHeuristic: true } : {});
  const size = graph.graph();
  return {
    edges: known.map(([from, to]) => ({ from, to, points: graph.edge(`n${index.get(from)}`, `n${index.get(to)}`)?.points ?? [] })),
    boxes: nodes.map((_, i) => {
      const at = graph.node(`n${i}`);
      return { x: Math.round(at.x - BOX_W / 2), y: Math.round(at.y - BOX_H / 2) };
    }),
    width: Math.ceil(size.width ?? BOX_W + 2 * MARGIN),
    height: Math.ceil(size.height ?? BOX_H + 2 * MARGIN),
  };
}

/** The laid-out DAG as inline SVG: each box links to the node's details. */
function drawDag(layout: Layout, nodes: DagPicture['nodes']): string {
  const parts: string[] = ['<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="currentColor"/></marker></defs>'];
  for (const { from, to, points } of layout.edges) {
    const d = points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    parts.push(`<path class="dag-edge" data-from="${esc(from)}" data-to="${esc(to)}" marker-end="url(#arrow)" d="${d}"/>`);
  }
  nodes.forEach((n, i) => {
    const { x, y } = layout.boxes[i]!;
    const label = n.id.length > 24 ? `${n.id.slice(0, 23)}…` : n.id;
    parts.push(`<a href="#node-${esc(slug(n.id))}" class="dag-link"><g class="dag-node s-${esc(n.status)}" data-node="${esc(n.id)}" data-status="${esc(n.status)}"><title>${esc(`${n.id}: ${n.status}`)}</title><rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="6"/><text x="${x + 8}" y="${y + 18}">${esc(label)}</text><text x="${x + 8}" y="${y + 35}">${esc(n.status.toUpperCase())}</text></g></a>`);
  });
  return `<svg class="dag" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}" role="group" aria-label="the run's DAG: ${nodes.length} nodes, ${layout.edges.length} edges">${parts.join('')}</svg>`;
}
