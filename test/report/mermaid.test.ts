import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rollout, workspace } from '../helpers/cli.js';

const PLAYBOOK = `version: 1
name: mermaid
environments: { ci: {} }
gates:
  - { id: first, uses: exec, with: { command: ["true"] } }
  - id: region
    uses: exec
    needs: [first]
    matrix: { region: ['eu "west"', 'a<b>#1;&amp;\`x\`'] }
    with: { command: [echo, "\${matrix.region}"] }
`;

/**
 * The labels of a flowchart, read as Mermaid reads them: every line must be one of the forms
 * we write, a quoted label ends at the first quote, and `#name;` codes render as characters.
 */
function readFlowchart(text: string): { labels: string[]; edges: string[] } {
  const lines = text.trimEnd().split('\n');
  expect(lines[0]).toBe('flowchart LR');
  const labels: string[] = [];
  const edges: string[] = [];
  const decode: Record<string, string> = { quot: '"', lt: '<', gt: '>', amp: '&' };
  for (const line of lines.slice(1)) {
    const node = /^ {2}n\d+\["([^"]*)"\](?::::\w+)?$/.exec(line);
    const edge = /^ {2}(n\d+ --> n\d+)$/.exec(line);
    if (node) labels.push(node[1]!.replace(/#(\w+);/g, (_, code: string) => (/^\d+$/.test(code) ? String.fromCodePoint(Number(code)) : decode[code]!)));
    else if (edge) edges.push(edge[1]!);
    else expect(line, 'a line Mermaid would not read as we meant').toMatch(/^ {2}classDef \w+ [\w:#,]+$/);
  }
  return { labels, edges };
}

describe('Mermaid DAGs: one renderer for plan and evidence', () => {
  it('plan --format mermaid keeps a matrix value with a quote, markup and # inside its label', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const run = await rollout(['plan', '--env', 'ci', '--format', 'mermaid'], { cwd: dir });
    expect(run.exitCode).toBe(0);
    const chart = readFlowchart(run.stdout);
    expect(chart.labels).toEqual(['first<br/>exec', 'region[eu "west"]<br/>exec', 'region[a<b>#1;&amp;`x`]<br/>exec']);
    expect(chart.edges).toEqual(['n0 --> n1', 'n0 --> n2']);
  });

  it('the evidence DAG draws the same nodes and edges, with their statuses', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const run = await rollout(['check', '--env', 'ci', '--evidence-dir', join(dir, 'evidence')], { cwd: dir });
    expect(run.exitCode).toBe(0);
    const folder = join(dir, 'evidence', 'ci');
    const text = readFileSync(join(folder, readdirSync(folder)[0]!), 'utf8');
    const chart = readFlowchart(/```mermaid\n([\s\S]*?)```/.exec(text)![1]!);
    expect(chart.labels).toEqual(['first<br/>pass', 'region[eu "west"]<br/>pass', 'region[a<b>#1;&amp;`x`]<br/>pass']);
    expect(chart.edges).toEqual(['n0 --> n1', 'n0 --> n2']);
  });
});
