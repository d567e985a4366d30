import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rollout, workspace } from '../helpers/cli.js';

const PLAYBOOK = `version: 1
name: report-file
environments: { staging: {} }
gates:
  - { id: ok, uses: exec, with: { command: ["true"] } }
`;

const check = (dir: string, ...args: string[]) => rollout(['check', '--env', 'staging', ...args], { cwd: dir });

describe('-o FILE: the report goes to a file, its format from --reporter or the extension', () => {
  it.each([
    ['gate.json', (text: string) => expect(JSON.parse(text)).toMatchObject({ verdict: 'pass', nodes: [{ id: 'ok', status: 'pass' }] })],
    ['gates.xml', (text: string) => expect(text).toMatch(/^<\?xml[^>]*>\s*<testsuites/)],
    ['summary.md', (text: string) => expect(text).toContain('Playbook `report-file`')],
  ])('-o %s writes that format', async (file, assertFormat) => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const run = await check(dir, '-o', file);
    expect(run.exitCode, run.stderr).toBe(0);
    assertFormat(readFileSync(join(dir, file), 'utf8'));
  });

  it('--output is the same flag; an explicit --reporter wins over the extension', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const run = await check(dir, '--output', 'report.json', '--reporter', 'junit');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toMatch(/<testsuites/);
  });

  it('an extension that names no format, without --reporter, is refused before anything runs (exit 2)', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const run = await check(dir, '-o', 'report.txt');
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--output report.txt: say which report to write with --reporter json|junit|markdown (or name the file .json, .xml or .md)');
    expect(run.stderr).toContain('nothing was run');
    expect(existsSync(join(dir, 'report.txt'))).toBe(false);
    expect(existsSync(join(dir, 'evidence'))).toBe(false);
  });
});
