import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, rollout, workspace } from '../helpers/cli.js';

const PASSING = 'version: 1\nname: t\nenvironments: { ci: {} }\ngates:\n  - { id: ok, uses: exec, with: { command: ["true"] } }\n';

describe('what happens after the verdict is said', () => {
  it('a report that cannot be written is printed as an error, and a pass becomes exit 3 (not a silent 2)', async () => {
    const dir = workspace({ 'rollout.yaml': PASSING });
    const run = await rollout(['check', '--env', 'ci', '--reporter', 'json', '--output', 'missing/dir/gate.json'], { cwd: dir });
    expect(run.stderr).toMatch(/error: report: could not write missing\/dir\/gate\.json: .*ENOENT/);
    expect(run.exitCode).toBe(3);
    // The evidence was still written: the verdict is on record, only the report is missing.
    expect(readdirSync(join(dir, 'evidence', 'ci'))).toHaveLength(1);
  });

  it('an evidence dir that cannot be written keeps the file in the spool, says so loudly, and the verdict stands', async () => {
    const dir = workspace({ 'rollout.yaml': PASSING, 'not-a-dir': 'a file, not a folder\n' });
    const run = await rollout(['check', '--env', 'ci', '--evidence-dir', 'not-a-dir'], { cwd: dir });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toMatch(/error: the evidence could not be written to file:.*not-a-dir: .*; kept in the spool: .*\.rollout\/spool\/ci\/.*-t-check\.md/);
    const spooled = readdirSync(join(dir, '.rollout', 'spool', 'ci'));
    expect(spooled).toHaveLength(1);
    expect(readFileSync(join(dir, '.rollout', 'spool', 'ci', spooled[0]!), 'utf8')).toContain('**Verdict: PASS**');
  });

  it('--output without --reporter writes the report its extension names', async () => {
    const dir = workspace({ 'rollout.yaml': PASSING });
    const run = await rollout(['check', '--env', 'ci', '--output', 'gate.json'], { cwd: dir });
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'gate.json'), 'utf8'))).toMatchObject({ verdict: 'pass', exitCode: 0 });
    const junit = await rollout(['check', '--env', 'ci', '--output', 'gate.xml'], { cwd: dir });
    expect(readFileSync(join(dir, 'gate.xml'), 'utf8')).toMatch(/^<\?xml[\s\S]*<testsuites/);
    expect(junit.exitCode).toBe(0);
  });

  it('--output to a name that says no format, without --reporter, is refused before anything runs', async () => {
    const dir = workspace({ 'rollout.yaml': PASSING });
    const run = await rollout(['check', '--env', 'ci', '--output', 'gate.txt'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--output gate.txt: say which report to write with --reporter json|junit|markdown');
    expect(existsSync(join(dir, 'evidence'))).toBe(false);
  });
});

describe('--at is read strictly', () => {
  for (const bad of ['2026-02-30T10:00:00Z', '12', '0', '2026-11-17 14:30', 'yesterday']) {
    it(`refuses --at ${bad} (exit 2, nothing run)`, async () => {
      const dir = workspace({ 'rollout.yaml': PASSING });
      const run = await rollout(['check', '--env', 'ci', '--at', bad], { cwd: dir });
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain(`--at ${bad}: expected an RFC 3339 time with its offset`);
      expect(existsSync(join(dir, 'evidence'))).toBe(false);
    });
  }

  it('accepts an RFC 3339 instant with an offset, and a time ago (-2h), and records the instant', async () => {
    const dir = workspace({ 'rollout.yaml': PASSING });
    const exact = await rollout(['check', '--env', 'ci', '--at', '2026-11-17T15:30:00+01:00', '--reporter', 'json'], { cwd: dir });
    expect(exact.exitCode).toBe(0);
    expect(exact.json.at).toBe('2026-11-17T14:30:00.000Z');
    const before = Date.now();
    const ago = await rollout(['check', '--env', 'ci', '--at', '-2h', '--reporter', 'json'], { cwd: dir });
    expect(ago.exitCode).toBe(0);
    expect(Math.abs(before - 2 * 3600_000 - Date.parse(ago.json.at))).toBeLessThan(10_000);
  });
});

describe('--only with an approvals file', () => {
  it('warns about sign-offs for nodes the partial run does not plan, and runs', async () => {
    const dir = workspace({
      'rollout.yaml': 'version: 1\nname: t\nenvironments: { ci: {} }\ngates:\n  - { id: ok, uses: exec, with: { command: ["true"] } }\n  - { id: dba, uses: approval, with: { role: DBA } }\n',
      'approvals.yaml': 'dba: Dana Lee\n',
    });
    const run = await rollout(['check', '--env', 'ci', '--only', 'ok', '--approvals', 'approvals.yaml'], { cwd: dir });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('warning: an approval names "dba", which this run does not plan');
    // A full run still refuses a sign-off for a node that does not exist: a typo is not a warning.
    writeFileSync(join(dir, 'approvals.yaml'), 'dbaa: Dana Lee\n');
    const typo = await rollout(['check', '--env', 'ci', '--approvals', 'approvals.yaml'], { cwd: dir });
    expect(typo.exitCode).toBe(2);
  });
});

describe('SIGHUP (an ssh session dropping)', () => {
  it('stops the child, writes the evidence and exits 130, like Ctrl-C', async () => {
    const dir = workspace({
      'hang.sh': '#!/bin/sh\necho $$ > child.pid\ntouch started\nexec sleep 300\n',
      'rollout.yaml': 'version: 1\nname: hup\nenvironments: { ci: {} }\ngates:\n  - { id: hang, uses: exec, with: { command: [./hang.sh] }, timeout: 5m }\n',
    });
    const child = spawn(process.execPath, [CLI, 'check', '--env', 'ci', '--reporter', 'plain'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const until = Date.now() + 10_000;
    while (!existsSync(join(dir, 'started')) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGHUP');
    expect(await exited).toBe(130);
    const pid = Number(readFileSync(join(dir, 'child.pid'), 'utf8'));
    const state = (() => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      } catch {
        return 'gone';
      }
    })();
    expect(['gone', 'Z']).toContain(state);
    const files = readdirSync(join(dir, 'evidence', 'ci'));
    expect(files).toHaveLength(1);
    expect(readFileSync(join(dir, 'evidence', 'ci', files[0]!), 'utf8')).toContain('**Verdict: INTERRUPTED** (exit 130)');
  });
});

