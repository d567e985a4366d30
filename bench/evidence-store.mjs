#!/usr/bin/env node
// The cost per run of the evidence store: appending one evidence file (the chain's tip read,
// the file composed and stored) through `file:DIR` and through `git+file://…#branch` on a
// local bare repository (one `git fetch`, a commit, a `git push`), interleaved, N runs each;
// also a reader's cost when nothing changed (one fetch, the tree listed, the chain read).
// Each git run opens a new store, as a new `rollout` process would; the cache stays warm.
//
//   npm run build && node bench/evidence-store.mjs [--runs 30]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { openEvidenceStore } = await import(join(root, 'dist/src/evidence/open-store.js'));
const { appendEvidence } = await import(join(root, 'dist/src/evidence/write.js'));
const { readEvidence } = await import(join(root, 'dist/src/evidence/read-back.js'));

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []));
const runs = Number(args.runs ?? 30);

const work = mkdtempSync(join(tmpdir(), 'rollout-bench-store-'));
const bare = join(work, 'evidence.git');
execFileSync('git', ['init', '--bare', '--quiet', bare]);
const specs = { file: `file:${join(work, 'evidence')}`, git: `git+file://${bare}#evidence` };
const cache = join(work, 'cache');

function result(startedAt) {
  return {
    tool: { name: 'rollout', version: 'bench' },
    playbook: { name: 'bench', file: '/bench/rollout.yaml', sha256: 'a'.repeat(64) },
    env: 'production', command: 'check', dryRun: false, partial: false,
    startedAt, endedAt: startedAt, durationMs: 1, interrupted: false, verdict: 'pass', exitCode: 0,
    nodes: Array.from({ length: 20 }, (_, i) => ({ id: `gate-${i}`, baseId: `gate-${i}`, kind: 'exec', title: `Gate ${i}`, role: 'gate', severity: 'blocker', status: 'pass', durationMs: 1, attempts: 1, message: 'exit 0', outputs: {}, params: { command: ['true'] } })),
  };
}
const meta = { user: 'bench', host: 'bench', ci: 'none', commandLine: 'rollout check --env production', edges: [] };

const times = { file: [], git: [], gitRead: [] };
let clock = Date.parse('2026-11-29T00:00:00.000Z');
for (let i = 0; i < runs; i++) {
  for (const kind of ['file', 'git']) {
    const startedAt = new Date((clock += 1000)).toISOString();
    const t0 = process.hrtime.bigint();
    const store = openEvidenceStore(specs[kind], cache).store;
    const written = appendEvidence(store, result(startedAt), { redact: (t) => t, meta, spoolDir: join(work, 'spool') });
    times[kind].push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (!written.ok) throw new Error(written.message);
  }
  const t0 = process.hrtime.bigint();
  const listed = readEvidence(openEvidenceStore(specs.git, cache).store, 'production', 'bench');
  times.gitRead.push(Number(process.hrtime.bigint() - t0) / 1e6);
  if (listed.length !== i + 1) throw new Error(`read ${listed.length} files, expected ${i + 1}`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => `median ${median(xs).toFixed(1)} ms (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)})`;
console.log(`git ${execFileSync('git', ['--version'], { encoding: 'utf8' }).trim()}, node ${process.version}, ${runs} runs each, interleaved; chain grows to ${runs} files`);
console.log(`file:DIR append              ${fmt(times.file)}`);
console.log(`git+file:// append           ${fmt(times.git)}   (fetch + commit + push)`);
console.log(`git+file:// read, unchanged  ${fmt(times.gitRead)}   (fetch + ls-tree + cat-file)`);
rmSync(work, { recursive: true, force: true });
