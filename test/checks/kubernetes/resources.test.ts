import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import condition from '../../../checks/kubernetes/condition.js';
import exists from '../../../checks/kubernetes/exists.js';
import networkPolicy from '../../../checks/kubernetes/network-policy.js';
import pods from '../../../checks/kubernetes/pods.js';
import rollout from '../../../checks/kubernetes/rollout.js';
import { kubeSettings, runKind, startFixtureApi, type FixtureApiServer } from '../../helpers/kubernetes/api-server.js';

let server: FixtureApiServer;
beforeAll(async () => {
  server = await startFixtureApi();
});
afterAll(async () => server?.close());
beforeEach(() => {
  server.load('healthy');
  server.setSlowMs(0);
});

describe('kubernetes.network-policy', () => {
  it('passes with default-deny both ways and the named allow policies', async () => {
    const result = await runKind(networkPolicy, { allow: ['allow-ingress-from-gateway', 'allow-egress-dns'] }, server);
    expect(result).toMatchObject({ status: 'pass', reasons: ['ingress denied by default (default-deny)', 'egress denied by default (default-deny)', 'allow-ingress-from-gateway exists', 'allow-egress-dns exists'] });
  });

  it('fails without default-deny and names the missing allow policy', async () => {
    server.load('no-network-policy');
    const result = await runKind(networkPolicy, { allow: ['allow-egress-dns'] }, server);
    expect(result).toMatchObject({
      status: 'fail',
      reasons: [
        'no default-deny ingress policy in namespace payments (podSelector {} with policyTypes [Ingress] and no ingress rules)',
        'no default-deny egress policy in namespace payments (podSelector {} with policyTypes [Egress] and no egress rules)',
        'NetworkPolicy allow-egress-dns does not exist in namespace payments',
      ],
    });
  });

  it('does not take a policy with rules for a default deny', async () => {
    server.load('no-network-policy');
    server.upsert({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'open', namespace: 'payments' }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] } });
    server.upsert({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-in', namespace: 'payments' }, spec: { podSelector: {} } });
    const result = await runKind(networkPolicy, {}, server);
    expect(result).toMatchObject({ status: 'fail', reasons: [expect.stringMatching(/^no default-deny egress/)] });
  });
});

describe('kubernetes.condition', () => {
  it('observes a cert-manager Certificate Ready condition', async () => {
    const ready = await runKind(condition, { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name: 'api-tls' }, server);
    expect(ready).toMatchObject({ observed: 'True' });
    server.load('cert-not-ready');
    const notReady = await runKind(condition, { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name: 'api-tls' }, server);
    expect(notReady).toMatchObject({ observed: 'False', outputs: { reason: 'DoesNotExist' }, details: { notes: ['Certificate/api-tls Ready=False (DoesNotExist): Issuing certificate as Secret does not exist'] } });
  });

  it('observes an Argo CD Application sync status through a field path', async () => {
    const synced = await runKind(condition, { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', name: 'payments', field: 'status.sync.status' }, server);
    expect(synced).toMatchObject({ observed: 'Synced' });
    server.load('cert-not-ready');
    const outOfSync = await runKind(condition, { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', name: 'payments', field: 'status.sync.status' }, server);
    expect(outOfSync).toMatchObject({ observed: 'OutOfSync' });
  });

  it('observes built-in conditions too, and no data when the condition is absent', async () => {
    const available = await runKind(condition, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', condition: 'Available' }, server);
    expect(available).toMatchObject({ observed: 'True' });
    const missing = await runKind(condition, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', condition: 'ReplicaFailure' }, server);
    expect(missing).toMatchObject({ observed: null, details: { notes: ['Deployment/api has no ReplicaFailure condition (conditions: Available, Progressing)'] } });
  });

  it('is an error when the group is not served or the object is missing', async () => {
    const noCrd = await runKind(condition, { apiVersion: 'example.io/v1', kind: 'Widget', name: 'x' }, server);
    expect(noCrd).toEqual(expect.objectContaining({ error: 'the API server does not serve example.io/v1 (is the CRD installed?)' }));
    const missing = await runKind(condition, { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name: 'nope' }, server);
    expect(missing).toEqual(expect.objectContaining({ error: expect.stringMatching(/not found \(404\): get certificates.cert-manager.io "nope"/) }));
  });

  it('refuses Secrets at validation', () => {
    expect(condition.params.safeParse({ apiVersion: 'v1', kind: 'Secret', name: 'x' }).success).toBe(false);
  });
});

describe('kubernetes.exists', () => {
  it('observes true for a Secret without ever receiving its data', async () => {
    const result = await runKind(exists, { kind: 'Secret', name: 'api-db-credentials' }, server);
    expect(result).toMatchObject({ observed: true, outputs: { uid: 'uid-secret-api-db-credentials' } });
    expect(server.stats.secretDataServed).toBe(0);
    expect(server.stats.requests).toContain('GET /api/v1/namespaces/payments/secrets/api-db-credentials');
    expect(JSON.stringify(result)).not.toMatch(/Zml4dHVyZS1zZWNyZXQ|fixture-secret-value/);
  });

  it('observes false for a missing resource, so absence can be asserted', async () => {
    const result = await runKind(exists, { kind: 'Secret', name: 'missing' }, server);
    expect(result).toMatchObject({ observed: false });
    expect(exists.defaultExpect).toBe('== true');
  });

  it('works for any kind', async () => {
    const result = await runKind(exists, { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name: 'api-tls' }, server);
    expect(result).toMatchObject({ observed: true });
  });
});

describe('faults', () => {
  it('a 403 is an error naming the verb and the resource', async () => {
    const secret = await runKind(exists, { kind: 'Secret', name: 'api-db-credentials' }, server, { context: 'fixture-limited' });
    expect(secret).toEqual(expect.objectContaining({ error: expect.stringMatching(/^forbidden \(403\): context "fixture-limited" may not get secrets "api-db-credentials" in namespace payments: .*cannot get resource "secrets"/) }));
    const list = await runKind(pods, { selector: 'app=api' }, server, { context: 'fixture-limited' });
    expect(list).toEqual(expect.objectContaining({ error: expect.stringMatching(/^forbidden \(403\): context "fixture-limited" may not list pods in namespace payments/) }));
  });

  it('rejected credentials are an error (401)', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const path = `${server.dir}/bad-token`;
    writeFileSync(path, readFileSync(server.kubeconfigPath, 'utf8').replace(server.tokens.admin, 'expired-token-0123456789'));
    const result = await runKind(pods, { selector: 'app=api' }, server, { settings: { kubeconfig: path, context: 'fixture', namespace: 'payments' } });
    expect(result).toEqual(expect.objectContaining({ error: expect.stringMatching(/^unauthorized \(401\): context "fixture" could not list pods in namespace payments/) }));
  });

  it('an unreachable API server is an error, never a pass or fail', async () => {
    const down = await startFixtureApi();
    const settings = kubeSettings(down);
    await down.close();
    const { writeFileSync } = await import('node:fs');
    // The stopped server's kubeconfig went with its directory: write one that points at its port.
    const kubeconfig = `${server.dir}/down-config`;
    const { stringify } = await import('yaml');
    writeFileSync(kubeconfig, stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'fixture',
      clusters: [{ name: 'fixture', cluster: { server: down.url, 'certificate-authority-data': down.caData } }],
      users: [{ name: 'u', user: { token: down.tokens.admin } }],
      contexts: [{ name: 'fixture', context: { cluster: 'fixture', user: 'u' } }],
    }));
    const result = await runKind(rollout, { name: 'api' }, server, { settings: { ...settings, kubeconfig } });
    expect(result).toEqual(expect.objectContaining({ error: expect.stringMatching(new RegExp(`^cannot reach the Kubernetes API at ${down.url.replace(/\./g, '\\.')} \\(context "fixture"\\) to get deployments "api" in namespace payments: ECONNREFUSED`)) }));
  });

  it('a server slower than the timeout is an error within the timeout', async () => {
    server.setSlowMs(3000);
    const started = Date.now();
    const result = await runKind(pods, { selector: 'app=api' }, server, { timeoutMs: 500 });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(result).toEqual(expect.objectContaining({ error: expect.stringMatching(/^no answer from the API server at https:\/\/127\.0\.0\.1:\d+ within 500ms \(list pods in namespace payments\)/) }));
  });

  it('a rollout poll cut by a slow server is an error, not a fail', async () => {
    server.load('rollout-stuck');
    server.setSlowMs(2000);
    const result = await runKind(rollout, { kind: 'StatefulSet', name: 'ledger' }, server, { timeoutMs: 400 });
    expect(result).toEqual(expect.objectContaining({ error: expect.stringMatching(/^no answer from the API server/) }));
  });

  it('a kind given an unknown context is an error and never uses the current context', async () => {
    const result = await runKind(pods, { selector: 'app=api' }, server, { context: 'production' });
    expect(result).toEqual(expect.objectContaining({ error: expect.stringMatching(/context "production" does not exist .*refusing to fall back/) }));
    expect(server.stats.requests).toEqual([]);
  });

  it('a node without a kubernetes connection is an error', async () => {
    const { createCheckContext } = await import('../../helpers/check-context.js');
    const ctx = createCheckContext({});
    const result = await pods.run(pods.params.parse({ selector: 'app=api' }), ctx);
    await ctx.close();
    expect(result).toEqual({ error: expect.stringMatching(/no kubernetes: settings/) });
  });
});
