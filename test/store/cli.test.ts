import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rollout, workspace } from '../helpers/cli.js';
import { bareRepository, cacheHome, workClone } from './git-repo.js';

const CHECK_PLAYBOOK = `version: 1
name: api
environments: { ci: {} }
gates:
  - { id: hold, uses: exec, with: { command: [sh, -c, "\${env:HOLD}"] } }
`;

async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The evidence files on the branch, and its commits oldest first. */
function branchState(repo: ReturnType<typeof bareRepository>, branch = 'evidence') {
  const files = repo.git('ls-tree', '-r', '--name-only', branch).trim().split('\n').filter(Boolean);
  const commits = repo.git('rev-list', '--reverse', '--parents', branch).trim().split('\n');
  return { files, commits };
}

describe('a git evidence store shared by machines', () => {
  it('takes 8 concurrent checks of one (playbook, env): 8 files, one commit each, one linear chain that verifies', async () => {
    const repo = bareRepository();
    const caches = [cacheHome(), cacheHome(), cacheHome(), cacheHome()];
    const dirs = Array.from({ length: 8 }, () => workspace({ 'rollout.yaml': CHECK_PLAYBOOK }));
    // Four machines, two jobs each sharing a machine's cache: both kinds of race.
    const runs = await Promise.all(dirs.map((cwd, i) => rollout(['check', '--env', 'ci', '--reporter', 'json', '--evidence-store', repo.spec], { cwd, env: { HOLD: 'true', XDG_CACHE_HOME: caches[i % 4] } })));
    for (const run of runs) expect(run.exitCode, run.stderr).toBe(0);
    const { files, commits } = branchState(repo);
    expect(files).toHaveLength(8);
    expect(new Set(runs.map((r) => r.json.evidence.replace(/^.*:/, '')))).toEqual(new Set(files));
    // Linear: each commit has exactly the one before it as parent.
    expect(commits).toHaveLength(8);
    commits.forEach((line, i) => expect(line.split(' ').slice(1)).toEqual(i ? [commits[i - 1]!.split(' ')[0]] : []));
    expect(repo.git('log', '-1', '--format=%s', 'evidence')).toMatch(/^Verdict: PASS \(exit 0\) — api check --env ci\n$/);
    for (const dir of dirs) expect(existsSync(join(dir, 'evidence')) || existsSync(join(dir, '.rollout'))).toBe(false);

    const verified = await rollout(['evidence', 'verify', '--evidence-store', repo.spec], { cwd: dirs[0]!, env: { XDG_CACHE_HOME: cacheHome() } });
    expect(verified.stdout).toContain('8 evidence files checked, 0 problems');
    expect(verified.exitCode).toBe(0);
  }, 120_000);

  it('lets a production job see the staging job’s evidence (evidence.recent) from another working directory', async () => {
    const repo = bareRepository();
    const playbook = `version: 1
name: payments
environments: { staging: {}, production: {} }
gates:
  - { id: smoke, uses: exec, with: { command: ["true"] }, environments: [staging] }
  - { id: rehearsed, uses: evidence.recent, with: { command: check, env: staging, maxAge: 7d }, environments: [production] }
`;
    const stagingJob = workspace({ 'rollout.yaml': playbook });
    const productionJob = workspace({ 'rollout.yaml': playbook });
    const gate = () => rollout(['check', '--env', 'production', '--reporter', 'json'], { cwd: productionJob, env: { ROLLOUT_EVIDENCE_STORE: repo.spec, XDG_CACHE_HOME: cacheHome() } });
    const before = await gate();
    expect(before.exitCode).toBe(1);
    expect(before.json.nodes.find((n: { id: string }) => n.id === 'rehearsed')).toMatchObject({ id: 'rehearsed', status: 'fail' });
    const staged = await rollout(['check', '--env', 'staging'], { cwd: stagingJob, env: { ROLLOUT_EVIDENCE_STORE: repo.spec, XDG_CACHE_HOME: cacheHome() } });
    expect(staged.exitCode, staged.stderr).toBe(0);
    const after = await gate();
    expect(after.exitCode, after.stderr).toBe(0);
    expect(after.json.nodes.find((n: { id: string }) => n.id === 'rehearsed')).toMatchObject({ id: 'rehearsed', status: 'pass' });
    expect(branchState(repo).files).toEqual([expect.stringMatching(/^production\/.*-payments-check\.md$/), expect.stringMatching(/^production\/.*-payments-check\.md$/), expect.stringMatching(/^staging\/.*-payments-check\.md$/)]);
  }, 60_000);

  it("reads ${nodes.X} of a promote run elsewhere: on-call's rollback --dry-run in a third directory shows the image to restore", async () => {
    const repo = bareRepository();
    const playbook = `version: 1
name: shop
environments: { production: { evidenceStore: "${repo.spec}" } }
stages:
  - id: release
    steps:
      - { id: current-image, uses: exec, with: { command: [sh, -c, "echo registry.example/shop:1.4.2"] }, mutates: false }
      - { id: deploy, uses: exec, with: { command: ["true"] }, needs: [current-image] }
rollback:
  steps:
    - { id: restore-image, uses: exec, with: { command: [echo, "restore \${nodes.current-image.outputs.stdout}"] }, ifPassed: [deploy] }
`;
    const ciJob = workspace({ 'rollout.yaml': playbook });
    const laptop = workspace({ 'rollout.yaml': playbook });
    const promoted = await rollout(['promote', '--env', 'production', '--yes'], { cwd: ciJob, env: { XDG_CACHE_HOME: cacheHome() } });
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    const dry = await rollout(['rollback', '--env', 'production', '--dry-run', '--reporter', 'json'], { cwd: laptop, env: { XDG_CACHE_HOME: cacheHome() } });
    expect(dry.exitCode, dry.stderr).toBe(0);
    const restore = dry.json.nodes.find((n: { id: string }) => n.id === 'restore-image');
    expect(restore.status).toBe('dry-run');
    expect(restore.params.command).toEqual(['echo', 'restore registry.example/shop:1.4.2']);
    expect(existsSync(join(laptop, 'evidence'))).toBe(false);
  }, 60_000);

  it('keeps the evidence in the spool when the repository goes away mid-run; `evidence push` uploads it later, re-linked', async () => {
    const repo = bareRepository();
    const jobA = workspace({ 'rollout.yaml': CHECK_PLAYBOOK });
    const jobB = workspace({ 'rollout.yaml': CHECK_PLAYBOOK });
    const env = (extra: Record<string, string> = {}) => ({ ROLLOUT_EVIDENCE_STORE: repo.spec, XDG_CACHE_HOME: cacheHome(), HOLD: 'true', ...extra });
    expect((await rollout(['check', '--env', 'ci'], { cwd: jobA, env: env() })).exitCode).toBe(0);

    const running = rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: jobA, env: env({ HOLD: 'touch started; while [ ! -f go ]; do sleep 0.05; done' }) });
    await waitFor(() => existsSync(join(jobA, 'started')));
    const away = `${repo.path}.away`;
    renameSync(repo.path, away);
    writeFileSync(join(jobA, 'go'), '');
    const spooledRun = await running;
    // The verdict and exit code stand; the file is kept and named, loudly.
    expect(spooledRun.exitCode, spooledRun.stderr).toBe(0);
    expect(spooledRun.json.verdict).toBe('pass');
    const spoolDir = join(jobA, '.rollout', 'spool', 'ci');
    const spooled = readdirSync(spoolDir);
    expect(spooled).toEqual([expect.stringMatching(/-api-check\.md$/)]);
    expect(spooledRun.stderr).toContain(`error: the evidence could not be written to ${repo.spec}`);
    expect(spooledRun.stderr).toContain(`kept in the spool: ${join(spoolDir, spooled[0]!)}`);

    const unreachable = await rollout(['evidence', 'push'], { cwd: jobA, env: env() });
    expect(unreachable.exitCode).toBe(1);
    expect(readdirSync(spoolDir)).toEqual(spooled);

    renameSync(away, repo.path);
    // Meanwhile another job writes: the spooled file must follow it, not fork the chain.
    expect((await rollout(['check', '--env', 'ci'], { cwd: jobB, env: env() })).exitCode).toBe(0);
    const pushed = await rollout(['evidence', 'push'], { cwd: jobA, env: env() });
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    expect(pushed.stdout).toContain(`1 spooled file pushed to ${repo.spec}`);
    expect(readdirSync(spoolDir)).toEqual([]);
    expect(branchState(repo).files).toHaveLength(3);
    const newest = repo.git('log', '-1', '--name-only', '--format=', 'evidence').trim();
    expect(newest).toBe(`ci/${spooled[0]}`);
    const verified = await rollout(['evidence', 'verify'], { cwd: jobB, env: env() });
    expect(verified.stdout).toContain('3 evidence files checked, 0 problems');
  }, 60_000);

  it('catches a committed file edited, and a history rewritten to drop a file', async () => {
    const repo = bareRepository();
    const dir = workspace({ 'rollout.yaml': CHECK_PLAYBOOK });
    const writerCache = cacheHome();
    const env = { ROLLOUT_EVIDENCE_STORE: repo.spec, XDG_CACHE_HOME: writerCache, HOLD: 'true' };
    for (let i = 0; i < 3; i++) expect((await rollout(['check', '--env', 'ci'], { cwd: dir, env })).exitCode).toBe(0);
    expect((await rollout(['evidence', 'verify'], { cwd: dir, env })).exitCode).toBe(0);
    const [first, second, third] = branchState(repo).files;

    // History rewritten: the middle file dropped from every commit, force-pushed.
    const clone = workClone(repo.path, 'evidence');
    clone.git('filter-branch', '-f', '--index-filter', `git rm --cached --quiet --ignore-unmatch ${second}`, 'HEAD');
    clone.git('push', '--quiet', '--force', 'origin', 'HEAD:evidence');
    expect(branchState(repo).files).toEqual([first, third]);
    const fresh = await rollout(['evidence', 'verify'], { cwd: dir, env: { ...env, XDG_CACHE_HOME: cacheHome() } });
    expect(fresh.exitCode).toBe(1);
    expect(fresh.stdout).toContain(`FAIL ${repo.spec}:${third}: chain broken: it follows ${second!.split('/')[1]}, which is missing`);
    // The machine that saw the branch before also says the history changed under it.
    const seen = await rollout(['evidence', 'verify'], { cwd: dir, env });
    expect(seen.exitCode).toBe(1);
    expect(seen.stdout).toMatch(new RegExp(`FAIL ${repo.spec.replace(/[.+]/g, '\\$&')}: the history of evidence was rewritten`));

    // A committed file edited by hand, in a new commit.
    const edit = workClone(repo.path, 'evidence');
    const path = join(edit.dir, first!);
    writeFileSync(path, readFileSync(path, 'utf8').replace('**Verdict: PASS**', '**Verdict: PASS** '));
    edit.git('commit', '--quiet', '-am', 'touch up');
    edit.git('push', '--quiet', 'origin', 'HEAD:evidence');
    const edited = await rollout(['evidence', 'verify', '--evidence-store', repo.spec], { cwd: dir, env: { XDG_CACHE_HOME: cacheHome() } });
    expect(edited.exitCode).toBe(1);
    expect(edited.stdout).toContain(`FAIL ${repo.spec}:${first}: digest mismatch: the file was changed after it was written`);
  }, 60_000);
});

describe('choosing the evidence store', () => {
  it('--evidence-store > --evidence-dir > ROLLOUT_EVIDENCE_STORE > the environment’s evidenceStore: > file:./evidence', async () => {
    const playbook = (store?: string) => `version: 1
name: api
environments: { ci: { ${store ? `evidenceStore: "${store}"` : ''} } }
gates:
  - { id: ok, uses: exec, with: { command: ["true"] } }
`;
    const dir = workspace({ 'rollout.yaml': playbook('file:from-playbook') });
    const bare = workspace({ 'rollout.yaml': playbook() });
    const where = async (cwd: string, args: string[], env: Record<string, string> = {}) => {
      const run = await rollout(['check', '--env', 'ci', '--reporter', 'json', ...args], { cwd, env });
      expect(run.exitCode, run.stderr).toBe(0);
      return run.json.evidence.replace(`${cwd}/`, '').replace(/\/ci\/.*$/, '');
    };
    expect(await where(bare, [])).toBe('evidence');
    expect(await where(dir, [])).toBe('from-playbook');
    expect(await where(dir, [], { ROLLOUT_EVIDENCE_STORE: `file:${join(dir, 'from-env')}` })).toBe('from-env');
    expect(await where(dir, ['--evidence-dir', 'from-dir-flag'], { ROLLOUT_EVIDENCE_STORE: `file:${join(dir, 'from-env')}` })).toBe(`${dir}/from-dir-flag`.replace(`${dir}/`, ''));
    expect(await where(dir, ['--evidence-store', `file:${join(dir, 'from-store-flag')}`, '--evidence-dir', 'from-dir-flag'])).toBe('from-store-flag');
  }, 60_000);

  it('refuses a bad evidenceStore: in the playbook with file:line:col, and a bad --evidence-store, exit 2', async () => {
    const dir = workspace({
      'rollout.yaml': `version: 1
name: api
environments:
  ci:
    evidenceStore: "s3://bucket/evidence"
  prod:
    evidenceStore: "git+ssh://git@example.com/evidence.git"
gates:
  - { id: ok, uses: exec, with: { command: ["true"] } }
`,
    });
    const validated = await rollout(['validate'], { cwd: dir });
    expect(validated.exitCode).toBe(2);
    expect(validated.stderr + validated.stdout).toMatch(/rollout\.yaml:5:\d+.*unknown evidence store "s3:"/);
    expect(validated.stderr + validated.stdout).toMatch(/rollout\.yaml:7:\d+.*name the branch after #/);
    const flagged = await rollout(['check', '--env', 'ci', '--evidence-store', 'git+https://user:hunter2@example.com/e.git'], { cwd: workspace({ 'rollout.yaml': 'version: 1\nname: api\nenvironments: { ci: {} }\ngates:\n  - { id: ok, uses: exec, with: { command: ["true"] } }\n' }) });
    expect(flagged.exitCode).toBe(2);
    expect(flagged.stderr).toContain('--evidence-store: git+https://user:***@example.com/e.git: name the branch after #');
    expect(flagged.stderr).not.toContain('hunter2');
  }, 60_000);
});

