import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import condition from '../../../checks/kubernetes/condition.js';
import exists from '../../../checks/kubernetes/exists.js';
import { runProcess } from '../../../src/sdk/index.js';
import { runKind, startFixtureApi, type FixtureApiServer } from '../../helpers/kubernetes/api-server.js';

// Kinds resolve as kubectl resolves them: Kind, plural, singular, short name, resource.group,
// across every API group the server lists — including kinds a CRD adds.
let server: FixtureApiServer;
beforeAll(async () => {
  server = await startFixtureApi();
});
afterAll(async () => server?.close());
beforeEach(() => server.load('healthy'));

describe('kubernetes.exists resolves kinds across API groups', () => {
  it.each(['Deployment', 'deployment', 'deployments', 'deploy', 'deployments.apps', 'Deployment.apps', 'deployments.v1.apps'])('finds the api Deployment as %s', async (kind) => {
    const result = await runKind(exists, { kind, name: 'api' }, server);
    expect(result).toMatchObject({ observed: true, outputs: { uid: expect.any(String) } });
  });

  it('finds a CRD kind (cert-manager Certificate) without an apiVersion, and by its short name', async () => {
    expect(await runKind(exists, { kind: 'Certificate', name: 'api-tls' }, server)).toMatchObject({ observed: true });
    expect(await runKind(exists, { kind: 'cert', name: 'api-tls' }, server)).toMatchObject({ observed: true });
  });

  it('finds a kind added by a CRD installed after start, as kubectl get does', async () => {
    server.upsert({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'rollouts.argoproj.io' },
      spec: { group: 'argoproj.io', scope: 'Namespaced', names: { kind: 'Rollout', plural: 'rollouts', singular: 'rollout', shortNames: ['ro'] }, versions: [{ name: 'v1alpha1', served: true, storage: true }] },
    });
    server.upsert({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'web', namespace: 'payments' }, spec: {} });
    expect(await runKind(exists, { kind: 'Rollout', name: 'web' }, server)).toMatchObject({ observed: true });
    const kubectl = await runProcess(['kubectl', '--kubeconfig', server.kubeconfigPath, '--context', 'fixture', '-n', 'payments', 'get', 'ro', 'web', '-o', 'name'], {});
    expect(kubectl.stdout.trim()).toBe('rollout.argoproj.io/web');
  });

  it('an apiVersion narrows the search; a kind that is not there says so as kubectl does', async () => {
    expect(await runKind(exists, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, server)).toMatchObject({ observed: true });
    expect(await runKind(exists, { apiVersion: 'v1', kind: 'Deployment', name: 'api' }, server)).toMatchObject({ error: expect.stringMatching(/doesn't have a resource type "Deployment" in v1/) });
    expect(await runKind(exists, { kind: 'Widget', name: 'x' }, server)).toMatchObject({ error: expect.stringMatching(/the server doesn't have a resource type "Widget"/) });
    expect(await runKind(exists, { kind: 'Deployment', name: 'nope' }, server)).toMatchObject({ observed: false });
  });

  it('reads discovery once per run, and only the core group for a core kind', async () => {
    await runKind(exists, { kind: 'Secret', name: 'api-db-credentials' }, server);
    expect(server.stats.requests.filter((r) => r.startsWith('GET /api'))).toEqual(['GET /api/v1', 'GET /api/v1/namespaces/payments/secrets/api-db-credentials']);
  });

  it('kubernetes.condition takes the kind the same way', async () => {
    expect(await runKind(condition, { kind: 'Certificate', name: 'api-tls' }, server)).toMatchObject({ observed: 'True' });
    expect(await runKind(condition, { kind: 'deploy', name: 'api', condition: 'Available' }, server)).toMatchObject({ observed: 'True' });
  });
});

describe('the fixture API server serves discovery from its fixtures', () => {
  it('kubectl api-resources lists the built-in kinds and the CRDs of the scenario', async () => {
    const kubectl = await runProcess(['kubectl', '--kubeconfig', server.kubeconfigPath, '--context', 'fixture', 'api-resources', '--cached=false', '-o', 'name'], {});
    const names = kubectl.stdout.trim().split('\n');
    expect(names).toEqual(expect.arrayContaining(['deployments.apps', 'secrets', 'certificates.cert-manager.io', 'applications.argoproj.io', 'customresourcedefinitions.apiextensions.k8s.io']));
  });
});
