import { describe, expect, it } from 'vitest';
import { reporters } from '../../src/report/reporters.js';
import { rollout, workspace } from '../helpers/cli.js';
import { runResult } from './fixture.js';

const PLAYBOOK = `version: 1
name: edges
environments: { staging: {} }
gates:
  - { id: db, uses: exec, with: { command: ["true"] } }
  - { id: cache, uses: exec, with: { command: ["true"] } }
  - { id: api, uses: exec, needs: [db, cache], with: { command: ["true"] } }
  - { id: smoke, uses: exec, needs: [api], with: { command: ["true"] } }
`;

const WATCHED = `version: 1
name: watched
environments: { staging: {} }
rollback:
  triggers:
    - { id: probe, uses: exec, with: { command: ["true"] } }
    - { id: follow, uses: exec, needs: [probe], with: { command: ["true"] } }
  steps:
    - { id: undo, uses: exec, with: { command: ["true"] } }
`;

describe('the JSON report carries the DAG', () => {
  it('each node lists its needs, so a reader gets the edges without parsing the Mermaid picture', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const run = await rollout(['check', '--env', 'staging', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(Object.fromEntries(run.json.nodes.map((n: { id: string; needs: string[] }) => [n.id, n.needs]))).toEqual({ db: [], cache: [], api: ['db', 'cache'], smoke: ['api'] });
    // Positions cost a positioned parse: only the JUnit report asks for them.
    expect(run.json.nodes.some((n: object) => 'source' in n)).toBe(false);
  });

  it('a watch\'s triggers list their needs too', async () => {
    const dir = workspace({ 'rollout.yaml': WATCHED });
    const run = await rollout(['watch', '--env', 'staging', '--duration', '1s', '--interval', '1s', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.json.nodes.map((n: { id: string; needs: string[] }) => [n.id, n.needs])).toEqual([['probe', []], ['follow', ['probe']]]);
  });

  it('a node without needs says so with an empty list, never by leaving the key out', () => {
    const report = JSON.parse(reporters.json(runResult([{ id: 'alone' }, { id: 'after', needs: ['alone'] }])));
    expect(report.nodes.map((n: { needs: string[] }) => n.needs)).toEqual([[], ['alone']]);
  });
});
