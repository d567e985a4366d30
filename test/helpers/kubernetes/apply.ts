import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { FixtureApiServer, KubeObject } from './api-server.js';

/** Every object of the `*.yaml` manifests in a folder (kustomization.yaml is not an object). */
export function readManifests(dir: string): KubeObject[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
  return files.flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((doc) => {
    if (doc.errors.length) throw new Error(`${f}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as KubeObject;
  })).filter(Boolean);
}

/**
 * `kubectl apply` into the fixture server, then what the cluster's controllers and kubelet
 * would do once the pods are up: each Deployment rolled out (status, its ReplicaSet, its
 * pods Running and Ready with the digest they pulled), each PDB's status counted.
 */
export function applyManifests(server: FixtureApiServer, objects: KubeObject[]): void {
  const pods: KubeObject[] = [];
  for (const o of objects) {
    server.upsert(o);
    if (o.kind === 'Deployment') pods.push(...rollOut(server, o));
  }
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const match = (pdb as any).spec.selector.matchLabels as Record<string, string>;
    const healthy = pods.filter((p) => p.metadata.namespace === pdb.metadata.namespace && Object.entries(match).every(([k, v]) => (p.metadata.labels as any)?.[k] === v)).length;
    const desired = Math.min(healthy, Number((pdb as any).spec.minAvailable ?? healthy - Number((pdb as any).spec.maxUnavailable ?? 0)));
    server.upsert({ ...pdb, status: { currentHealthy: healthy, desiredHealthy: desired, expectedPods: healthy, disruptionsAllowed: Math.max(0, healthy - desired) } });
  }
}

function rollOut(server: FixtureApiServer, deployment: KubeObject): KubeObject[] {
  const spec = (deployment as any).spec;
  const replicas: number = spec.replicas ?? 1;
  const { name, namespace } = deployment.metadata;
  const hash = createHash('sha256').update(JSON.stringify(spec.template)).digest('hex').slice(0, 10);
  const labels = { ...spec.template.metadata.labels, 'pod-template-hash': hash };
  const uid = server.get('apps/v1', 'Deployment', namespace, name).metadata.uid as string;
  server.upsert({
    ...deployment,
    metadata: { ...deployment.metadata, annotations: { 'deployment.kubernetes.io/revision': '1' } },
    status: {
      observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas,
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}-${hash}" has successfully progressed.` },
      ],
    },
  });
  server.upsert({
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name: `${name}-${hash}`, namespace, labels, annotations: { 'deployment.kubernetes.io/revision': '1' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid, controller: true }] },
    spec: { replicas, selector: { matchLabels: labels }, template: { ...spec.template, metadata: { labels } } },
    status: { replicas, readyReplicas: replicas, availableReplicas: replicas },
  });
  return Array.from({ length: replicas }, (_, i) => server.upsert({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `${name}-${hash}-${i}`, namespace, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-${hash}`, uid: `uid-replicaset-${name}-${hash}`, controller: true }] },
    spec: spec.template.spec,
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }, { type: 'ContainersReady', status: 'True' }],
      containerStatuses: spec.template.spec.containers.map((c: { name: string; image: string }) => ({
        name: c.name, ready: true, restartCount: 0, image: c.image,
        // What the kubelet reports after pulling: the repository and the digest it resolved.
        imageID: `${c.image.replace(/:[^/:@]+$/, '')}@sha256:${createHash('sha256').update(c.image).digest('hex')}`,
        state: { running: { startedAt: '2026-11-20T10:00:00Z' } },
      })),
    },
  }));
}
