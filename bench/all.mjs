#!/usr/bin/env node
// `npm run bench`: every benchmark of DESIGN.md "Performance targets" in turn (never in
// parallel: they measure the machine), then every target with its measured ratio. Needs the
// bundle (`npm run build`), make, kubectl, and PostgreSQL/Prometheus for the seeds (as the
// tests do). About 4–5 minutes on 2 quiet cores.
//
//   node bench/all.mjs [--quick]     --quick: fewer runs (a smoke test of the scripts)
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const benches = [
  ['startup.mjs', ['--runs', quick ? '3' : '11']],
  ['kube.mjs', ['--runs', quick ? '2' : '7']],
  ['seeds.mjs', ['--runs', quick ? '1' : '3']],
  ['dag.mjs', ['--runs', quick ? '1' : '3']],
];

const targets = [];
const load = () => loadavg().map((l) => l.toFixed(2)).join(', ');
const startedAt = Date.now();
for (const [file, args] of benches) {
  process.stdout.write(`\n== node bench/${file} ${args.join(' ')}   (load average ${load()})\n`);
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bench', file), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) if (line.startsWith('TARGET ')) targets.push(line.slice(7));
    });
    child.on('close', resolve);
  });
  if (code !== 0) targets.push(`bench/${file} FAILED (exit ${code})`);
}
process.stdout.write(`\n== Targets (DESIGN.md "Performance targets"), load average at the end ${load()}, ${Math.round((Date.now() - startedAt) / 1000)} s in all\n`);
for (const line of targets) process.stdout.write(`- ${line}\n`);
