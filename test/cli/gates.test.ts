import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rollout, workspace } from '../helpers/cli.js';

const node = (report: any, id: string) => report.nodes.find((n: { id: string }) => n.id === id);

describe('window', () => {
  const dir = workspace({
    'rollout.yaml': `version: 1
name: windows
environments: { production: {} }
gates:
  - { id: change-window, uses: window, with: { days: [mon, tue, wed, thu], from: "09:00", to: "16:00", timezone: Europe/Berlin, exclude: ["2026-12-24"] } }
  - { id: night-window, uses: window, with: { from: "22:00", to: "04:00", days: [sat], timezone: America/New_York } }
`,
  });
  const at = (time: string, only: string) => rollout(['check', '--env', 'production', '--reporter', 'json', '--only', only, '--at', time], { cwd: dir });

  it('passes inside the days and hours of its time zone, fails outside, and on excluded dates', async () => {
    // Tuesday 2026-11-17 13:30 UTC is 14:30 in Berlin.
    const inside = await at('2026-11-17T13:30:00Z', 'change-window');
    expect(inside.exitCode).toBe(0);
    expect(node(inside.json, 'change-window').outputs.local).toBe('Tue 2026-11-17 14:30 Europe/Berlin');
    const late = await at('2026-11-17T15:30:00Z', 'change-window');
    expect(node(late.json, 'change-window').message).toMatch(/Tue 2026-11-17 16:30 Europe\/Berlin is outside 09:00–16:00/);
    const friday = await at('2026-11-20T10:00:00Z', 'change-window');
    expect(node(friday.json, 'change-window').message).toMatch(/closed on fri/);
    const christmasEve = await at('2026-12-24T10:00:00Z', 'change-window');
    expect(christmasEve.exitCode).toBe(1);
    expect(node(christmasEve.json, 'change-window').message).toMatch(/2026-12-24 is excluded/);
  });

  it('an overnight window belongs to the day it opened', async () => {
    // Sunday 02:00 in New York is Saturday night's window.
    expect((await at('2026-11-22T07:00:00Z', 'night-window')).exitCode).toBe(0);
    // Saturday 02:00 belongs to Friday night: closed.
    expect((await at('2026-11-21T07:00:00Z', 'night-window')).exitCode).toBe(1);
  });
});

describe('evidence.recent', () => {
  const GATE = `version: 1
name: payments
environments: { staging: {}, production: {} }
gates:
  - { id: smoke, uses: exec, with: { command: [sh, -c, "exit \${env:SMOKE_EXIT}"] }, environments: [staging] }
  - { id: other, uses: exec, with: { command: ["true"] }, environments: [staging] }
  - { id: rehearsed, uses: evidence.recent, with: { command: check, env: staging, maxAge: 7d }, environments: [production] }
`;
  const staging = (dir: string, exit: string, ...args: string[]) => rollout(['check', '--env', 'staging', ...args], { cwd: dir, env: { SMOKE_EXIT: exit } });
  const gate = (dir: string, ...args: string[]) => rollout(['check', '--env', 'production', '--reporter', 'json', ...args], { cwd: dir, env: { SMOKE_EXIT: '0' } });

  it('passes with a fresh passing run; fails when it is older than maxAge (--at eight days later)', async () => {
    const dir = workspace({ 'rollout.yaml': GATE });
    expect((await gate(dir)).json.nodes[2].message).toBe('no evidence of payments check --env staging in the evidence directory');
    expect((await staging(dir, '0')).exitCode).toBe(0);
    const fresh = await gate(dir);
    expect(fresh.exitCode, fresh.stderr).toBe(0);
    expect(node(fresh.json, 'rehearsed').outputs.file).toMatch(/staging\/.*-payments-check\.md$/);
    const later = new Date(Date.now() + 8 * 86_400_000).toISOString();
    const stale = await gate(dir, '--at', later);
    expect(stale.exitCode).toBe(1);
    expect(node(stale.json, 'rehearsed').message).toMatch(/the newest passing payments check --env staging is 8(\.0)?d old .*; it must be younger than 7d/);
  });

  it('a failing, a partial and a tampered newer run do not count — and alone they fail the gate', async () => {
    const dir = workspace({ 'rollout.yaml': GATE });
    expect((await staging(dir, '3')).exitCode).toBe(1);
    expect((await staging(dir, '0', '--only', 'smoke')).exitCode).toBe(0);
    const none = await gate(dir);
    expect(none.exitCode).toBe(1);
    expect(node(none.json, 'rehearsed').reasons).toEqual([
      'no passing, verified, complete payments check --env staging',
      expect.stringMatching(/-payments-check-partial\.md: partial$/),
      expect.stringMatching(/-payments-check\.md: verdict fail$/),
    ]);

    expect((await staging(dir, '0')).exitCode).toBe(0);
    expect((await gate(dir)).exitCode).toBe(0);
    // Edit the passing file after the fact: its digest no longer verifies.
    const envDir = join(dir, 'evidence', 'staging');
    const newest = readdirSync(envDir).filter((f) => f.endsWith('.md')).sort().at(-1)!;
    const text = readFileSync(join(envDir, newest), 'utf8');
    writeFileSync(join(envDir, newest), text.replace('"verdict": "pass"', '"verdict": "pass" '));
    const tampered = await gate(dir);
    expect(tampered.exitCode).toBe(1);
    expect(node(tampered.json, 'rehearsed').reasons).toContainEqual(expect.stringMatching(new RegExp(`${newest.replace(/\./g, '\\.')}: does not verify \\(digest mismatch: the file was changed after it was written\\)`)));
  });
});
