import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { githubAnnotations } from '../../src/session/ci-sink.js';
import { rollout, workspace } from '../helpers/cli.js';

const PLAYBOOK = `version: 1
name: ci-summary
environments: { ci: {} }
gates:
  - id: smoke
    uses: exec
    with: { command: [sh, -c, "exit 0"] }
  - id: migrations-done
    uses: exec
    with: { command: [sh, -c, "echo 'pending: 3 migrations'; exit 3"] }
`;

const github = (summary: string) => ({ GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });

describe('GitHub Actions', () => {
  it('check appends the verdict, why it failed and the evidence path to $GITHUB_STEP_SUMMARY', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const summary = join(mkdtempSync(join(tmpdir(), 'rollout-gh-')), 'summary.md');
    const run = await rollout(['check', '--env', 'ci'], { cwd: dir, env: github(summary) });
    expect(run.exitCode).toBe(1);
    const text = readFileSync(summary, 'utf8');
    expect(text).toContain('## rollout check --env ci: FAIL');
    expect(text).toMatch(/## Why it failed\n\n- \*\*migrations-done\*\* FAIL: /);
    expect(text).not.toMatch(/- \*\*smoke\*\*/);
    expect(text).toMatch(/evidence `[^`]*evidence\/ci\/[^`]*-ci-summary-check\.md`/);
    // A second run appends below the first: the step summary is shared by the job.
    await rollout(['check', '--env', 'ci'], { cwd: dir, env: github(summary) });
    expect(readFileSync(summary, 'utf8').match(/## rollout check --env ci: FAIL/g)).toHaveLength(2);
  });

  it('without GITHUB_ACTIONS no summary is written', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const summary = join(mkdtempSync(join(tmpdir(), 'rollout-gh-')), 'summary.md');
    await rollout(['check', '--env', 'ci'], { cwd: dir, env: { GITHUB_ACTIONS: undefined, GITHUB_STEP_SUMMARY: summary } });
    expect(existsSync(summary)).toBe(false);
  });

  it('an invalid playbook prints ::error file=,line=,col= for each problem (check and validate)', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK.replace('    uses: exec\n    with: { command: [sh, -c, "exit 0"] }', '    uses: exce\n    with: { command: [sh, -c, "exit 0"] }') });
    const summary = join(mkdtempSync(join(tmpdir(), 'rollout-gh-')), 'summary.md');
    for (const args of [['check', '--env', 'ci'], ['validate']]) {
      const run = await rollout(args, { cwd: dir, env: github(summary) });
      expect(run.exitCode).toBe(2);
      expect(run.stdout).toMatch(/^::error file=rollout\.yaml,line=6,col=\d+::.*exce.*$/m);
    }
    const plain = await rollout(['validate'], { cwd: dir, env: { GITHUB_ACTIONS: undefined } });
    expect(plain.stdout).not.toContain('::error');
  });

  it('escapes what GitHub would read as the end of a property or a new command', () => {
    expect(githubAnnotations(['dir,a/rollout.yaml:3:7: gates[0]: 100% wrong\n  hint: use exec'])).toEqual(['::error file=dir%2Ca/rollout.yaml,line=3,col=7::gates[0]: 100%25 wrong%0Ahint: use exec']);
    expect(githubAnnotations(['no place here'])).toEqual(['::error::no place here']);
  });
});

describe('GitLab CI', () => {
  it('the JUnit report names the evidence file on the suite and in every testcase, for the test report to link', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const run = await rollout(['check', '--env', 'ci', '--output', 'junit.xml'], { cwd: dir, env: { GITLAB_CI: 'true' } });
    expect(run.exitCode).toBe(1);
    const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
    const evidence = /<property name="evidence" value="([^"]+)"\/>/.exec(xml)?.[1];
    expect(evidence).toMatch(/evidence\/ci\/.*-ci-summary-check\.md$/);
    expect(existsSync(resolve(dir, evidence!))).toBe(true);
    expect(xml.match(new RegExp(`\\[\\[ATTACHMENT\\|${evidence!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]\\]`, 'g'))).toHaveLength(2);
  });

  it('each JUnit testcase names the node\'s playbook file (relative to the project, as GitLab links it) and line', async () => {
    const project = mkdtempSync(join(tmpdir(), 'rollout-gitlab-'));
    mkdirSync(join(project, 'playbooks'));
    writeFileSync(join(project, 'playbooks', 'summary.yaml'), PLAYBOOK);
    const elsewhere = mkdtempSync(join(tmpdir(), 'rollout-gitlab-cwd-'));
    const run = await rollout(['check', '--env', 'ci', '-p', join(project, 'playbooks', 'summary.yaml'), '--output', join(elsewhere, 'junit.xml'), '--evidence-dir', join(elsewhere, 'evidence')], { cwd: elsewhere, env: { GITLAB_CI: 'true', CI_PROJECT_DIR: project } });
    expect(run.exitCode, run.stderr).toBe(1);
    const xml = readFileSync(join(elsewhere, 'junit.xml'), 'utf8');
    const cases = [...xml.matchAll(/<testcase [^>]*name="([^:"]+):[^"]*" file="([^"]+)" line="(\d+)"/g)].map((m) => [m[1], m[2], m[3]]);
    expect(cases).toEqual([['smoke', 'playbooks/summary.yaml', '5'], ['migrations-done', 'playbooks/summary.yaml', '8']]);
    expect(xml).toContain('defined at playbooks/summary.yaml:8:5');

    // On stdout too, and outside GitLab: the attribute is harmless to other readers.
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const stdout = await rollout(['check', '--env', 'ci', '--reporter', 'junit'], { cwd: dir, env: { GITLAB_CI: undefined, CI_PROJECT_DIR: undefined } });
    expect(stdout.exitCode, stdout.stderr).toBe(1);
    expect(stdout.stdout).toMatch(/<testcase [^>]*name="smoke: [^"]*" file="rollout\.yaml" line="5"/);
  });
});
