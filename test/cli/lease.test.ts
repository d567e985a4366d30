import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { CLI, rollout, workspace } from '../helpers/cli.js';
import { startFixtureApi, type FixtureApiServer } from '../helpers/kubernetes/api-server.js';

let server: FixtureApiServer;
beforeAll(async () => {
  server = await startFixtureApi();
});
afterAll(async () => {
  await server.close();
});

const playbook = (kubeconfig: string) => `version: 1
name: leased
environments:
  demo:
    kubernetes: { kubeconfig: "${kubeconfig}", context: fixture, namespace: payments }
stages:
  - id: deploy
    steps:
      - { id: slow-deploy, uses: exec, with: { command: [sh, -c, "touch started; i=0; while [ ! -f release ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done"] } }
`;

async function waitFor(predicate: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the Kubernetes Lease lock', () => {
  it('a promote holds a Lease in the namespace; a run from another machine is refused naming the holder; the Lease is released', async () => {
    const dir = workspace({ 'rollout.yaml': playbook(server.kubeconfigPath) });
    const first = spawn(process.execPath, [CLI, 'promote', '--env', 'demo', '--yes', '--reporter', 'plain'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: 'ignore' });
    const firstExit = new Promise<number | null>((resolve) => first.on('exit', resolve));
    await waitFor(() => existsSync(join(dir, 'started')));
    const lease = server.get('coordination.k8s.io/v1', 'Lease', 'payments', 'rollout-leased-demo') as { spec: { holderIdentity: string } } | undefined;
    expect(lease?.spec.holderIdentity).toMatch(/@.* pid \d+$/);
    // Another machine: its own evidence folder, so the file lock cannot see the first run.
    const second = await rollout(['promote', '--env', 'demo', '--yes', '--evidence-dir', join(dir, 'other-machine')], { cwd: dir });
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toMatch(/kubernetes: Lease payments\/rollout-leased-demo is held by .* pid \d+: rollout promote --env demo --yes/);
    // Refused before anything ran: no evidence on the other machine.
    const { readdirSync } = await import('node:fs');
    const written = existsSync(join(dir, 'other-machine', 'demo')) ? readdirSync(join(dir, 'other-machine', 'demo')).filter((f) => f.endsWith('.md')) : [];
    expect(written).toEqual([]);
    // The first run holds the Lease until the test lets its step finish (no race with a clock).
    writeFileSync(join(dir, 'release'), '');
    expect(await firstExit).toBe(0);
    expect(server.get('coordination.k8s.io/v1', 'Lease', 'payments', 'rollout-leased-demo')).toBeUndefined();
  });

  it('dry runs take no Lease', async () => {
    const dir = workspace({ 'rollout.yaml': playbook(server.kubeconfigPath) });
    const before = server.stats.requests.length;
    const run = await rollout(['promote', '--env', 'demo', '--dry-run', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode).toBe(0);
    expect(server.stats.requests.slice(before).filter((r) => r.includes('/leases'))).toEqual([]);
    expect(server.get('coordination.k8s.io/v1', 'Lease', 'payments', 'rollout-leased-demo')).toBeUndefined();
  });
});
