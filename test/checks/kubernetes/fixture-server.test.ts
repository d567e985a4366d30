import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, parseLabelSelector } from '../../../fixtures/kubernetes/api-server.mjs';
import { runProcess } from '../../../src/sdk/index.js';
import { startFixtureApi, type FixtureApiServer } from '../../helpers/kubernetes/api-server.js';

let server: FixtureApiServer;
beforeAll(async () => {
  server = await startFixtureApi();
});
afterAll(async () => server?.close());

const kubectl = (...args: string[]) => runProcess(['kubectl', '--kubeconfig', server.kubeconfigPath, '--context', 'fixture', ...args], { env: { PATH: process.env.PATH, HOME: server.dir } });

describe('fixture Kubernetes API server', () => {
  it('every scenario loads, and overlays replace and remove objects of their base', () => {
    for (const name of ['healthy', 'rollout-stuck', 'rollout-progressing', 'crashloop', 'latest-image', 'pdb-blocking', 'no-network-policy', 'cert-not-ready']) {
      expect(loadScenario(name).objects.length).toBeGreaterThan(10);
    }
    const names = loadScenario('no-network-policy').objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name);
    expect(names).toEqual(['allow-ingress-from-gateway']);
  });

  it('parses label selectors as the API server does', () => {
    const select = parseLabelSelector('app=api,tier in (backend, web),!canary,track!=beta');
    expect(select({ app: 'api', tier: 'web' })).toBe(true);
    expect(select({ app: 'api', tier: 'web', canary: 'x' })).toBe(false);
    expect(select({ app: 'api', tier: 'db' })).toBe(false);
    expect(select({ app: 'api', tier: 'backend', track: 'beta' })).toBe(false);
  });

  it('serves kubectl: discovery, label selectors, CRDs by short name', async () => {
    server.load('healthy');
    const pods = await kubectl('get', 'pods', '-l', 'app=api,pod-template-hash=7d9f8c6b5', '-o', 'json');
    expect(JSON.parse(pods.stdout).items).toHaveLength(3);
    const certs = await kubectl('get', 'cert', '-o', 'name');
    expect(certs.stdout.trim()).toBe('certificate.cert-manager.io/api-tls');
  });

  it('creates and updates Leases with optimistic concurrency (for run locks)', async () => {
    const lib = await import('@kubernetes/client-node');
    const kc = new lib.KubeConfig();
    kc.loadFromFile(server.kubeconfigPath);
    kc.setCurrentContext('fixture');
    const leases = kc.makeApiClient(lib.CoordinationV1Api);
    const body = { metadata: { name: 'rollout-payments', namespace: 'payments' }, spec: { holderIdentity: 'ci-1', leaseDurationSeconds: 60 } };
    const created = await leases.createNamespacedLease({ namespace: 'payments', body });
    await expect(leases.createNamespacedLease({ namespace: 'payments', body })).rejects.toMatchObject({ code: 409 });
    const updated = await leases.replaceNamespacedLease({ name: 'rollout-payments', namespace: 'payments', body: { ...created, spec: { ...created.spec, holderIdentity: 'ci-2' } } });
    expect(updated.spec?.holderIdentity).toBe('ci-2');
    // A writer holding the old resourceVersion loses.
    await expect(leases.replaceNamespacedLease({ name: 'rollout-payments', namespace: 'payments', body: { ...created, spec: { ...created.spec, holderIdentity: 'ci-3' } } })).rejects.toMatchObject({ code: 409 });
    const read = await leases.readNamespacedLease({ name: 'rollout-payments', namespace: 'payments' });
    expect(read.spec?.holderIdentity).toBe('ci-2');
  });

  it('starts from the command line for the demo, serves kubectl, and stops on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn('node', ['fixtures/kubernetes/api-server.mjs', '--scenario', 'crashloop'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const firstLine = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('\n')) resolve(text.split('\n')[0]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const line = JSON.parse(firstLine);
    expect(line).toMatchObject({ url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/), contexts: ['fixture', 'fixture-limited', 'elsewhere'], namespace: 'payments' });
    const pods = await runProcess(['kubectl', '--kubeconfig', line.kubeconfig, '--context', 'fixture', 'get', 'pods', '-o', 'json'], { env: { PATH: process.env.PATH, HOME: server.dir } });
    expect(JSON.parse(pods.stdout).items.some((p: any) => p.status.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff')).toBe(true);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const { existsSync } = await import('node:fs');
    expect(existsSync(line.kubeconfig)).toBe(false);
  });
});
