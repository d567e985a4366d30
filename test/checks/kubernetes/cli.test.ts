import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollout, statuses, workspace } from '../../helpers/cli.js';
import { startFixtureApi, type FixtureApiServer } from '../../helpers/kubernetes/api-server.js';

// The example playbook through the built CLI, as CI would run it, against the fixture cluster.
let server: FixtureApiServer;
let evidenceDir: string;
beforeAll(async () => {
  server = await startFixtureApi();
  evidenceDir = workspace({});
});
afterAll(async () => server?.close());

const check = (args: string[], playbook = 'playbooks/kubernetes.yaml', cwd?: string) =>
  rollout(['check', '-p', playbook, '--reporter', 'json', '--evidence-dir', evidenceDir, ...args], { env: { KUBECONFIG: server.kubeconfigPath }, ...(cwd ? { cwd } : {}) });

describe('playbooks/kubernetes.yaml through the CLI', () => {
  it('passes every gate on a healthy cluster, kubectl confined to the context, no secret data in the evidence', async () => {
    server.load('healthy');
    const run = await check(['--env', 'demo']);
    expect(run.exitCode).toBe(0);
    expect(Object.values(statuses(run.json)).every((s) => s === 'pass')).toBe(true);
    expect(statuses(run.json)['kubectl-confined']).toBe('pass');
    expect(server.stats.secretDataServed).toBe(0);
    expect(readFileSync(run.json.evidence, 'utf8')).not.toMatch(/fixture-secret-value|Zml4dHVyZS1zZWNyZXQ/);
  });

  it('fails on a crash-looping pod and explains which pod and why', async () => {
    server.load('crashloop');
    const run = await check(['--env', 'demo', '--only', 'api-pods']);
    expect(run.exitCode).toBe(1);
    const node = run.json.nodes.find((n: { id: string }) => n.id === 'api-pods');
    expect(node.status).toBe('fail');
    expect(JSON.stringify(node)).toMatch(/api-7d9f8c6b5-a1b2c: api: CrashLoopBackOff \(restarts 7, last exit 1 Error\)/);
  });

  it('fails on :latest images, and on a certificate not Ready with the app out of sync', async () => {
    for (const [scenario, only] of [['latest-image', ['images-pinned']], ['cert-not-ready', ['tls-ready', 'argo-synced']]] as const) {
      server.load(scenario);
      const run = await check(['--env', 'demo', '--only', only.join(',')]);
      if (!run.json) throw new Error(`${scenario}: exit ${run.exitCode}: ${run.stderr}${run.stdout.slice(0, 500)}`);
      expect({ scenario, exitCode: run.exitCode, statuses: statuses(run.json) }).toEqual({ scenario, exitCode: 1, statuses: Object.fromEntries(only.map((id) => [id, 'fail'])) });
    }
  });

  it('refuses an environment whose context does not exist: exit 2, nothing sent to any cluster', async () => {
    server.load('healthy');
    const run = await rollout(['check', '-p', 'playbooks/kubernetes.yaml', '--env', 'staging', '--evidence-dir', evidenceDir], { env: { KUBECONFIG: server.kubeconfigPath } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/context "staging" does not exist .*refusing to fall back to the current context/);
    expect(server.stats.requests).toEqual([]);
  });

  it('a forbidden read is an error (exit 3), naming the verb and resource', async () => {
    server.load('healthy');
    const dir = workspace({
      'rollout.yaml': [
        'version: 1',
        'name: limited',
        'environments:',
        '  ci: { kubernetes: { context: fixture-limited, namespace: payments } }',
        'gates:',
        '  - { id: secret, uses: kubernetes.exists, with: { kind: Secret, name: api-db-credentials } }',
        '  - { id: pods, uses: kubernetes.pods, with: { selector: app=api } }',
        '  - { id: rollout, uses: kubernetes.rollout, with: { name: api } }',
      ].join('\n'),
    });
    const run = await check(['--env', 'ci'], 'rollout.yaml', dir);
    if (!run.json) throw new Error(`exit ${run.exitCode}: ${run.stderr}${run.stdout.slice(0, 500)}`);
    expect(run.exitCode).toBe(3);
    expect(statuses(run.json)).toEqual({ secret: 'error', pods: 'error', rollout: 'pass' });
    expect(run.json.nodes.find((n: { id: string }) => n.id === 'secret').message).toMatch(/forbidden \(403\): context "fixture-limited" may not get secrets "api-db-credentials"/);
  });
});

describe('kubernetes.rollout through the CLI at short timeouts', () => {
  const playbook = (timeout: string, extra = '') =>
    workspace({
      'rollout.yaml': [
        'version: 1',
        'name: short',
        'environments:',
        '  ci: { kubernetes: { context: fixture, namespace: payments } }',
        'gates:',
        `  - { id: api, uses: kubernetes.rollout, with: { name: api${extra} }, timeout: ${timeout} }`,
        `  - { id: agent, uses: kubernetes.rollout, with: { kind: DaemonSet, name: node-agent${extra} }, timeout: ${timeout} }`,
      ].join('\n'),
    });

  it.each(['1s', '2s'])('a rollout still under way fails with kubectl reason at timeout %s, never an error', async (timeout) => {
    server.load('healthy');
    // A controller that has updated one replica of three and makes no more progress.
    const api = server.get('apps/v1', 'Deployment', 'payments', 'api');
    server.upsert({ ...api, status: { ...api.status, updatedReplicas: 1 } });
    const run = await check(['--env', 'ci', '--only', 'api'], 'rollout.yaml', playbook(timeout));
    if (!run.json) throw new Error(`exit ${run.exitCode}: ${run.stderr}${run.stdout.slice(0, 500)}`);
    const node = run.json.nodes.find((n: { id: string }) => n.id === 'api');
    expect({ exitCode: run.exitCode, status: node.status, message: node.message }).toEqual({ exitCode: 1, status: 'fail', message: expect.any(String) });
    expect(node.message).toContain('Waiting for deployment "api" rollout to finish: 1 out of 3 new replicas have been updated...');
  });

  it('wait: false reports the current state at once', async () => {
    server.load('rollout-stuck');
    const started = Date.now();
    const run = await check(['--env', 'ci', '--only', 'agent'], 'rollout.yaml', playbook('30s', ', wait: false'));
    if (!run.json) throw new Error(`exit ${run.exitCode}: ${run.stderr}${run.stdout.slice(0, 500)}`);
    const agent = run.json.nodes.find((n: { id: string }) => n.id === 'agent');
    expect(agent.status).toBe('fail');
    expect(agent.message).toContain('Waiting for daemon set "node-agent" rollout to finish: 1 out of 3 new pods have been updated...');
    expect(agent.durationMs).toBeLessThan(5_000);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
