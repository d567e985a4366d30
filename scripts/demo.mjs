#!/usr/bin/env node
// `npm run demo`: bring up a self-contained fixture environment on loopback, run a
// playbook's readiness gates and a rollback dry run against it, say where the evidence
// is, and tear everything down.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = `${root}dist/src/cli/main.js`;
const playbook = process.env.DEMO_PLAYBOOK ?? 'playbooks/kubernetes.yaml';
const evidenceDir = process.env.DEMO_EVIDENCE ?? 'evidence';
const children = [];

function stopAll() {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
}
process.on('exit', stopAll);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

/** Starts a fixture server that prints one JSON line when it is ready. */
function startFixture(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line)));
  });
}

function rollout(args, env) {
  console.log(`\n$ rollout ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

if (!existsSync(cli)) {
  console.error('dist/ is missing: run `npm ci` (it builds) or `npm run build` first.');
  process.exit(2);
}

const kube = await startFixture(['fixtures/kubernetes/api-server.mjs', '--scenario', 'healthy']);
console.log(`fixture Kubernetes API server: ${kube.url} (namespace ${kube.namespace})`);
const env = { KUBECONFIG: kube.kubeconfig };

const checkCode = await rollout(['check', '-p', playbook, '--env', 'demo', '--evidence-dir', evidenceDir], env);
const hasRollback = (await new Promise((resolve) => spawn(process.execPath, [cli, 'rollback', '--help'], { stdio: 'ignore' }).on('exit', resolve))) === 0;
let rollbackCode = 0;
if (hasRollback) rollbackCode = await rollout(['rollback', '-p', playbook, '--env', 'demo', '--dry-run', '--evidence-dir', evidenceDir], env);

console.log(`\ndemo: check exited ${checkCode}${hasRollback ? `, rollback --dry-run exited ${rollbackCode}` : ''}; evidence in ${evidenceDir}/demo/ (rollout evidence verify ${evidenceDir})`);
stopAll();
process.exit(checkCode === 0 && rollbackCode === 0 ? 0 : 1);
