import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rollout, workspace } from '../helpers/cli.js';

const CLOCK_AHEAD = fileURLToPath(new URL('./clock-ahead.mjs', import.meta.url));

// HOLD decides how long the one gate takes: a run that waits for a file, or one that ends at once.
const PLAYBOOK = `version: 1
name: chained
environments: { ci: {} }
gates:
  - { id: hold, uses: exec, with: { command: [sh, -c, "\${env:HOLD}"] } }
`;

async function waitFor(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const previousOf = (path: string) => /\| Previous evidence \| `([^`]+)`/.exec(readFileSync(path, 'utf8'))?.[1];

describe('the evidence chain orders by write', () => {
  it('accepts overlapping runs and a runner whose clock is 60 s ahead, and still finds a deleted, reordered or edited file', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const check = (env: Record<string, string>) => rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: dir, env: { HOLD: 'true', ...env } });
    // A starts first and finishes last (a watch beside a check); B starts and finishes in between.
    const a = check({ HOLD: 'touch a-started; while [ ! -f go ]; do sleep 0.05; done' });
    await waitFor(() => existsSync(join(dir, 'a-started')));
    const b = await check({});
    expect(b.exitCode, b.stderr).toBe(0);
    writeFileSync(join(dir, 'go'), '');
    const aDone = await a;
    expect(aDone.exitCode, aDone.stderr).toBe(0);
    // C runs on a clock 60 s ahead; D, a moment later, on a right one: D's name sorts first.
    const c = await check({ NODE_OPTIONS: `--import ${CLOCK_AHEAD}`, CLOCK_AHEAD_MS: '60000' });
    expect(c.exitCode, c.stderr).toBe(0);
    const d = await check({});
    expect(d.exitCode, d.stderr).toBe(0);

    const envDir = join(dir, 'evidence', 'ci');
    const [fileA, fileB, fileC, fileD] = [aDone, b, c, d].map((run) => run.json.evidence.split('/').pop() as string);
    expect([fileA, fileB, fileD, fileC]).toEqual(readdirSync(envDir).filter((f) => f.endsWith('.md')).sort());
    // Each links to the file written before it, whatever the names say.
    expect(previousOf(join(envDir, fileB!))).toBeUndefined();
    expect(previousOf(join(envDir, fileA!))).toBe(fileB);
    expect(previousOf(join(envDir, fileC!))).toBe(fileA);
    expect(previousOf(join(envDir, fileD!))).toBe(fileC);

    const intact = await rollout(['evidence', 'verify', 'evidence'], { cwd: dir });
    expect(intact.stdout).toContain('4 evidence files checked, 0 problems');
    expect(intact.exitCode).toBe(0);

    // Edited: one character in A.
    const pathA = join(envDir, fileA!);
    const original = readFileSync(pathA, 'utf8');
    writeFileSync(pathA, original.replace('**Verdict: PASS**', '**Verdict: PASs**'));
    const edited = await rollout(['evidence', 'verify', 'evidence'], { cwd: dir });
    expect(edited.exitCode).toBe(1);
    expect(edited.stdout).toContain(`FAIL ${join('evidence', 'ci', fileA!)}: digest mismatch`);
    expect(edited.stdout).toContain(`FAIL ${join('evidence', 'ci', fileC!)}: chain broken: ${fileA} changed since`);
    writeFileSync(pathA, original);

    // Reordered: C and D swap names; each still has a valid digest, but not its name.
    renameSync(join(envDir, fileC!), join(envDir, 'swap'));
    renameSync(join(envDir, fileD!), join(envDir, fileC!));
    renameSync(join(envDir, 'swap'), join(envDir, fileD!));
    const reordered = await rollout(['evidence', 'verify', 'evidence'], { cwd: dir });
    expect(reordered.exitCode).toBe(1);
    expect(reordered.stdout).toContain('the file was renamed');
    renameSync(join(envDir, fileC!), join(envDir, 'swap'));
    renameSync(join(envDir, fileD!), join(envDir, fileC!));
    renameSync(join(envDir, 'swap'), join(envDir, fileD!));
    expect((await rollout(['evidence', 'verify', 'evidence'], { cwd: dir })).exitCode).toBe(0);

    // Deleted: A, in the middle of the chain.
    rmSync(pathA);
    const deleted = await rollout(['evidence', 'verify', 'evidence'], { cwd: dir });
    expect(deleted.exitCode).toBe(1);
    expect(deleted.stdout).toContain(`FAIL ${join('evidence', 'ci', fileC!)}: chain broken: it follows ${fileA}, which is missing`);
  });

  it('finds a fork: two files that follow the same one', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const check = () => rollout(['check', '--env', 'ci'], { cwd: dir, env: { HOLD: 'true' } });
    expect((await check()).exitCode).toBe(0);
    expect((await check()).exitCode).toBe(0);
    const envDir = join(dir, 'evidence', 'ci');
    const [first, second] = readdirSync(envDir).sort();
    // Hide the second file while a third run writes: the third links to the first too.
    renameSync(join(envDir, second!), join(dir, 'aside.md'));
    expect((await check()).exitCode).toBe(0);
    renameSync(join(dir, 'aside.md'), join(envDir, second!));
    const third = readdirSync(envDir).sort()[2]!;
    expect(previousOf(join(envDir, third))).toBe(first);
    const verify = await rollout(['evidence', 'verify', 'evidence'], { cwd: dir });
    expect(verify.exitCode).toBe(1);
    expect(verify.stdout).toContain(`FAIL ${join('evidence', 'ci', third)}: chain broken: it and ${second} both follow ${first} (a fork)`);
  });

  it('belongs to one playbook: api and api-rollback-drill keep separate chains', async () => {
    const api = PLAYBOOK.replace('name: chained', 'name: api');
    const drill = PLAYBOOK.replace('name: chained', 'name: api-rollback-drill');
    const dir = workspace({ 'rollout.yaml': api, 'drill.yaml': drill });
    const run = async (file: string) => {
      const done = await rollout(['check', '-p', file, '--env', 'ci', '--reporter', 'json'], { cwd: dir, env: { HOLD: 'true' } });
      expect(done.exitCode, done.stderr).toBe(0);
      return done.json.evidence as string;
    };
    const api1 = await run('rollout.yaml');
    const drill1 = await run('drill.yaml');
    const api2 = await run('rollout.yaml');
    const drill2 = await run('drill.yaml');
    const name = (path: string) => path.split('/').pop();
    expect(previousOf(join(dir, api2))).toBe(name(api1));
    expect(previousOf(join(dir, drill1))).toBeUndefined();
    expect(previousOf(join(dir, drill2))).toBe(name(drill1));
    const verify = await rollout(['evidence', 'verify', 'evidence'], { cwd: dir });
    expect(verify.stdout).toContain('4 evidence files checked, 0 problems');
  });

  it('serialises concurrent writers: eight runs finishing together make one linear chain', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const runs = await Promise.all(Array.from({ length: 8 }, () => rollout(['check', '--env', 'ci'], { cwd: dir, env: { HOLD: 'true' } })));
    for (const run of runs) expect(run.exitCode, run.stderr).toBe(0);
    const envDir = join(dir, 'evidence', 'ci');
    const files = readdirSync(envDir).filter((f) => f.endsWith('.md'));
    expect(files).toHaveLength(8);
    const predecessors = files.map((f) => previousOf(join(envDir, f)) ?? 'none');
    expect(new Set(predecessors).size).toBe(8);
    const verify = await rollout(['evidence', 'verify', 'evidence'], { cwd: dir });
    expect(verify.stdout).toContain('8 evidence files checked, 0 problems');
    expect(readdirSync(envDir).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});
