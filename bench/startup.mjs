#!/usr/bin/env node
// Start-up benchmarks of DESIGN.md "Performance targets": `rollout --version` against a bare
// `node -e 0` (≤ 2×), `rollout validate` of a realistic 150-node playbook (≤ 3×), and validate
// at 150/300/600/1200 nodes (linear growth). hyperfine when installed, else a timed loop.
//
//   node bench/startup.mjs [--runs 20]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePlaybook } from './realistic-playbook.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/bundle/rollout.js');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 20;
const node = process.execPath;
const sizes = [150, 300, 600, 1200];
// Secrets the playbook references, so that `validate --env production` resolves every value.
const env = { ...process.env, PROM_TOKEN: 'bench-prom-token-0123456789', PG_PRIMARY_URL: 'postgres://bench:bench-password-0123@127.0.0.1:5432/app', PG_STANDBY_URL: 'postgres://bench:bench-password-0123@127.0.0.1:5433/app', DEPLOY_TOKEN: 'bench-deploy-token-0123456789' };

const hasHyperfine = spawnSync('hyperfine', ['--version'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'rollout-startup-bench-'));
const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Median seconds of each command (argv arrays), measured interleaved or by hyperfine. */
function measure(commands) {
  for (const argv of commands) {
    const r = spawnSync(argv[0], argv.slice(1), { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`);
  }
  if (hasHyperfine) {
    const json = join(dir, 'hyperfine.json');
    const args = ['--warmup', '3', '--runs', String(runs), '-N', '--export-json', json, ...commands.map((argv) => argv.map(q).join(' '))];
    const r = spawnSync('hyperfine', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`hyperfine exited ${r.status}`);
    return JSON.parse(readFileSync(json, 'utf8')).results.map((result) => ({ median: result.median, min: result.min, max: result.max, cpu: result.user + result.system }));
  }
  const times = commands.map(() => []);
  const cpus = commands.map(() => []);
  // CPU (user+sys) through /usr/bin/time when there: steadier than wall time on a busy machine.
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  for (let i = 0; i < runs; i++) {
    commands.forEach((argv, c) => {
      const start = process.hrtime.bigint();
      const r = timeBin ? spawnSync(timeBin, ['-f', 'CPU %U %S', ...argv], { env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] }) : spawnSync(argv[0], argv.slice(1), { env, stdio: 'ignore' });
      times[c].push(Number(process.hrtime.bigint() - start) / 1e9);
      const m = timeBin ? /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr) : null;
      if (m) cpus[c].push(Number(m[1]) + Number(m[2]));
    });
  }
  return times.map((t, c) => ({ median: median(t), min: Math.min(...t), max: Math.max(...t), cpu: cpus[c].length ? median(cpus[c]) : NaN }));
}

try {
  const files = sizes.map((n) => {
    const file = join(dir, `playbook-${n}.yaml`);
    writeFileSync(file, generatePlaybook(n));
    return file;
  });
  const baseline = [node, '-e', '0'];
  const version = [node, cli, '--version'];
  const validate = (file) => [node, cli, 'validate', '-p', file, '--env', 'production'];
  // The seed playbooks in playbooks/ (written by hand from ../shared/seeds), as a cross-check.
  const seeds = ['distributed-postgres.yaml', 'summit.yaml'].map((f) => join(root, 'playbooks', f)).filter((f) => existsSync(f));
  const results = measure([baseline, version, ...files.map(validate), ...seeds.map((f) => [node, cli, 'validate', '-p', f])]);
  const base = results[0].median;
  const ms = (s) => (s * 1000).toFixed(1);
  console.log(`${hasHyperfine ? 'hyperfine -N --warmup 3' : 'timed loop'}, ${runs} runs each, median (min–max) in ms; Node ${process.versions.node}`);
  console.log('');
  console.log('| command | median ms | min–max ms | × node -e 0 | CPU ms (user+sys; mean with hyperfine, median otherwise) | target |');
  console.log('|---|---:|---:|---:|---:|---|');
  const row = (name, r, target) => console.log(`| \`${name}\` | ${ms(r.median)} | ${ms(r.min)}–${ms(r.max)} | ${(r.median / base).toFixed(2)} | ${ms(r.cpu)} | ${target} |`);
  row('node -e 0', results[0], '');
  row('rollout --version', results[1], '≤ 2×');
  sizes.forEach((n, i) => {
    const nodes = /(\d+) nodes/.exec(spawnSync(node, [cli, 'validate', '-p', files[i]], { env, encoding: 'utf8' }).stdout)?.[1] ?? '?';
    row(`rollout validate (${nodes} nodes, ${Math.round(readFileSync(files[i]).length / 1024)} KB) --env production`, results[2 + i], n === 150 ? '≤ 3×' : '');
  });
  seeds.forEach((f, i) => {
    const nodes = /(\d+) nodes/.exec(spawnSync(node, [cli, 'validate', '-p', f], { env, encoding: 'utf8' }).stdout)?.[1] ?? '?';
    row(`rollout validate playbooks/${f.split('/').pop()} (${nodes} nodes, a seed)`, results[2 + sizes.length + i], '');
  });
  // Least-squares line through (nodes, median): a fixed start-up cost plus a cost per node.
  const xs = sizes, ys = results.slice(2, 2 + sizes.length).map((r) => r.median);
  const mx = xs.reduce((a, b) => a + b) / xs.length, my = ys.reduce((a, b) => a + b) / ys.length;
  const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const intercept = my - slope * mx;
  console.log('');
  console.log(`validate ≈ ${ms(intercept)} ms + ${(slope * 1e6).toFixed(0)} µs × nodes; residuals ${ys.map((y, i) => `${ms(y - (intercept + slope * xs[i]))}`).join(', ')} ms (small = linear)`);
  const cpuRatio = (r) => (Number.isFinite(r.cpu) && results[0].cpu > 0 ? `; CPU ${(r.cpu / results[0].cpu).toFixed(2)}×` : '');
  const target = (label, r, limit) => {
    const ratio = r.median / base;
    console.log(`TARGET ${label}: ${ratio.toFixed(2)}× node -e 0 (${runs} runs, median wall${cpuRatio(r)}) — target ≤ ${limit.toFixed(2)}× ${ratio <= limit ? 'met' : 'MISSED'}`);
  };
  console.log('');
  target('start-up: rollout --version', results[1], 2);
  target(`start-up: rollout validate of the 150-node playbook`, results[2], 3);
  // Linear: the biggest size costs what the line through all sizes predicts (within 10 %).
  const last = sizes.length - 1;
  const predicted = intercept + slope * xs[last];
  console.log(`TARGET start-up: validate grows linearly (${xs[last]} nodes measured ÷ predicted by the fit): ${(ys[last] / predicted).toFixed(2)}× — target ≤ 1.10× ${ys[last] / predicted <= 1.1 ? 'met' : 'MISSED'}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
