import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rollout, workspace } from '../helpers/cli.js';

const PLAYBOOK = `version: 1
name: evid
environments: { ci: {} }
gates:
  - { id: version, uses: exec, with: { command: [echo, "15.4"] }, observe: stdout, expect: ">= 15" }
  - { id: after, uses: exec, needs: [version], with: { command: ["true"] } }
`;

async function threeRuns(): Promise<{ dir: string; envDir: string; files: string[] }> {
  const dir = workspace({ 'rollout.yaml': PLAYBOOK });
  for (let i = 0; i < 3; i++) expect((await rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: dir })).exitCode).toBe(0);
  const envDir = join(dir, 'evidence', 'ci');
  return { dir, envDir, files: readdirSync(envDir).sort() };
}

describe('evidence', () => {
  it('is one Markdown file per run with who/when, the nodes, a Mermaid DAG, the JSON report, a chain and a digest', async () => {
    const { envDir, files } = await threeRuns();
    expect(files).toHaveLength(3);
    for (const file of files) expect(file).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-evid-check\.md$/);
    const text = readFileSync(join(envDir, files[1]!), 'utf8');
    expect(text).toContain('**Verdict: PASS** (exit 0)');
    expect(text).toMatch(/\| User \| \S+ \|/);
    expect(text).toMatch(/\| Playbook \| `.*rollout\.yaml` \(sha256 [0-9a-f]{64}\) \|/);
    expect(text).toContain('| version | exec | PASS |');
    expect(text).toContain('```mermaid\nflowchart LR');
    expect(text).toContain('n0 --> n1');
    expect(text).toContain(`| Previous evidence | \`${files[0]}\``);
    expect(text).toMatch(/<!-- rollout-digest sha256:[0-9a-f]{64} -->\n$/);
    const json = JSON.parse(text.slice(text.lastIndexOf('```json\n') + 8, text.lastIndexOf('\n```')));
    expect(json).toMatchObject({ verdict: 'pass', evidence: files[1], previous: { fileName: files[0] } });
    expect(json.nodes[0]).toMatchObject({ id: 'version', observed: '15.4', expected: '>= 15' });
  });

  it('verify passes an intact folder and file', async () => {
    const { dir, envDir, files } = await threeRuns();
    const folder = await rollout(['evidence', 'verify', 'evidence'], { cwd: dir });
    expect(folder.exitCode).toBe(0);
    expect(folder.stdout).toContain('3 evidence files checked, 0 problems');
    expect((await rollout(['evidence', 'verify', join(envDir, files[2]!)], { cwd: dir })).exitCode).toBe(0);
  });

  it('verify catches one changed character', async () => {
    const { dir, envDir, files } = await threeRuns();
    const path = join(envDir, files[1]!);
    writeFileSync(path, readFileSync(path, 'utf8').replace('| version | exec | PASS |', '| version | exec | PASs |'));
    const file = await rollout(['evidence', 'verify', path], { cwd: dir });
    expect(file.exitCode).toBe(1);
    expect(file.stdout).toContain('digest mismatch');
    const folder = await rollout(['evidence', 'verify', 'evidence'], { cwd: dir });
    expect(folder.exitCode).toBe(1);
  });

  it('verify catches a deleted file in the chain', async () => {
    const { dir, envDir, files } = await threeRuns();
    rmSync(join(envDir, files[1]!));
    const run = await rollout(['evidence', 'verify', 'evidence'], { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`FAIL ${join('evidence', 'ci', files[2]!)}: chain broken: it follows ${files[1]}`);
    rmSync(join(envDir, files[0]!));
    const first = await rollout(['evidence', 'verify', 'evidence'], { cwd: dir });
    expect(first.exitCode).toBe(1);
    expect(first.stdout).toContain('which is missing');
  });

  it('verify catches reordered files', async () => {
    const { dir, envDir, files } = await threeRuns();
    // Swap the names of the first two files: each still has a valid digest, but not its place.
    renameSync(join(envDir, files[0]!), join(envDir, 'tmp'));
    renameSync(join(envDir, files[1]!), join(envDir, files[0]!));
    renameSync(join(envDir, 'tmp'), join(envDir, files[1]!));
    const run = await rollout(['evidence', 'verify', 'evidence'], { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/renamed|chain broken/);
  });

  it('is never overwritten: runs in the same millisecond get distinct files', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const runs = await Promise.all([0, 1, 2, 3].map(() => rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: dir })));
    const names = new Set(runs.map((r) => r.json.evidence));
    expect(names.size).toBe(4);
    expect(readdirSync(join(dir, 'evidence', 'ci')).filter((f) => f.endsWith('.md'))).toHaveLength(4);
    expect(readdirSync(join(dir, 'evidence', 'ci')).filter((f) => f.includes('.tmp'))).toHaveLength(0);
  });
});
