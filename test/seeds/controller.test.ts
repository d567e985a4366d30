import { afterEach, describe, expect, it } from 'vitest';
import rollout from '../../checks/kubernetes/rollout.js';
import rolloutUndo from '../../checks/kubernetes/rollout-undo.js';
import { runKind, startFixtureApi, type FixtureApiServer } from '../helpers/kubernetes/api-server.js';
import { setImage } from '../helpers/kubernetes/patch.js';

// The fixture API server acts as the Deployment controller after a change, so a rollout and
// its undo can be watched to the end (kubernetes.rollout follows `kubectl rollout status`).
let server: FixtureApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const summit = (api: FixtureApiServer) => ({ kubeconfig: api.kubeconfigPath, context: 'fixture', namespace: 'summit' });

describe('the fixture Deployment controller', () => {
  it('completes a rollout undo: observedGeneration, the renumbered ReplicaSet, replicas and conditions follow', async () => {
    server = await startFixtureApi({ scenario: 'seeds-healthy', controller: { delayMs: 200 } });
    const undo = await runKind(rolloutUndo, { name: 'prov-ledger' }, server, { settings: summit(server) });
    expect(undo.status).toBe('pass');
    const patched = server.get('apps/v1', 'Deployment', 'summit', 'prov-ledger');
    expect(patched.metadata.generation).toBeGreaterThan(patched.status.observedGeneration);

    const watched = await runKind(rollout, { name: 'prov-ledger', pollInterval: '100ms' }, server, { settings: summit(server), timeoutMs: 5000 });
    expect(watched.status, JSON.stringify(watched)).toBe('pass');
    expect(watched.outputs?.revision).toBe(3);
    const done = server.get('apps/v1', 'Deployment', 'summit', 'prov-ledger');
    expect(done.status.observedGeneration).toBe(done.metadata.generation);
    expect(done.status.conditions.find((c: { type: string }) => c.type === 'Progressing').reason).toBe('NewReplicaSetAvailable');
    // Kubernetes renumbers the ReplicaSet rolled back to; the one rolled away from is scaled to zero.
    expect(server.get('apps/v1', 'ReplicaSet', 'summit', 'prov-ledger-a1').metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    expect(server.get('apps/v1', 'ReplicaSet', 'summit', 'prov-ledger-b2').spec.replicas).toBe(0);
    expect(done.spec.template.spec.containers[0].image).toMatch(/prov-ledger:v2\.9\.4/);
  });

  it('stalls a new template with ProgressDeadlineExceeded on the broken cluster, and completes the undo behind it', async () => {
    server = await startFixtureApi({ scenario: 'seeds-broken', controller: { delayMs: 100, progressDeadlineMs: 300 } });
    expect(await setImage(server, 'nova-prod', 'nova-api', 'nova-api', 'gcr.io/rms-nova/nova-api:v9.9.9')).toBe(200);
    const settings = { kubeconfig: server.kubeconfigPath, context: 'fixture', namespace: 'nova-prod' };
    const stuck = await runKind(rollout, { name: 'nova-api', pollInterval: '100ms' }, server, { settings, timeoutMs: 5000 });
    expect(stuck.status).toBe('fail');
    expect(stuck.reasons?.join(' ')).toMatch(/exceeded its progress deadline/);

    const undo = await runKind(rolloutUndo, { name: 'nova-api' }, server, { settings });
    expect(undo.status, JSON.stringify(undo)).toBe('pass');
    const back = await runKind(rollout, { name: 'nova-api', pollInterval: '100ms' }, server, { settings, timeoutMs: 5000 });
    expect(back.status, JSON.stringify(back)).toBe('pass');
    expect(server.get('apps/v1', 'Deployment', 'nova-prod', 'nova-api').spec.template.spec.containers[0].image).toMatch(/nova-api:v1\.8\.0@sha256:/);
  });
});
