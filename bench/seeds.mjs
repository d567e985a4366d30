#!/usr/bin/env node
// Time to verdict (DESIGN.md "Performance targets"): each seed playbook's `check --env demo`
// on the fixture environment (scripts/fixture-env.mjs: Kubernetes API servers, Prometheus,
// PostgreSQL, backups, an HTTP service), against its slowest single node plus start-up —
// target ≤ 1.5×. Start-up is `rollout validate -p SEED --env demo` (load, validate, resolve:
// everything a check does before its first node). Also the peak RSS of each check.
//
//   node bench/seeds.mjs [--runs 3] [--json]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFixtureEnv } from '../scripts/fixture-env.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/bundle/rollout.js');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
const SEEDS = [
  ['playbooks/trackshift.yaml', 'fixtures/seeds/approvals/trackshift.yaml'],
  ['playbooks/distributed-postgres.yaml', 'fixtures/seeds/approvals/dpg-cluster.yaml'],
  ['playbooks/nova-rms.yaml', 'fixtures/seeds/approvals/nova-rms.yaml'],
  ['playbooks/fastapi-service.yaml', 'fixtures/seeds/approvals/fastapi-service.yaml'],
  ['playbooks/summit.yaml', 'fixtures/seeds/approvals/summit.yaml'],
];
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Runs the CLI (awaited: the fixture servers live in this process); wall ms, stdout, peak RSS KB. */
function runCli(args, env) {
  const argv = TIME ? [TIME, '-f', 'maxrss=%M', process.execPath, cli, ...args] : [process.execPath, cli, ...args];
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const rss = /maxrss=(\d+)/.exec(stderr)?.[1];
      resolve({ code, ms, stdout, stderr, maxRssKb: rss ? Number(rss) : undefined });
    });
  });
}

export async function benchSeeds({ runs: n = runs, log = (line) => process.stdout.write(`${line}\n`) } = {}) {
  const fixture = await startFixtureEnv();
  const evidence = mkdtempSync(join(tmpdir(), 'rollout-seeds-bench-'));
  const env = { ...process.env, ...fixture.env, NO_COLOR: '1', CI: 'true' };
  const results = [];
  try {
    log(`time to verdict: fixture environment up in ${fixture.startMs} ms; ${n} runs per seed, medians (ranges)`);
    for (const [file, approvals] of SEEDS) {
      const validate = [];
      const check = [];
      const ratios = [];
      const slowest = [];
      let rss = 0;
      let slowestId = '';
      for (let i = 0; i < n + 1; i++) {
        const v = await runCli(['validate', '-p', file, '--env', 'demo'], env);
        if (v.code !== 0) throw new Error(`validate ${file} exited ${v.code}: ${v.stderr}`);
        const c = await runCli(['check', '-p', file, '--env', 'demo', '--approvals', approvals, '--reporter', 'json', '--evidence-dir', evidence], env);
        if (c.code !== 0) throw new Error(`check ${file} exited ${c.code}: ${c.stderr}${c.stdout.slice(0, 1000)}`);
        if (i === 0) continue; // warm-up: page cache, kubectl-free but Prometheus/PostgreSQL caches
        const report = JSON.parse(c.stdout);
        const slow = report.nodes.reduce((a, b) => ((b.durationMs ?? 0) > (a.durationMs ?? 0) ? b : a));
        validate.push(v.ms);
        check.push(c.ms);
        slowest.push(slow.durationMs ?? 0);
        slowestId = slow.id;
        ratios.push(c.ms / ((slow.durationMs ?? 0) + v.ms));
        rss = Math.max(rss, c.maxRssKb ?? 0);
      }
      const range = (xs, digits = 0) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
      const result = { file, checkMs: median(check), slowestNodeMs: median(slowest), slowestNode: slowestId, startupMs: median(validate), ratio: median(ratios), ratioRange: [Math.min(...ratios), Math.max(...ratios)], maxRssMb: rss / 1024 };
      results.push(result);
      log(`TARGET time to verdict: ${file}: check ${Math.round(result.checkMs)} ms (${range(check)}); slowest node ${slowestId} ${Math.round(result.slowestNodeMs)} ms (${range(slowest)}) + start-up ${Math.round(result.startupMs)} ms (${range(validate)}) → ${result.ratio.toFixed(2)}× (${range(ratios, 2)}) — target ≤ 1.50× ${result.ratio <= 1.5 ? 'met' : 'MISSED'}; peak RSS ${result.maxRssMb.toFixed(0)} MB`);
    }
    return results;
  } finally {
    await fixture.stop();
    rmSync(evidence, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await benchSeeds();
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(results)}\n`);
}
