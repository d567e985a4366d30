import { describe, expect, it } from 'vitest';
import { loadDagRenderer } from '../../src/site/dag.js';

interface Box { id: string; status: string; x: number; y: number }

function boxesOf(svg: string): Box[] {
  return [...svg.matchAll(/data-node="([^"]+)" data-status="([^"]+)"><title>[^<]*<\/title><rect x="(-?\d+)" y="(-?\d+)" width="170" height="44"/g)].map((m) => ({ id: m[1]!, status: m[2]!, x: Number(m[3]), y: Number(m[4]) }));
}

function overlapping(boxes: Box[]): string[] {
  const found: string[] = [];
  for (const [i, a] of boxes.entries()) for (const b of boxes.slice(i + 1)) if (!(a.x + 170 <= b.x || b.x + 170 <= a.x || a.y + 44 <= b.y || b.y + 44 <= a.y)) found.push(`${a.id}/${b.id}`);
  return found;
}

/** levels × width nodes; each needs three of the level before it (fan-in 3, fan-out 3). */
function grid(levels: number, width: number) {
  const nodes: Array<{ id: string; status: string }> = [];
  const edges: Array<[string, string]> = [];
  for (let l = 0; l < levels; l++) {
    for (let i = 0; i < width; i++) {
      nodes.push({ id: `n${l}-${i}`, status: 'pass' });
      if (l) for (const d of [0, 1, 7]) edges.push([`n${l - 1}-${(i + d) % width}`, `n${l}-${i}`]);
    }
  }
  return { nodes, edges };
}

describe('the DAG drawn by dagre', () => {
  it('a large DAG (the fast layout) keeps every node, every edge and every box apart, left to right', async () => {
    const draw = await loadDagRenderer();
    const picture = grid(12, 15);
    const svg = draw(picture);
    const boxes = boxesOf(svg);
    expect(boxes).toHaveLength(180);
    expect(overlapping(boxes)).toEqual([]);
    expect(svg.match(/class="dag-edge"/g)).toHaveLength(picture.edges.length);
    const x = new Map(boxes.map((b) => [b.id, b.x]));
    for (const [from, to] of picture.edges) expect(x.get(to)!).toBeGreaterThan(x.get(from)! + 170);
  });

  it('runs of the same DAG keep their boxes in place; only the statuses differ', async () => {
    const draw = await loadDagRenderer();
    const picture = grid(3, 4);
    const first = boxesOf(draw(picture));
    const second = boxesOf(draw({ ...picture, nodes: picture.nodes.map((n, i) => ({ ...n, status: i % 2 ? 'fail' : 'pass' })) }));
    expect(second.map(({ id, x, y }) => ({ id, x, y }))).toEqual(first.map(({ id, x, y }) => ({ id, x, y })));
    expect(second.filter((b) => b.status === 'fail')).toHaveLength(6);
  });

  it('a forged file (a cycle, a self-loop, edges to unknown nodes, odd ids) is drawn, not refused', async () => {
    const draw = await loadDagRenderer();
    const nodes = ['__proto__', 'constructor', 'a<b>', 'c'].map((id) => ({ id, status: 'pass' }));
    const svg = draw({ nodes, edges: [['__proto__', 'constructor'], ['constructor', '__proto__'], ['c', 'c'], ['ghost', 'c'], ['a<b>', 'c'], ['a<b>', 'c']] });
    const boxes = boxesOf(svg);
    expect(boxes.map((b) => b.id)).toEqual(['__proto__', 'constructor', 'a&lt;b&gt;', 'c']);
    expect(overlapping(boxes)).toEqual([]);
    expect(svg.match(/class="dag-edge"/g)).toHaveLength(3);
    expect(svg).not.toContain('<b>');
  });
});
