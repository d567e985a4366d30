#!/usr/bin/env node
// Load benchmark of `rollout serve` (DESIGN.md "Serve mode", issue 14): 50 concurrent callers
// on a 20-node playbook of exec/http/file checks, by autocannon over real HTTP against the
// built server in a subprocess. Two modes, run one after the other on a fresh server each:
//   coalesced — every caller asks the same question (GET /v1/gates/bench/staging): requests in
//               flight share one run, as a fleet of controllers polling one gate does;
//   distinct  — every request carries its own `at` (POST /v1/check), so no two share a run:
//               the cache-free case the DESIGN target (p99 ≤ 1 s) is about.
// Reports p50/p99 latency, throughput, non-2xx answers, the server's RSS before and after,
// and its open file descriptors after (/proc/PID/fd).
//
//   npm run build && node bench/serve.mjs [--requests 10000] [--warmup 1000] [--connections 50] [--max-runs 4] [--mode both|coalesced|distinct]
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/bundle/rollout.js');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const requests = Number(arg('requests', '10000'));
const connections = Number(arg('connections', '50'));
const maxRuns = arg('max-runs', '4');
const warmup = Number(arg('warmup', '1000'));
const mode = arg('mode', 'both');
const TOKEN = 'bench-token-0123456789abcdef';

/** 8 exec, 6 http, 6 file nodes; a few `needs` so the DAG is not flat. */
function playbook(httpUrl, dataDir) {
  const lines = ['version: 1', 'name: bench', 'environments: { staging: {} }', 'gates:'];
  for (let i = 0; i < 8; i++) lines.push(`  - { id: exec-${i}, uses: exec, with: { command: ["true"] }${i > 3 ? `, needs: [exec-${i - 4}]` : ''} }`);
  for (let i = 0; i < 6; i++) lines.push(`  - { id: http-${i}, uses: http, with: { url: "${httpUrl}/health/${i}" }, observe: "json:$.status", expect: "== ok" }`);
  for (let i = 0; i < 6; i++) lines.push(`  - { id: file-${i}, uses: file, with: { path: "${dataDir}/f${i}.txt", pattern: "ready" }, observe: contains }`);
  return `${lines.join('\n')}\n`;
}

function rssKiB(pid) {
  const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}
const openFds = (pid) => readdirSync(`/proc/${pid}/fd`).length;
/** CPU seconds of the server itself (utime+stime) and of its reaped children, the exec checks (cutime+cstime). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ').map(Number);
  return { server: (fields[11] + fields[12]) / 100, children: (fields[13] + fields[14]) / 100 };
}
/**
 * The server's V8 heap in use after a full GC, from its own /metrics (prom-client's default
 * metrics). A heap snapshot (--heapsnapshot-signal) collects garbage first, so what is left
 * is what the server retains; the snapshot file is removed.
 */
async function heapUsedMiB(url, pid, dir) {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const file = readdirSync(dir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
    // Written once the size stops changing.
    if (file) {
      const size = () => statSync(join(dir, file)).size;
      let last = -1;
      while (size() !== last) {
        last = size();
        await new Promise((r) => setTimeout(r, 300));
      }
      rmSync(join(dir, file));
      break;
    }
  }
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  const match = /^rollout_serve_nodejs_heap_size_used_bytes (\S+)/m.exec(text);
  return match ? Number((Number(match[1]) / 1048576).toFixed(1)) : null;
}

async function startServe(dir) {
  const child = spawn(process.execPath, [cli, 'serve', '--listen', '127.0.0.1:0', '--playbooks', 'pb', '--token-file', 'tokens', '--evidence-dir', 'evidence', '--max-runs', maxRuns, '--max-queued', String(connections * 2), '--request-timeout', '60s'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: '--heapsnapshot-signal=SIGUSR2' } });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr };
}

function load(options) {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ connections, amount: requests, timeout: 120, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

async function measure(name, dir, options) {
  rmSync(join(dir, 'evidence'), { recursive: true, force: true });
  const served = await startServe(dir);
  const pid = served.child.pid;
  // One warm-up run loads the kinds and the playbook, as any first caller would.
  const warm = await (await fetch(`${served.url}/v1/gates/bench/staging`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
  if (warm.verdict !== 'pass') throw new Error(`the bench playbook does not pass: ${JSON.stringify(warm).slice(0, 2000)}`);
  const rssStart = rssKiB(pid);
  // A warm-up load first: the heap grows to its working size (V8 sizes its young generation and
  // code caches under load), so before/after compares steady states, not start-up against load.
  if (warmup > 0) await load({ ...options, amount: warmup, url: `${served.url}${options.path}` });
  const rssBefore = rssKiB(pid);
  const fdsBefore = openFds(pid);
  const heapBefore = await heapUsedMiB(served.url, pid, dir);
  const uptimeBefore = readFileSync('/proc/loadavg', 'utf8').trim();
  const cpuBefore = cpuSeconds(pid);
  const samples = [];
  const sampler = setInterval(() => samples.push(rssKiB(pid)), 1000);
  const started = Date.now();
  const result = await load({ ...options, url: `${served.url}${options.path}` });
  const seconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  const cpuAfter = cpuSeconds(pid);
  await new Promise((r) => setTimeout(r, 1000));
  const rssAfter = rssKiB(pid);
  const fdsAfter = openFds(pid);
  const heapAfter = await heapUsedMiB(served.url, pid, dir);
  const evidenceFiles = readdirSync(join(dir, 'evidence'), { recursive: true }).filter((f) => String(f).endsWith('.md') || String(f).endsWith('.json')).length;
  if (process.env.BENCH_DEBUG) process.stderr.write(served.stderr().slice(0, 3000));
  served.child.kill('SIGTERM');
  await new Promise((r) => served.child.on('exit', r));
  return {
    mode: name,
    requests: result.requests.total,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, v]) => [code, v.count])),
    errors: result.errors,
    timeouts: result.timeouts,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    throughputPerS: Number((result.requests.total / seconds).toFixed(1)),
    seconds: Number(seconds.toFixed(1)),
    // CPU the server and its children spent per request; with 2 cores free this bounds throughput at 2 / cpuMsPerRequest.
    cpuMsPerRequest: Number((((cpuAfter.server + cpuAfter.children - cpuBefore.server - cpuBefore.children) * 1000) / result.requests.total).toFixed(1)),
    serverCpuMsPerRequest: Number((((cpuAfter.server - cpuBefore.server) * 1000) / result.requests.total).toFixed(1)),
    rssStartMiB: Number((rssStart / 1024).toFixed(1)),
    rssBeforeMiB: Number((rssBefore / 1024).toFixed(1)),
    rssMaxDuringMiB: Number((Math.max(...samples) / 1024).toFixed(1)),
    rssAfterMiB: Number((rssAfter / 1024).toFixed(1)),
    heapUsedBeforeMiB: heapBefore,
    heapUsedAfterMiB: heapAfter,
    fdsBefore,
    fdsAfter,
    evidenceFiles,
    loadavgBefore: uptimeBefore,
    loadavgAfter: readFileSync('/proc/loadavg', 'utf8').trim(),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'rollout-serve-bench-'));
const health = createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'));
await new Promise((r) => health.listen(0, '127.0.0.1', r));
try {
  mkdirSync(join(dir, 'pb'));
  mkdirSync(join(dir, 'data'));
  for (let i = 0; i < 6; i++) writeFileSync(join(dir, 'data', `f${i}.txt`), 'service ready\n');
  writeFileSync(join(dir, 'pb', 'bench.yaml'), playbook(`http://127.0.0.1:${health.address().port}`, join(dir, 'data')));
  writeFileSync(join(dir, 'tokens'), `bench ${TOKEN}\n`);
  const epochMs = Date.parse('2026-01-01T00:00:00Z');
  let n = 0;
  const results = [];
  const load1 = loadavg().map((x) => x.toFixed(2)).join(', ');
  if (mode === 'both' || mode === 'coalesced') results.push(await measure('coalesced', dir, { path: '/v1/gates/bench/staging' }));
  if (mode === 'both' || mode === 'distinct') {
    results.push(await measure('distinct', dir, {
      method: 'POST',
      path: '/v1/check',
      // A distinct `at` per request: a distinct question, so no run is shared.
      requests: [{ method: 'POST', path: '/v1/check', setupRequest: (req) => ({ ...req, body: JSON.stringify({ playbook: 'bench', env: 'staging', at: new Date(epochMs + ++n * 1000).toISOString() }) }) }],
    }));
  }
  const load2 = loadavg().map((x) => x.toFixed(2)).join(', ');
  console.log(JSON.stringify({ connections, requests, warmup, maxRuns: Number(maxRuns), cpus: (await import('node:os')).cpus().length, loadBefore: load1, loadAfter: load2, results }, null, 2));
} finally {
  health.close();
  rmSync(dir, { recursive: true, force: true });
}
