import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../../src/sdk/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string> };
const npm = (args: string[], cwd = ROOT) => execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } });

describe('the npm package', () => {
  it('is not named `rollout` (an unrelated package owns that name) and installs a `rollout` command', () => {
    expect(pkg.name).not.toBe('rollout');
    expect(Object.keys(pkg.bin)).toEqual(['rollout']);
  });

  it('the tarball holds only what runs: no tests, fixtures or benchmarks', () => {
    // --ignore-scripts: the global setup has built dist/ already.
    const [packed] = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'])) as Array<{ files: Array<{ path: string }>; entryCount: number }>;
    const paths = packed!.files.map((f) => f.path);
    expect(paths.filter((p) => /(^|\/)(test|tests|fixtures|bench|playbooks|scripts|docs)\//.test(p) || /\.test\.js$|\.ts$/.test(p))).toEqual([]);
    expect(paths).toContain(pkg.bin.rollout);
    expect(paths).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json']));
    // Only the bundle (each lazily loaded chunk beside its source map and bundled licences).
    expect(paths.filter((p) => !/^dist\/bundle\/[\w.-]+\.(js|js\.map|js\.LEGAL\.txt)$/.test(p) && !['README.md', 'LICENSE', 'package.json'].includes(p))).toEqual([]);
    expect(packed!.entryCount).toBeLessThan(400);
  });

  it('installs from the packed tarball into a prefix and runs: --version, checks, validate and check of an exec/file playbook', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-pack-'));
    const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir])) as Array<{ filename: string }>;
    const prefix = join(dir, 'prefix');
    npm(['install', '-g', '--prefix', prefix, join(dir, packed!.filename)], dir);
    const bin = join(prefix, 'bin', 'rollout');
    // The CLI is one bundle: a global install fetches no dependency tree (none can drift to a
    // version that does not run on Node 20, as undici 8 under client-node did).
    expect(existsSync(join(prefix, 'lib', 'node_modules', pkg.name, 'node_modules'))).toBe(false);
    const run = (args: string[]) => runProcess([bin, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1', CI: 'true' } });

    const version = await run(['--version']);
    expect(version.stdout.trim()).toBe(pkg.version);
    const checks = await run(['checks']);
    expect(checks.exitCode).toBe(0);
    expect(checks.stdout).toContain('postgres.replication');
    writeFileSync(join(dir, 'marker.txt'), 'ready\n');
    writeFileSync(join(dir, 'rollout.yaml'), `version: 1
name: packed
environments: { staging: {} }
gates:
  - { id: node-runs, uses: exec, with: { command: [node, -e, "process.exit(0)"] } }
  - { id: marker, uses: file, with: { path: marker.txt, pattern: ready }, observe: contains }
`);
    const valid = await run(['validate']);
    expect(valid.exitCode, valid.stderr).toBe(0);
    const check = await run(['check', '--env', 'staging', '--reporter', 'json']);
    expect(check.exitCode, check.stderr).toBe(0);
    const report = JSON.parse(check.stdout) as { verdict: string; nodes: Array<{ id: string; status: string }> };
    expect(report.verdict).toBe('pass');
    expect(report.nodes.map((n) => [n.id, n.status])).toEqual([['node-runs', 'pass'], ['marker', 'pass']]);
  }, 240_000);
});
