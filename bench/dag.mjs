#!/usr/bin/env node
// The scheduling benchmark of DESIGN.md "Performance targets": one generated 1,000-node DAG
// (10 levels × 100, every node `sleep 0.05`, each needing 3 nodes of the level before) run by
// `make -j N` and by `rollout check --concurrency N` with the same commands. Start-up included.
//
//   node bench/dag.mjs [--runs 5] [--concurrency 8] [--levels 10] [--width 100] [--sleep 0.05] [--execa 1] [--keep 1]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/bundle/rollout.js');

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const runs = Number(args.runs ?? 5);
const concurrency = Number(args.concurrency ?? 8);
const levels = Number(args.levels ?? 10);
const width = Number(args.width ?? 100);
const sleepS = String(args.sleep ?? '0.05');

/** The DAG: node (l, i) needs (l-1, i), (l-1, i+1) and (l-1, i+37), wrapped around. */
export function generateDag() {
  const nodes = [];
  for (let l = 0; l < levels; l++) {
    for (let i = 0; i < width; i++) {
      const needs = l === 0 ? [] : [...new Set([i, (i + 1) % width, (i + 37) % width])].map((j) => `n${l - 1}-${j}`);
      nodes.push({ id: `n${l}-${i}`, needs });
    }
  }
  return nodes;
}

function toPlaybook(nodes) {
  const lines = ['version: 1', 'name: dag-bench', 'environments:', '  bench: {}', 'gates:'];
  for (const n of nodes) {
    lines.push(`  - id: ${n.id}`, '    uses: exec', `    with: { command: [sleep, "${sleepS}"] }`);
    if (n.needs.length) lines.push(`    needs: [${n.needs.join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

function toMakefile(nodes) {
  const lines = [`.PHONY: all ${nodes.map((n) => n.id).join(' ')}`, `all: ${nodes.map((n) => n.id).join(' ')}`, ''];
  for (const n of nodes) lines.push(`${n.id}: ${n.needs.join(' ')}`, `\t@sleep ${sleepS}`, '');
  return lines.join('\n');
}

/**
 * The floor for any Node.js runner: the same DAG, same needs, same semaphore, one
 * child_process.spawn per node and nothing else (no playbook, no checks, no evidence).
 */
function toBareNodeScheduler(nodes) {
  return `import { spawn } from 'node:child_process';
const nodes = ${JSON.stringify(nodes)};
const dependents = new Map(), remaining = new Map(), ready = [];
for (const n of nodes) { remaining.set(n.id, n.needs.length); for (const d of n.needs) dependents.set(d, [...(dependents.get(d) ?? []), n.id]); if (!n.needs.length) ready.push(n.id); }
let running = 0, done = 0;
const pump = () => {
  while (running < ${concurrency} && ready.length) {
    const id = ready.shift(); running++;
    const child = spawn('sleep', ['${sleepS}'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.on('data', () => {}); child.stderr.on('data', () => {});
    child.on('close', () => {
      running--; done++;
      for (const d of dependents.get(id) ?? []) { remaining.set(d, remaining.get(d) - 1); if (!remaining.get(d)) ready.push(d); }
      pump();
    });
  }
};
pump();
`;
}

/**
 * The same scheduler with each child started through execa (what `exec` would use if it took
 * the dependency): the difference to bare.mjs is execa's own cost per process.
 */
function toExecaScheduler(nodes) {
  return toBareNodeScheduler(nodes)
    .replace("import { spawn } from 'node:child_process';", `import { execa } from ${JSON.stringify(import.meta.resolve('execa'))};`)
    .replace(
      /const child = spawn\([^;]*;\n\s*child\.stdout\.on[^\n]*\n\s*child\.on\('close', \(\) => \{/,
      `execa('sleep', ['${sleepS}'], { detached: true, reject: false, stdin: 'ignore', buffer: true, cleanup: false }).then(() => {`,
    );
}

function timeOnce(argv, cwd) {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(`${argv.join(' ')} exited ${result.status}: ${String(result.stderr).slice(0, 2000)}${String(result.stdout).slice(-2000)}`);
  }
  return { seconds, stdout: String(result.stdout) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const nodes = generateDag();
const dir = mkdtempSync(join(tmpdir(), 'rollout-dag-bench-'));
try {
  writeFileSync(join(dir, 'dag.yaml'), toPlaybook(nodes));
  writeFileSync(join(dir, 'Makefile'), toMakefile(nodes));
  writeFileSync(join(dir, 'bare.mjs'), toBareNodeScheduler(nodes));
  writeFileSync(join(dir, 'execa.mjs'), toExecaScheduler(nodes));
  const criticalPathS = levels * Number(sleepS);
  const totalWorkS = nodes.length * Number(sleepS);
  const lowerBoundS = Math.max(criticalPathS, totalWorkS / concurrency);

  const common = ['check', '-p', 'dag.yaml', '--env', 'bench', '--concurrency', String(concurrency), '--evidence-dir', join(dir, 'evidence')];
  const contenders = [
    { name: `make -j${concurrency}`, argv: ['make', '-s', `-j${concurrency}`] },
    { name: `node bare.mjs (bare spawn scheduler: the floor for a Node runner)`, argv: [process.execPath, 'bare.mjs'] },
    ...(args.execa ? [{ name: `node execa.mjs (the same scheduler, each child through execa)`, argv: [process.execPath, 'execa.mjs'] }] : []),
    { name: `rollout check --concurrency ${concurrency} --reporter plain`, argv: [process.execPath, cli, ...common, '--reporter', 'plain'] },
    { name: `rollout check --concurrency ${concurrency} --reporter json`, argv: [process.execPath, cli, ...common, '--reporter', 'json'] },
  ];
  const times = new Map(contenders.map((c) => [c.name, []]));
  const runPhase = []; // the json report's durationMs: the DAG run alone, without start-up and evidence
  for (const c of contenders) timeOnce(c.argv, dir); // warm the page cache once, not measured
  // Interleaved so that a slow spell of the machine hits every contender alike.
  for (let r = 0; r < runs; r++) {
    for (const c of contenders) {
      const { seconds, stdout } = timeOnce(c.argv, dir);
      times.get(c.name).push(seconds);
      if (c.name.endsWith('json')) runPhase.push(JSON.parse(stdout).durationMs / 1000);
    }
  }

  const makeS = median(times.get(contenders[0].name));
  console.log(`DAG: ${nodes.length} nodes (${levels} levels × ${width}), ${nodes.reduce((a, n) => a + n.needs.length, 0)} edges, each \`sleep ${sleepS}\`, concurrency ${concurrency}, ${runs} runs, median`);
  console.log(`lower bound = max(critical path ${criticalPathS.toFixed(2)} s, work/concurrency ${(totalWorkS / concurrency).toFixed(2)} s) = ${lowerBoundS.toFixed(2)} s`);
  console.log('');
  console.log('| command | median s | min–max s | × make | × lower bound |');
  console.log('|---|---:|---:|---:|---:|');
  for (const c of contenders) {
    const t = times.get(c.name);
    const m = median(t);
    console.log(`| \`${c.name}\` | ${m.toFixed(2)} | ${Math.min(...t).toFixed(2)}–${Math.max(...t).toFixed(2)} | ${(m / makeS).toFixed(3)} | ${(m / lowerBoundS).toFixed(3)} |`);
  }
  const bareName = contenders[1].name;
  const rolloutName = contenders.find((c) => c.name.endsWith('plain')).name;
  const jsonName = contenders.find((c) => c.name.endsWith('json')).name;
  const bareS = median(times.get(bareName));
  if (args.execa) {
    const execaName = contenders[2].name;
    const execaS = median(times.get(execaName));
    const pairs = times.get(bareName).map((b, i) => times.get(execaName)[i] - b);
    console.log(`execa − bare spawn: median ${(execaS - bareS).toFixed(3)} s (paired per run: median ${median(pairs).toFixed(3)} s, ${pairs.map((d) => d.toFixed(3)).join(' ')}) = ${(((execaS - bareS) / bareS) * 100).toFixed(2)} % of the bare DAG run (threshold for using execa in exec: 2 %)`);
  }
  const r = median(runPhase);
  console.log(`| rollout's run phase alone (json \`durationMs\`: first node start → last node end) | ${r.toFixed(2)} | ${Math.min(...runPhase).toFixed(2)}–${Math.max(...runPhase).toFixed(2)} | ${(r / makeS).toFixed(3)} | ${(r / lowerBoundS).toFixed(3)} |`);
  // Ratios per interleaved round (the same spell of the machine for both), then their median.
  const paired = (name, base) => times.get(name).map((t, i) => t / times.get(base)[i]);
  const line = (label, ratios, target) => {
    const m = median(ratios);
    console.log(`TARGET ${label}: ${m.toFixed(3)}× (range ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}, ${runs} interleaved runs) — target ≤ ${target.toFixed(2)}× ${m <= target ? 'met' : 'MISSED'}`);
  };
  console.log('');
  line('scheduler: rollout check (1,000 nodes) vs make -j' + concurrency, paired(rolloutName, contenders[0].name), 1.1);
  line('scheduler: rollout check (1,000 nodes) vs the bare Node spawn scheduler', paired(rolloutName, bareName), 1.03);
  line('scheduler: rollout check (1,000 nodes) vs its lower bound', times.get(rolloutName).map((t) => t / lowerBoundS), 1.1);
  if (existsSync('/usr/bin/time')) {
    const measured = spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, cli, ...common, '--reporter', 'json'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
    const kb = Number(/maxrss=(\d+)/.exec(measured.stderr)?.[1] ?? NaN);
    console.log(`memory: peak RSS of the 1,000-node rollout check (--reporter json): ${(kb / 1024).toFixed(0)} MB (/usr/bin/time -f %M, one run)`);
  }
} finally {
  if (!args.keep) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
}
