import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { rollout, statuses, workspace } from '../helpers/cli.js';
import { startFixtureApi, type FixtureApiServer } from '../helpers/kubernetes/api-server.js';
import { applyManifests, readManifests } from '../helpers/kubernetes/apply.js';
import type { KubeObject } from '../helpers/kubernetes/api-server.js';

const DEPLOY = 'deploy/kubernetes';
const find = (objects: KubeObject[], kind: string, name?: string) => objects.filter((o) => o.kind === kind && (!name || o.metadata.name === name));

describe('deploy/kubernetes manifests', () => {
  it('every file parses as YAML, every object names its kind and namespace, kustomization lists them all', () => {
    const files = readdirSync(DEPLOY).filter((f) => f.endsWith('.yaml'));
    for (const f of files) {
      for (const doc of parseAllDocuments(readFileSync(`${DEPLOY}/${f}`, 'utf8'))) expect(doc.errors, f).toEqual([]);
    }
    const objects = readManifests(DEPLOY);
    for (const o of objects) {
      expect(o.apiVersion, `${f(o)} apiVersion`).toBeTruthy();
      if (!['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind)) expect(o.metadata.namespace, f(o)).toBe('rollout');
    }
    const kustomization = parseAllDocuments(readFileSync(`${DEPLOY}/kustomization.yaml`, 'utf8'))[0]!.toJS();
    expect([...kustomization.resources].sort()).toEqual(files.filter((x) => x !== 'kustomization.yaml').sort());
  });

  it('the Deployment: two replicas, non-root, read-only root, no escalation, ALL dropped, probes, resources, tokens from a Secret, playbooks from a ConfigMap', () => {
    const objects = readManifests(DEPLOY);
    const [deployment] = find(objects, 'Deployment', 'rollout') as any[];
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.serviceAccountName).toBe('rollout');
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(container.readinessProbe.httpGet.path).toBe('/healthz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits.memory).toBeTruthy();
    const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
    const mountOf = (flag: string) => container.args.find((a: string) => a.startsWith(`--${flag}=`))!.split('=')[1];
    const volumeAt = (path: string) => volumes[container.volumeMounts.find((m: any) => path.startsWith(m.mountPath)).name];
    expect(volumeAt(mountOf('token-file')).secret.secretName).toBe('rollout-tokens');
    expect(find(objects, 'ConfigMap', volumeAt(mountOf('playbooks')).configMap.name)).toHaveLength(1);
    expect(volumeAt(mountOf('evidence-dir')).emptyDir).toBeDefined();
  });

  it('RBAC only reads; the NetworkPolicy admits only the controllers on the serve port', () => {
    const objects = readManifests(DEPLOY);
    const verbs = find(objects, 'ClusterRole').flatMap((r: any) => r.rules.flatMap((rule: any) => rule.verbs));
    expect([...new Set(verbs)].sort()).toEqual(['get', 'list', 'watch']);
    expect(find(objects, 'ClusterRole').flatMap((r: any) => r.rules.flatMap((rule: any) => rule.resources))).not.toContain('secrets');
    const [allow] = find(objects, 'NetworkPolicy', 'allow-ingress-from-controllers') as any[];
    expect(allow.spec.ingress).toHaveLength(1);
    expect(allow.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8080 }]);
    expect(allow.spec.ingress[0].from.every((peer: any) => peer.namespaceSelector && !peer.podSelector && !peer.ipBlock)).toBe(true);
    const [service] = find(objects, 'Service', 'rollout') as any[];
    expect(service.spec.ports[0].port).toBe(8080);
  });
});

function f(o: KubeObject): string {
  return `${o.kind}/${o.metadata.name}`;
}

describe('playbooks/self.yaml on the fixture cluster with deploy/kubernetes loaded', () => {
  let server: FixtureApiServer;
  let evidenceDir: string;
  beforeAll(async () => {
    server = await startFixtureApi({ namespace: 'rollout' });
    evidenceDir = workspace({});
  });
  afterAll(async () => server?.close());
  const check = () => rollout(['check', '-p', 'playbooks/self.yaml', '--env', 'fixture', '--reporter', 'json', '--evidence-dir', evidenceDir], { env: { KUBECONFIG: server.kubeconfigPath } });

  it('passes every gate for the manifests as shipped', async () => {
    server.load('healthy');
    applyManifests(server, readManifests(DEPLOY));
    const run = await check();
    expect(run.stderr).toBe('');
    expect(statuses(run.json)).toEqual({
      'rolled-out': 'pass', 'pods-healthy': 'pass', 'image-versioned': 'pass', pdb: 'pass', 'ingress-locked-down': 'pass', hygiene: 'pass',
      'runs-as-non-root': 'pass', 'read-only-root-filesystem': 'pass', 'no-privilege-escalation': 'pass', 'capabilities-dropped': 'pass',
      'own-service-account': 'pass', 'service-present': 'pass',
    });
    expect(run.exitCode).toBe(0);
  });

  it('a Deployment without readOnlyRootFilesystem fails that node alone', async () => {
    server.load('healthy');
    const objects = readManifests(DEPLOY);
    delete (find(objects, 'Deployment', 'rollout')[0] as any).spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem;
    applyManifests(server, objects);
    const run = await check();
    expect(run.exitCode).toBe(1);
    const failed = Object.entries(statuses(run.json)).filter(([, s]) => s !== 'pass');
    expect(failed).toEqual([['read-only-root-filesystem', 'fail']]);
  });

  it('a PDB demanding both replicas, a missing allow policy and a :latest image each fail their own node', async () => {
    server.load('healthy');
    const objects = readManifests(DEPLOY);
    (find(objects, 'PodDisruptionBudget', 'rollout')[0] as any).spec.minAvailable = 2;
    const policies = objects.filter((o) => !(o.kind === 'NetworkPolicy' && o.metadata.name === 'allow-ingress-from-controllers'));
    (find(policies, 'Deployment', 'rollout')[0] as any).spec.template.spec.containers[0].image = 'ghcr.io/rollout-gates/rollout:latest';
    applyManifests(server, policies);
    const run = await check();
    expect(run.exitCode).toBe(1);
    const failed = Object.entries(statuses(run.json)).filter(([, s]) => s !== 'pass').map(([id, s]) => `${id}:${s}`).sort();
    expect(failed).toEqual(['image-versioned:fail', 'ingress-locked-down:fail', 'pdb:fail']);
  });
});
