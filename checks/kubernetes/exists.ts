import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';
import { isNotFound, KubeError, withKube } from './client.js';
import { resolveResource } from './resources.js';
import { namespaceParam } from './workloads.js';

const params = z.strictObject({
  apiVersion: z.string().min(1).optional().describe('Only look in this API version (`v1`, `apps/v1`, `cert-manager.io/v1`); without it, every group is searched as kubectl does'),
  kind: z.string().min(1).describe('As kubectl takes it: a Kind (Deployment, Secret, a CRD kind), plural, short name (deploy) or resource.group (deployments.apps)'),
  name: z.string().min(1),
  namespace: namespaceParam,
});

// Asking for metadata only means a Secret's data never leaves the API server.
const METADATA_ONLY = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

interface PartialObjectMetadata {
  metadata?: { name?: string; uid?: string; creationTimestamp?: string; resourceVersion?: string };
}

export default defineCheck({
  kind: 'kubernetes.exists',
  summary: 'A resource exists (observes true/false); reads metadata only, so a Secret\'s data is never read',
  description:
    'Resolves the kind by discovery and GETs the object asking for its metadata only (PartialObjectMetadata), so ' +
    'checking that a Secret exists never transfers, logs or stores its data. Observes `true` or `false` (404); the ' +
    'default expectation is `== true` — `expect: "== false"` asserts absence. Forbidden (403) and an unreachable API ' +
    'server are `error`.',
  params,
  observes: 'boolean',
  defaultExpect: '== true',
  mutates: false,
  system: 'kubernetes',
  outputs: { uid: 'the object UID (null when absent)', createdAt: 'its creationTimestamp (null when absent)' },
  examples: ['- id: db-secret-present\n  uses: kubernetes.exists\n  with: { kind: Secret, name: api-db-credentials }'],
  async run(p, ctx) {
    return withKube(ctx, p.namespace, async (kube) => {
      const resolved = await resolveResource(kube, p.apiVersion, p.kind);
      if ('error' in resolved) return resolved;
      const namespace = kube.namespace;
      const target = { verb: 'get', resource: resolved.resource, name: p.name, namespace: resolved.namespaced ? namespace : undefined };
      try {
        const object = await kube.getJson<PartialObjectMetadata>(target, resolved.objectPath(namespace, p.name), METADATA_ONLY);
        const where = resolved.namespaced ? ` in namespace ${namespace}` : '';
        return {
          observed: true,
          details: { notes: [`${p.kind}/${p.name}${where} exists (uid ${object.metadata?.uid ?? '?'})`] },
          outputs: { uid: object.metadata?.uid ?? null, createdAt: object.metadata?.creationTimestamp ?? null },
        };
      } catch (error) {
        if (isNotFound(error)) return { observed: false, details: { notes: [`${p.kind}/${p.name} not found in namespace ${namespace}`] }, outputs: { uid: null, createdAt: null } };
        if (error instanceof KubeError) return { error: error.message };
        throw error;
      }
    });
  },
});
