import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import rollout from '../../../checks/kubernetes/rollout.js';
import rolloutUndo from '../../../checks/kubernetes/rollout-undo.js';
import { runKind, startFixtureApi, type FixtureApiServer } from '../../helpers/kubernetes/api-server.js';

let server: FixtureApiServer;
beforeAll(async () => {
  server = await startFixtureApi();
});
afterAll(async () => server?.close());

describe('kubernetes.rollout', () => {
  beforeEach(() => server.load('healthy'));

  it.each([
    ['Deployment', 'api', /deployment "api" successfully rolled out/],
    ['StatefulSet', 'ledger', /statefulset rolling update complete 2 pods at revision ledger-6b7c8d9e0f/],
    ['DaemonSet', 'node-agent', /daemon set "node-agent" successfully rolled out/],
  ])('passes a rolled-out %s', async (kind, name, reason) => {
    const result = await runKind(rollout, { kind, name }, server);
    expect(result).toMatchObject({ status: 'pass' });
    expect((result as { reasons: string[] }).reasons[0]).toMatch(reason);
  });

  it('outputs the revision and images so a rollback can return to them', async () => {
    const result = await runKind(rollout, { name: 'api' }, server);
    expect(result).toMatchObject({ status: 'pass', outputs: { revision: 2, images: { api: expect.stringContaining(':v1.4.2@sha256:') } } });
  });

  it('fails at once when the progress deadline was exceeded', async () => {
    server.load('rollout-stuck');
    const started = Date.now();
    const result = await runKind(rollout, { name: 'api' }, server, { timeoutMs: 10_000 });
    expect(result).toMatchObject({ status: 'fail' });
    expect((result as { reasons: string[] }).reasons[0]).toMatch(/exceeded its progress deadline/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('polls a StatefulSet mid-update and fails with the last reason shortly before the timeout', async () => {
    server.load('rollout-stuck');
    const started = Date.now();
    const result = await runKind(rollout, { kind: 'StatefulSet', name: 'ledger', pollInterval: '200ms' }, server, { timeoutMs: 1500 });
    const elapsed = Date.now() - started;
    expect(result).toMatchObject({ status: 'fail' });
    expect((result as { reasons: string[] }).reasons[0]).toMatch(/^waiting for statefulset rolling update to complete 1 pods at revision ledger-7a8b9c0d1e/);
    expect((result as { reasons: string[] }).reasons[1]).toMatch(/^not rolled out after /);
    expect(elapsed).toBeGreaterThan(1000);
    expect(elapsed).toBeLessThan(1500);
  });

  it('fails a DaemonSet that has updated only some nodes', async () => {
    server.load('rollout-stuck');
    const result = await runKind(rollout, { kind: 'DaemonSet', name: 'node-agent', pollInterval: '100ms' }, server, { timeoutMs: 600 });
    expect((result as { reasons: string[] }).reasons[0]).toMatch(/1 out of 3 new pods have been updated/);
  });

  it('waits for a rollout that completes while it polls', async () => {
    server.load('rollout-progressing');
    const result = await runKind(rollout, { name: 'api', pollInterval: '100ms' }, server, { timeoutMs: 5000 });
    expect(result).toMatchObject({ status: 'pass' });
    expect(result.logs[0]).toMatch(/2 out of 3 new replicas have been updated/);
    expect(result.logs.length).toBe(3);
  });

  it('waits while the controller has not observed the new generation', async () => {
    const api = server.get('apps/v1', 'Deployment', 'payments', 'api');
    server.upsert({ ...api, metadata: { ...api.metadata, generation: 5 } });
    server.addTransition({ target: { kind: 'Deployment', name: 'api' }, afterReads: 2, patch: { status: { observedGeneration: 5 } } });
    const result = await runKind(rollout, { name: 'api', pollInterval: '100ms' }, server);
    expect(result).toMatchObject({ status: 'pass' });
    expect(result.logs[0]).toMatch(/Waiting for deployment spec update to be observed\.\.\./);
  });

  it('fails when old replicas are still pending termination', async () => {
    const api = server.get('apps/v1', 'Deployment', 'payments', 'api');
    server.upsert({ ...api, status: { ...api.status, replicas: 4 } });
    const result = await runKind(rollout, { name: 'api', pollInterval: '100ms' }, server, { timeoutMs: 500 });
    expect((result as { reasons: string[] }).reasons[0]).toMatch(/1 old replicas are pending termination/);
  });

  it('is an error, not a fail, when the workload does not exist', async () => {
    const result = await runKind(rollout, { name: 'nope' }, server);
    expect(result).toEqual(expect.objectContaining({ error: expect.stringMatching(/not found \(404\): get deployments "nope" in namespace payments/) }));
  });
});

describe('kubernetes.rollout-undo', () => {
  beforeEach(() => server.load('rollout-stuck'));

  it('patches the Deployment with the previous ReplicaSet template, as kubectl does', async () => {
    const result = await runKind(rolloutUndo, { name: 'api' }, server);
    expect(result).toMatchObject({ status: 'pass', outputs: { revision: 2, images: { api: expect.stringContaining('api:v1.4.2@sha256:') } } });
    const api = server.get('apps/v1', 'Deployment', 'payments', 'api');
    expect(api.spec.template.spec.containers[0].image).toMatch(/api:v1\.4\.2@sha256:2f1c/);
    expect(api.spec.template.metadata.labels).toEqual({ app: 'api', tier: 'backend' });
    expect(api.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    expect(api.metadata.annotations['deployment.kubernetes.io/desired-replicas']).toBeUndefined();
    expect(server.stats.requests.filter((r) => r.startsWith('PATCH'))).toEqual(['PATCH /apis/apps/v1/namespaces/payments/deployments/api']);
  });

  it('produces the same Deployment as `kubectl rollout undo`', async () => {
    await runKind(rolloutUndo, { name: 'api' }, server);
    const ours = server.get('apps/v1', 'Deployment', 'payments', 'api');
    server.load('rollout-stuck');
    const { runProcess } = await import('../../../src/sdk/index.js');
    const kubectl = await runProcess(['kubectl', '--kubeconfig', server.kubeconfigPath, '--context', 'fixture', 'rollout', 'undo', 'deployment/api'], {});
    expect(kubectl.stdout).toMatch(/rolled back/);
    const theirs = server.get('apps/v1', 'Deployment', 'payments', 'api');
    // Go serialises an unset template timestamp as null; the API server drops it.
    expect(theirs.spec.template.metadata.creationTimestamp).toBeNull();
    delete theirs.spec.template.metadata.creationTimestamp;
    expect(ours.spec).toEqual(theirs.spec);
    expect(ours.metadata.annotations).toEqual(theirs.metadata.annotations);
  });

  it('rolls back to a given revision, also one captured as a string', async () => {
    const result = await runKind(rolloutUndo, { name: 'api', toRevision: '1' }, server);
    expect(result).toMatchObject({ status: 'pass', outputs: { revision: 1 } });
    expect(server.get('apps/v1', 'Deployment', 'payments', 'api').spec.template.spec.containers[0].image).toMatch(/:v1\.4\.1@/);
  });

  it('ignores ReplicaSets of another Deployment with matching labels', async () => {
    const result = await runKind(rolloutUndo, { name: 'api', toRevision: 7 }, server);
    expect(result).toEqual(expect.objectContaining({ error: expect.stringMatching(/unable to find revision 7 .*revisions: 1, 2, 3/) }));
  });

  it('skips the patch when the template already matches the target', async () => {
    server.load('healthy');
    const result = await runKind(rolloutUndo, { name: 'api', toRevision: 2 }, server);
    expect(result).toMatchObject({ status: 'pass', reasons: [expect.stringMatching(/skipped rollback/)] });
    expect(server.stats.requests.some((r) => r.startsWith('PATCH'))).toBe(false);
  });

  it('refuses a paused Deployment', async () => {
    const api = server.get('apps/v1', 'Deployment', 'payments', 'api');
    server.upsert({ ...api, spec: { ...api.spec, paused: true } });
    const result = await runKind(rolloutUndo, { name: 'api' }, server);
    expect(result).toEqual(expect.objectContaining({ error: expect.stringMatching(/paused/) }));
  });

  it('names the verb and resource when the context may not patch', async () => {
    const result = await runKind(rolloutUndo, { name: 'api' }, server, { context: 'fixture-limited' });
    expect(result).toEqual(expect.objectContaining({ error: expect.stringMatching(/forbidden \(403\): context "fixture-limited" may not patch deployments.apps "api" in namespace payments/) }));
    expect(server.get('apps/v1', 'Deployment', 'payments', 'api').spec.template.spec.containers[0].image).toMatch(/:v1\.5\.0$/);
  });

  it('preflight says what it would do without patching', async () => {
    const { createCheckContext } = await import('../../helpers/check-context.js');
    const ctx = createCheckContext({ connections: { kubernetes: { kubeconfig: server.kubeconfigPath, context: 'fixture', namespace: 'payments' } } });
    const probe = await rolloutUndo.preflight!(rolloutUndo.params.parse({ name: 'api' }), ctx);
    await ctx.close();
    expect(probe).toEqual({ ok: true, message: expect.stringMatching(/would roll back from revision 3 to 2/) });
    expect(server.stats.requests.some((r) => r.startsWith('PATCH'))).toBe(false);
  });
});

describe('kubernetes.rollout speaks kubectl', () => {
  it('fails a rollout still under way with the text kubectl rollout status prints', async () => {
    server.load('rollout-progressing');
    // The scenario completes after 3 reads; how many reads fit in 300 ms depends on how fast
    // each is (the check reads again while another read still fits), so it must not complete.
    server.clearTransitions();
    const result = await runKind(rollout, { name: 'api', pollInterval: '5s' }, server, { timeoutMs: 300 });
    expect(result).toMatchObject({ status: 'fail' });
    expect((result as { reasons: string[] }).reasons[0]).toBe('Waiting for deployment "api" rollout to finish: 2 out of 3 new replicas have been updated...');
  });

  it('wait: false reads once and reports, pass or fail', async () => {
    server.load('rollout-progressing');
    const started = Date.now();
    const result = await runKind(rollout, { name: 'api', wait: false }, server, { timeoutMs: 30_000 });
    expect(result).toMatchObject({ status: 'fail', reasons: ['Waiting for deployment "api" rollout to finish: 2 out of 3 new replicas have been updated...'] });
    expect(Date.now() - started).toBeLessThan(2_000);
    server.load('healthy');
    expect(await runKind(rollout, { name: 'api', wait: false }, server)).toMatchObject({ status: 'pass' });
  });
});
