import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import images, { parseImage } from '../../../checks/kubernetes/images.js';
import pdb from '../../../checks/kubernetes/pdb.js';
import pods from '../../../checks/kubernetes/pods.js';
import hygiene from '../../../checks/kubernetes/workload-hygiene.js';
import { runKind, startFixtureApi, type FixtureApiServer } from '../../helpers/kubernetes/api-server.js';

let server: FixtureApiServer;
beforeAll(async () => {
  server = await startFixtureApi();
});
afterAll(async () => server?.close());
beforeEach(() => server.load('healthy'));

type VerdictLike = { status: string; reasons: string[]; details: { notes: string[]; rows: Array<Record<string, unknown>> }; outputs: Record<string, any> };

describe('kubernetes.pods', () => {
  it('passes when every pod of the selector is Ready and completed pods are ignored', async () => {
    const result = (await runKind(pods, { selector: 'app=api' }, server)) as unknown as VerdictLike;
    expect(result.status).toBe('pass');
    expect(result.outputs).toEqual({ pods: ['api-7d9f8c6b5-a1b2c', 'api-7d9f8c6b5-d3e4f', 'api-7d9f8c6b5-g5h6i'], ready: 3 });
  });

  it('names each bad pod and why: crash loop, image pull, too many restarts', async () => {
    server.load('crashloop');
    const result = (await runKind(pods, { selector: 'app=api,tier in (backend)' }, server)) as unknown as VerdictLike;
    expect(result.status).toBe('fail');
    expect(result.details.notes).toEqual([
      'pod api-7d9f8c6b5-a1b2c: api: CrashLoopBackOff (restarts 7, last exit 1 Error); not Ready (ContainersNotReady); restarted 7 times (limit 5), last: Error',
      'pod api-7d9f8c6b5-d3e4f: api: ImagePullBackOff (restarts 0); phase Pending; not Ready (ContainersNotReady)',
      'pod api-7d9f8c6b5-g5h6i: restarted 12 times (limit 5), last: OOMKilled',
    ]);
    expect(result.details.rows).toHaveLength(3);
  });

  it('takes the restart limit from the node', async () => {
    server.load('crashloop');
    const result = (await runKind(pods, { selector: 'app=api', maxRestarts: 20 }, server)) as unknown as VerdictLike;
    expect(result.reasons.some((r) => r.includes('g5h6i'))).toBe(false);
  });

  it('fails when no pod matches', async () => {
    const result = (await runKind(pods, { selector: 'app=nothing' }, server)) as unknown as VerdictLike;
    expect(result).toMatchObject({ status: 'fail', reasons: ['0 pod(s) match "app=nothing" in namespace payments; expected at least 1'] });
  });

  it('a pod stuck not ready in a stuck rollout fails', async () => {
    server.load('rollout-stuck');
    const result = (await runKind(pods, { selector: 'pod-template-hash=6f6d5c4b3' }, server)) as unknown as VerdictLike;
    expect(result.reasons).toEqual(['pod api-6f6d5c4b3-n9m8l: not Ready (ContainersNotReady)']);
  });
});

describe('kubernetes.images', () => {
  it('parses references as Docker does', () => {
    expect(parseImage('envoyproxy/envoy')).toEqual({ registry: 'docker.io', repository: 'envoyproxy/envoy', tag: undefined, digest: undefined });
    expect(parseImage('nginx:1.27')).toMatchObject({ registry: 'docker.io', repository: 'library/nginx', tag: '1.27' });
    expect(parseImage('localhost:5000/a/b:v1@sha256:ab')).toEqual({ registry: 'localhost:5000', repository: 'a/b', tag: 'v1', digest: 'sha256:ab' });
  });

  it('passes pinned images from the allowed registry and outputs them', async () => {
    const result = (await runKind(images, { name: 'api', requireDigest: true, allowedRegistries: ['registry.example.com/payments'], tagPattern: '^v\\d+\\.\\d+\\.\\d+$' }, server)) as unknown as VerdictLike;
    expect(result.status).toBe('pass');
    expect(result.outputs.image).toMatch(/^registry\.example\.com\/payments\/api:v1\.4\.2@sha256:2f1c/);
    expect(result.outputs.containers['Deployment/api/api']).toBe(result.outputs.image);
  });

  it('lists :latest, untagged, foreign-registry and unpinned images of the template and the pods', async () => {
    server.load('latest-image');
    const result = (await runKind(images, { name: 'api', requireDigest: true, allowedRegistries: ['registry.example.com'] }, server)) as unknown as VerdictLike;
    expect(result.status).toBe('fail');
    expect(result.reasons).toContain('Deployment/api container api: registry.example.com/payments/api:latest — uses :latest');
    expect(result.reasons).toContain('Deployment/api container api: registry.example.com/payments/api:latest — not pinned by digest');
    expect(result.reasons).toContain('Deployment/api container proxy: envoyproxy/envoy — untagged (means :latest)');
    expect(result.reasons).toContain('Deployment/api container proxy: envoyproxy/envoy — registry docker.io is not allowed (allowed: registry.example.com)');
    expect(result.reasons).toContain('Pod/api-7d9f8c6b5-a1b2c container proxy: envoyproxy/envoy — untagged (means :latest)');
    expect(result.reasons.some((r) => r.includes('container migrate') && r.includes('latest'))).toBe(false);
  });

  it('compares with expected digests, using what the pods actually run', async () => {
    const good = 'sha256:2f1c3a9b7e0d4c5f6a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f';
    const pass = await runKind(images, { name: 'api', expectedDigests: { api: good } }, server);
    expect(pass).toMatchObject({ status: 'pass' });
    server.load('rollout-stuck');
    const fail = (await runKind(images, { selector: 'pod-template-hash=6f6d5c4b3', expectedDigests: { 'registry.example.com/payments/api': good } }, server)) as unknown as VerdictLike;
    expect(fail.reasons).toEqual([`Pod/api-6f6d5c4b3-n9m8l container api: registry.example.com/payments/api:v1.5.0 — runs sha256:${'5e'.repeat(32)}, expected ${good}`]);
  });

  it('without a name judges every workload and pod of the namespace', async () => {
    const result = (await runKind(images, { tagPattern: '^v' }, server)) as unknown as VerdictLike;
    expect(result.status).toBe('pass');
    expect(Object.keys(result.outputs.containers)).toEqual(expect.arrayContaining(['Deployment/api/api', 'StatefulSet/ledger/ledger', 'DaemonSet/node-agent/agent']));
  });
});

describe('kubernetes.pdb', () => {
  it('passes a PDB that selects the workload and allows a disruption', async () => {
    const result = (await runKind(pdb, { name: 'api' }, server)) as unknown as VerdictLike;
    expect(result).toMatchObject({ status: 'pass', outputs: { pdbs: ['api'] } });
  });

  it('flags minAvailable equal to replicas as never allowing a disruption', async () => {
    server.load('pdb-blocking');
    const result = (await runKind(pdb, { name: 'api' }, server)) as unknown as VerdictLike;
    expect(result.reasons).toEqual(['PDB api can never allow a disruption: minAvailable 2 equals replicas 2 — every drain of a node running Deployment/api blocks']);
  });

  it('flags maxUnavailable 0 on a StatefulSet', async () => {
    server.load('pdb-blocking');
    const result = (await runKind(pdb, { kind: 'StatefulSet', name: 'ledger' }, server)) as unknown as VerdictLike;
    expect(result.reasons[0]).toMatch(/PDB ledger can never allow a disruption: maxUnavailable is 0/);
  });

  it('fails when the PDB allows no disruption right now', async () => {
    const budget = server.get('policy/v1', 'PodDisruptionBudget', 'payments', 'api');
    server.upsert({ ...budget, status: { ...budget.status, currentHealthy: 2, disruptionsAllowed: 0 } });
    const result = (await runKind(pdb, { name: 'api' }, server)) as unknown as VerdictLike;
    expect(result.reasons).toEqual(['PDB api allows 0 disruption(s) now, needs 1 (healthy 2, desired 2)']);
  });

  it('fails when nothing protects the workload', async () => {
    const result = (await runKind(pdb, { kind: 'DaemonSet', name: 'node-agent' }, server)) as unknown as VerdictLike;
    expect(result.reasons).toEqual(['no PodDisruptionBudget in namespace payments selects DaemonSet/node-agent']);
  });
});

describe('kubernetes.workload-hygiene', () => {
  it('passes a workload that follows every rule', async () => {
    const result = await runKind(hygiene, { name: 'api', minReplicas: 3 }, server);
    expect(result).toMatchObject({ status: 'pass' });
  });

  it('lists every failing rule by name', async () => {
    server.load('pdb-blocking');
    server.remove('autoscaling/v2', 'HorizontalPodAutoscaler', 'payments', 'api');
    const result = (await runKind(hygiene, { name: 'api', minReplicas: 3 }, server)) as unknown as VerdictLike;
    expect(result.reasons).toEqual([
      'Deployment/api container api: no readinessProbe (readiness-probe)',
      'Deployment/api container api: no livenessProbe (liveness-probe)',
      'Deployment/api container api: no memory limit (memory-limit)',
      'Deployment/api has no HorizontalPodAutoscaler (hpa)',
      'Deployment/api runs 2 replica(s), needs ≥ 3 (replicas)',
      'Deployment/api has neither topologySpreadConstraints nor pod anti-affinity (spread)',
    ]);
  });

  it('applies only the rules asked for, over a selector', async () => {
    const result = (await runKind(hygiene, { kind: 'StatefulSet', selector: 'app=ledger', rules: ['readiness-probe', 'liveness-probe', 'hpa'] }, server)) as unknown as VerdictLike;
    expect(result.reasons).toEqual(['StatefulSet/ledger container ledger: no livenessProbe (liveness-probe)', 'StatefulSet/ledger has no HorizontalPodAutoscaler (hpa)']);
  });

  it('counts replicas from the HPA when one scales the workload, else from the spec', async () => {
    const hpa = server.get('autoscaling/v2', 'HorizontalPodAutoscaler', 'payments', 'api');
    server.upsert({ ...hpa, spec: { ...hpa.spec, minReplicas: 1 } });
    const withHpa = (await runKind(hygiene, { name: 'api', rules: ['replicas'] }, server)) as unknown as VerdictLike;
    expect(withHpa.reasons).toEqual(['Deployment/api runs 1 replica(s) (HPA api minReplicas), needs ≥ 2 (replicas)']);
    server.remove('autoscaling/v2', 'HorizontalPodAutoscaler', 'payments', 'api');
    const without = await runKind(hygiene, { name: 'api', rules: ['replicas'] }, server);
    expect(without).toMatchObject({ status: 'pass' });
  });
});
