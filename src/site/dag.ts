import { esc, slug } from './html.js';

const BOX_W = 170;
const BOX_H = 44;
const GAP_X = 60;
const GAP_Y = 18;

/**
 * The DAG as inline SVG, left to right: a node's column is its longest path from a node with
 * no needs, rows keep the run's order. Each box links to the node's details.
 */
export function renderDag(nodes: Array<{ id: string; status: string }>, edges: Array<[string, string]>): string {
  const ids = new Set(nodes.map((n) => n.id));
  const known = edges.filter(([a, b]) => ids.has(a) && ids.has(b) && a !== b);
  const needs = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const [from, to] of known) needs.get(to)!.push(from);
  const column = new Map<string, number>();
  // Relaxed at most once per node: a forged cycle in a file cannot make this loop forever.
  for (let round = 0; round <= nodes.length; round++) {
    let changed = false;
    for (const n of nodes) {
      const c = Math.max(0, ...needs.get(n.id)!.map((d) => (column.get(d) ?? 0) + 1));
      if (c !== column.get(n.id) && c <= nodes.length) {
        column.set(n.id, c);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const rows = new Map<number, number>();
  const at = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const c = column.get(n.id) ?? 0;
    const r = rows.get(c) ?? 0;
    rows.set(c, r + 1);
    at.set(n.id, { x: 8 + c * (BOX_W + GAP_X), y: 8 + r * (BOX_H + GAP_Y) });
  }
  const width = 16 + (Math.max(0, ...column.values()) + 1) * (BOX_W + GAP_X) - GAP_X;
  const height = 16 + Math.max(1, ...rows.values()) * (BOX_H + GAP_Y) - GAP_Y;
  const parts: string[] = ['<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="currentColor"/></marker></defs>'];
  for (const [from, to] of known) {
    const a = at.get(from)!;
    const b = at.get(to)!;
    const x1 = a.x + BOX_W;
    const y1 = a.y + BOX_H / 2;
    const x2 = b.x;
    const y2 = b.y + BOX_H / 2;
    const mid = (x1 + x2) / 2;
    parts.push(`<path class="dag-edge" data-from="${esc(from)}" data-to="${esc(to)}" marker-end="url(#arrow)" d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}"/>`);
  }
  for (const n of nodes) {
    const p = at.get(n.id)!;
    const label = n.id.length > 24 ? `${n.id.slice(0, 23)}…` : n.id;
    parts.push(`<a href="#node-${esc(slug(n.id))}"><g class="dag-node s-${esc(n.status)}" data-node="${esc(n.id)}" data-status="${esc(n.status)}"><title>${esc(`${n.id}: ${n.status}`)}</title><rect x="${p.x}" y="${p.y}" width="${BOX_W}" height="${BOX_H}" rx="6"/><text x="${p.x + 8}" y="${p.y + 18}">${esc(label)}</text><text x="${p.x + 8}" y="${p.y + 35}">${esc(n.status.toUpperCase())}</text></g></a>`);
  }
  return `<svg class="dag" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="the run's DAG: ${nodes.length} nodes, ${known.length} edges">${parts.join('')}</svg>`;
}
