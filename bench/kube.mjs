#!/usr/bin/env node
// The Kubernetes benchmark of DESIGN.md "Performance targets": `rollout check` of five
// kubernetes.* nodes against the fixture API server, against five sequential `kubectl get`
// calls of the same objects on the same server (target ≤ 1.5×, client-node's load included).
// Runs interleaved; medians and ranges. kubectl keeps its discovery cache (~/.kube/cache) as
// it would on a user's machine; it is warmed by the first, unmeasured round.
//
//   node bench/kube.mjs [--runs 9] [--json] [--cli path/to/rollout.js] [--compare path/to/old/rollout.js]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApiServer } from '../fixtures/kubernetes/api-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cliArg = process.argv.indexOf('--cli');
const cli = cliArg > 0 ? process.argv[cliArg + 1] : join(root, 'dist/bundle/rollout.js');
// --compare another build's rollout.js: a third contender, to measure a change on the same machine.
const compareArg = process.argv.indexOf('--compare');
const compare = compareArg > 0 ? process.argv[compareArg + 1] : undefined;
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 9;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Five nodes, five objects; each kind reads what its kubectl line reads.
const PLAYBOOK = `version: 1
name: kube-bench
environments:
  bench:
    kubernetes: { context: fixture, namespace: payments }
gates:
  - { id: api-rolled-out, uses: kubernetes.rollout, with: { name: api } }
  - { id: ledger-rolled-out, uses: kubernetes.rollout, with: { kind: StatefulSet, name: ledger } }
  - { id: api-pods, uses: kubernetes.pods, with: { selector: "app=api,tier=backend" } }
  - { id: network, uses: kubernetes.network-policy, with: { allow: [allow-ingress-from-gateway, allow-egress-dns] } }
  - { id: config-present, uses: kubernetes.exists, with: { kind: ConfigMap, name: api-config } }
`;
const KUBECTL = [
  ['get', 'deployment', 'api'],
  ['get', 'statefulset', 'ledger'],
  ['get', 'pods', '-l', 'app=api,tier=backend'],
  ['get', 'networkpolicies'],
  ['get', 'configmap', 'api-config'],
];

export async function benchKube({ runs: n = runs, log = (line) => process.stdout.write(`${line}\n`) } = {}) {
  const server = await startApiServer({ scenario: 'healthy' });
  const dir = mkdtempSync(join(tmpdir(), 'rollout-kube-bench-'));
  try {
    writeFileSync(join(dir, 'rollout.yaml'), PLAYBOOK);
    const env = { ...process.env, KUBECONFIG: server.kubeconfigPath, NO_COLOR: '1', CI: 'true' };
    // The fixture server runs in this process: children are awaited, never spawnSync'd.
    const run = (command, args) =>
      new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${out.slice(0, 2000)}`))));
      });
    const timeRollout = async (path = cli) => {
      const start = process.hrtime.bigint();
      await run(process.execPath, [path, 'check', '--env', 'bench', '--reporter', 'json', '--evidence-dir', join(dir, 'evidence')]);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const timeKubectl = async () => {
      const start = process.hrtime.bigint();
      for (const args of KUBECTL) await run('kubectl', ['--context', 'fixture', '-n', server.namespace, ...args, '-o', 'json']);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const contenders = [
      { name: 'rollout check, 5 kubernetes.* nodes', time: () => timeRollout() },
      { name: '5 sequential kubectl get', time: timeKubectl },
      ...(compare ? [{ name: `before (${compare})`, time: () => timeRollout(compare) }] : []),
    ];
    for (const c of contenders) await c.time();
    const times = contenders.map(() => []);
    for (let i = 0; i < n; i++) {
      // Rotate the order, so no contender always runs on a warmer (or busier) machine.
      for (let j = 0; j < contenders.length; j++) {
        const c = (i + j) % contenders.length;
        times[c].push(await contenders[c].time());
      }
    }
    const range = (xs) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;
    const ratiosTo = (c) => times[c].map((t, i) => t / times[1][i]);
    contenders.forEach((c, i) => log(`kubernetes: ${c.name}: ${Math.round(median(times[i]))} ms (${range(times[i])})`));
    const ratios = ratiosTo(0);
    const result = { rolloutMs: median(times[0]), kubectlMs: median(times[1]), ratio: median(ratios), ratioRange: [Math.min(...ratios), Math.max(...ratios)], runs: n };
    log(`TARGET kubernetes: rollout check of 5 kubernetes.* nodes vs 5 sequential kubectl get: ${result.ratio.toFixed(2)}× (range ${result.ratioRange[0].toFixed(2)}–${result.ratioRange[1].toFixed(2)}, ${n} interleaved runs) — target ≤ 1.50× ${result.ratio <= 1.5 ? 'met' : 'MISSED'}`);
    if (compare) {
      const before = ratiosTo(2);
      result.beforeRatio = median(before);
      log(`  before: ${result.beforeRatio.toFixed(2)}× kubectl (range ${Math.min(...before).toFixed(2)}–${Math.max(...before).toFixed(2)})`);
    }
    return result;
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchKube();
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(result)}\n`);
}
