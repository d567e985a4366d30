import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { convertRunbook } from '../../src/runbook/index.js';
import { CLI, rollout } from '../helpers/cli.js';

const RUNBOOKS = fileURLToPath(new URL('../../fixtures/runbooks/', import.meta.url));
const seeds = readdirSync(RUNBOOKS).filter((f) => f.endsWith('.md')).sort();
const tempDir = () => mkdtempSync(join(tmpdir(), 'rollout-adopt-'));

const EXEC_PLAYBOOK = `version: 1
name: found
environments:
  staging: {}
  production: {}
gates:
  - { id: ok, uses: exec, with: { command: ["true"] } }
`;

describe('rollout import runbook', () => {
  it.each(seeds)('%s: the playbook printed validates, with one node per checklist item', async (name) => {
    const dir = tempDir();
    const imported = await rollout(['import', 'runbook', join(RUNBOOKS, name)], { cwd: dir });
    expect(imported.exitCode, imported.stderr).toBe(0);
    const summary = /(\d+) checklist items → (\d+) automated checks, (\d+) sign-offs/.exec(imported.stderr);
    expect(summary, imported.stderr).not.toBeNull();
    writeFileSync(join(dir, 'rollout.yaml'), imported.stdout);
    const valid = await rollout(['validate'], { cwd: dir });
    expect(valid.exitCode, valid.stderr).toBe(0);
    // validate counts the nodes it accepted: all of them, gates + steps + verify + rollback steps and verify.
    const playbook = parse(imported.stdout);
    const nodes = [...(playbook.gates ?? []), ...(playbook.stages ?? []).flatMap((s: any) => [...(s.steps ?? []), ...(s.verify ?? [])]), ...(playbook.rollback?.steps ?? []), ...(playbook.rollback?.verify ?? [])];
    // The procedure blocks' nodes are counted apart from the checklist items: "; 14 procedure steps in 3 stages, 6 rollback steps, 6 verify checks".
    const procedure = /; (\d+) procedure steps? in (\d+) stages?, (\d+) rollback steps?, (\d+) verify checks?/.exec(imported.stderr);
    const fromBlocks = procedure ? Number(procedure[1]) + Number(procedure[3]) + Number(procedure[4]) : 0;
    expect(nodes).toHaveLength(Number(summary![1]) + fromBlocks);
    const triggers = playbook.rollback?.triggers ?? [];
    expect(valid.stdout).toContain(`, ${nodes.length + triggers.length} nodes (`);
    expect(valid.stdout).toContain(`, ${triggers.length} triggers)`);
    // At least a third of the items are machine checks, as the summary says and the YAML shows.
    expect(Number(summary![2]) * 3, imported.stderr).toBeGreaterThanOrEqual(Number(summary![1]));
    const checklist = new Set(Object.keys(convertRunbook(readFileSync(join(RUNBOOKS, name), 'utf8')).kinds));
    expect(nodes.filter((n: any) => checklist.has(n.id))).toHaveLength(Number(summary![1]));
    expect(nodes.filter((n: any) => checklist.has(n.id) && n.uses !== 'approval')).toHaveLength(Number(summary![2]));
    if (triggers.length) expect(imported.stderr).toContain(`, ${triggers.length} rollback triggers`);
  });

  it('the triggers made from a runbook fail closed: until their placeholders are filled in they are errors, never quiet', async () => {
    const dir = tempDir();
    const imported = await rollout(['import', 'runbook', join(RUNBOOKS, seeds[2]!)], { cwd: dir });
    const harness = inject('prometheus');
    writeFileSync(join(dir, 'rollout.yaml'), imported.stdout.replace('url: "http://127.0.0.1:9090"', `url: "${harness.liveUrl}"`));
    const watched = await rollout(['watch', '--env', 'production', '--duration', '1s', '--interval', '1s', '--reporter', 'json', '-o', 'watch.json'], { cwd: dir });
    expect(watched.exitCode, watched.stderr).toBe(3);
    const report = JSON.parse(readFileSync(join(dir, 'watch.json'), 'utf8'));
    expect(report.nodes.map((n: any) => [n.id, n.status])).toEqual(parse(imported.stdout).rollback.triggers.map((t: any) => [t.id, 'error']));
  });

  it('a placeholder never lets a node pass: run before it is filled in, every machine check fails', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'go-live.md'), '# Go live\n## Checklist\n- [ ] Final pre-launch backup complete.\n- [ ] SBOM has been generated.\n- [ ] Pre-prod promotion gate\n');
    const imported = await rollout(['import', 'runbook', 'go-live.md', '--write', 'rollout.yaml'], { cwd: dir });
    expect(imported.stderr).toContain('3 checklist items → 3 automated checks');
    const run = await rollout(['check', '--env', 'production', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(1);
    expect(Object.fromEntries(run.json.nodes.map((n: any) => [n.kind, n.status]))).toEqual({ 'backup.fresh': 'fail', file: 'fail', 'evidence.recent': 'fail' });
  });

  it('--write writes the file and never overwrites it; a file with no items is refused', async () => {
    const dir = tempDir();
    const source = join(RUNBOOKS, seeds[2]!);
    const first = await rollout(['import', 'checklist', source, '--write', 'pb.yaml'], { cwd: dir });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toBe('');
    const written = readFileSync(join(dir, 'pb.yaml'), 'utf8');
    const again = await rollout(['import', 'runbook', source, '--write', 'pb.yaml'], { cwd: dir });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('does not overwrite');
    expect(readFileSync(join(dir, 'pb.yaml'), 'utf8')).toBe(written);
    writeFileSync(join(dir, 'notes.md'), '# Notes\n\nNo checklist here.\n');
    const empty = await rollout(['import', 'runbook', 'notes.md'], { cwd: dir });
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toContain('no checklist items');
  });
});

describe('rollout init', () => {
  const combinations = [[], ['postgres'], ['prometheus'], ['kubernetes'], ['kubernetes', 'prometheus', 'postgres']];
  it.each(combinations.map((c) => [c.join(',') || 'no systems', c] as const))('with %s: a starter that validates, one environment per --env', async (_label, systems) => {
    const dir = tempDir();
    const init = await rollout(['init', ...(systems.length ? ['--with', systems.join(',')] : []), '--env', 'staging,production,dr'], { cwd: dir });
    expect(init.exitCode, init.stderr).toBe(0);
    const text = readFileSync(join(dir, 'rollout.yaml'), 'utf8');
    for (const system of systems) expect(text).toContain(`    ${system}: {`);
    const valid = await rollout(['validate'], { cwd: dir });
    expect(valid.exitCode, valid.stderr).toBe(0);
    expect(valid.stdout).toContain('environments: staging, production, dr');
  });

  it('refuses to overwrite an existing playbook', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'rollout.yaml'), 'mine\n');
    const init = await rollout(['init'], { cwd: dir });
    expect(init.exitCode).toBe(2);
    expect(init.stderr).toContain('does not overwrite');
    expect(readFileSync(join(dir, 'rollout.yaml'), 'utf8')).toBe('mine\n');
  });

  it('--from converts a Markdown runbook into rollout.yaml, which validates', async () => {
    const dir = tempDir();
    const init = await rollout(['init', '--from', join(RUNBOOKS, seeds[3]!)], { cwd: dir });
    expect(init.exitCode, init.stderr).toBe(0);
    expect(readFileSync(join(dir, 'rollout.yaml'), 'utf8')).toContain('# from line');
    const valid = await rollout(['validate'], { cwd: dir });
    expect(valid.exitCode, valid.stderr).toBe(0);
  });
});

describe('finding the playbook', () => {
  function repo(files: Record<string, string>): string {
    const dir = tempDir();
    execFileSync('git', ['init', '-q', dir]);
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    mkdirSync(join(dir, 'services', 'api'), { recursive: true });
    return dir;
  }

  it.each(['rollout.yaml', 'rollout.yml', '.rollout/rollout.yaml'])('%s at the repository root is found from a subfolder, and named', async (name) => {
    const dir = repo({ [name]: EXEC_PLAYBOOK });
    const run = await rollout(['check', '--env', 'staging'], { cwd: join(dir, 'services', 'api') });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain(`playbook: ${join('..', '..', name)} (from a parent folder)`);
  });

  it('the evidence names the playbook used and how it was found (Markdown and its JSON)', async () => {
    const dir = repo({ 'rollout.yaml': EXEC_PLAYBOOK });
    const sub = join(dir, 'services', 'api');
    const found = await rollout(['check', '--env', 'staging', '--reporter', 'json'], { cwd: sub });
    expect(found.exitCode, found.stderr).toBe(0);
    const evidence = readFileSync(join(sub, found.json.evidence), 'utf8');
    const path = realpathSync(join(dir, 'rollout.yaml'));
    expect(evidence).toContain(`| Playbook found | in a parent folder: \`${path}\` |`);
    const start = evidence.indexOf('```json\n', evidence.indexOf('## Report')) + 8;
    const report = JSON.parse(evidence.slice(start, evidence.indexOf('\n```', start)));
    expect(report.playbookSource).toEqual({ foundBy: 'parent folder', path });
    expect(report.playbook.file).toBe(join('..', '..', 'rollout.yaml'));

    const given = await rollout(['check', '--env', 'staging', '-p', '../../rollout.yaml', '--reporter', 'json'], { cwd: sub });
    expect(readFileSync(join(sub, given.json.evidence), 'utf8')).toContain(`| Playbook found | given with -p: \`${path}\` |`);
    const byEnv = await rollout(['check', '--env', 'staging', '--reporter', 'json'], { cwd: sub, env: { ROLLOUT_PLAYBOOK: path } });
    expect(readFileSync(join(sub, byEnv.json.evidence), 'utf8')).toContain(`| Playbook found | named by $ROLLOUT_PLAYBOOK: \`${path}\` |`);
  });

  it('ROLLOUT_PLAYBOOK wins over a rollout.yaml here; -p wins over both', async () => {
    const dir = repo({ 'rollout.yaml': EXEC_PLAYBOOK, 'other.yaml': EXEC_PLAYBOOK.replace('name: found', 'name: other') });
    const byEnv = await rollout(['validate'], { cwd: dir, env: { ROLLOUT_PLAYBOOK: join(dir, 'other.yaml') } });
    expect(byEnv.stdout).toContain('playbook other');
    const byFlag = await rollout(['validate', '-p', 'rollout.yaml'], { cwd: dir, env: { ROLLOUT_PLAYBOOK: join(dir, 'other.yaml') } });
    expect(byFlag.stdout).toContain('playbook found');
  });

  it('the search stops at the repository root: a playbook above it is not used', async () => {
    const outer = tempDir();
    writeFileSync(join(outer, 'rollout.yaml'), EXEC_PLAYBOOK);
    const inner = join(outer, 'project');
    execFileSync('git', ['init', '-q', inner]);
    const run = await rollout(['validate'], { cwd: inner });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('rollout.yaml');
    expect(run.stdout).not.toContain('valid');
  });
});

describe('rollout completion', () => {
  /** A `rollout` on PATH (the completion script calls it for --env values and kinds). */
  function shim(): string {
    const bin = join(tempDir(), 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'rollout'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(join(bin, 'rollout'), 0o755);
    return bin;
  }

  /** What bash offers after typing `line` (a trailing space means a new, empty word). */
  function complete(line: string, cwd: string, bin: string): string[] {
    const script = `source <(rollout completion bash) || exit 9
read -ra COMP_WORDS <<< "$LINE"
[[ "$LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
_rollout
printf '%s\\n' "\${COMPREPLY[@]}"`;
    const outText = execFileSync('bash', ['--norc', '--noprofile', '-c', script], { cwd, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, LINE: line }, encoding: 'utf8' });
    return outText.split('\n').filter(Boolean);
  }

  it('bash: the script loads and registers the function', () => {
    const bin = shim();
    const registered = execFileSync('bash', ['--norc', '--noprofile', '-c', 'source <(rollout completion bash) && complete -p rollout'], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' });
    expect(registered.trim()).toBe('complete -o default -F _rollout rollout');
  });

  it('bash: commands, flags, flag values, --env from the playbook, kinds', () => {
    const bin = shim();
    const dir = tempDir();
    execFileSync('git', ['init', '-q', dir]);
    writeFileSync(join(dir, 'rollout.yaml'), EXEC_PLAYBOOK);
    mkdirSync(join(dir, 'sub'));
    expect(complete('rollout ch', dir, bin)).toEqual(['check', 'checks']);
    expect(complete('rollout i', dir, bin)).toEqual(['init', 'import']);
    expect(complete('rollout check --env ', dir, bin)).toEqual(['staging', 'production']);
    expect(complete('rollout check --env p', join(dir, 'sub'), bin)).toEqual(['production']);
    expect(complete('rollout check --rep', dir, bin)).toEqual(['--reporter']);
    expect(complete('rollout plan --format ', dir, bin)).toEqual(['text', 'json', 'mermaid']);
    expect(complete('rollout completion ', dir, bin)).toEqual(['bash', 'zsh', 'fish']);
    expect(complete('rollout evidence ', dir, bin)).toEqual(['verify', 'push', 'html']);
    expect(complete('rollout import ', dir, bin)).toEqual(['runbook', 'slo']);
    expect(complete('rollout checks postgres.re', dir, bin)).toEqual(['postgres.replication']);
    expect(complete('rollout promote --dry', dir, bin)).toEqual(['--dry-run']);
    // No playbook: no --env suggestions, and no error text in the prompt.
    expect(complete('rollout check --env ', tempDir(), bin)).toEqual([]);
    // -p given on the line: its environments.
    writeFileSync(join(dir, 'other.yaml'), EXEC_PLAYBOOK.replace('staging: {}', 'canary: {}'));
    expect(complete('rollout -p other.yaml check --env ', dir, bin)).toEqual(['canary', 'production']);
    expect(complete('rollout check -p other.yaml --env ', dir, bin)).toEqual(['canary', 'production']);
  });

  it('zsh and fish scripts name every command and ask rollout for --env values', async () => {
    const zsh = await rollout(['completion', 'zsh']);
    expect(zsh.exitCode).toBe(0);
    expect(zsh.stdout).toContain('bashcompinit');
    expect(zsh.stdout).toContain('complete -o default -F _rollout rollout');
    const fish = await rollout(['completion', 'fish']);
    expect(fish.exitCode).toBe(0);
    for (const command of ['validate', 'check', 'promote', 'rollback', 'watch', 'init', 'import', 'completion']) expect(fish.stdout).toContain(`-a ${command} `);
    expect(fish.stdout).toContain("-l env -x -a '(rollout __complete envs 2>/dev/null)'");
    expect(fish.stdout).not.toContain('__complete -d');
    const bad = await rollout(['completion', 'tcsh']);
    expect(bad.exitCode).toBe(2);
  });
});

