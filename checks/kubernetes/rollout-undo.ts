import type * as K8s from '@kubernetes/client-node';
import { z } from 'zod';
import type { CheckContext, ProbeResult } from '../../src/sdk/index.js';
import { defineCheck } from '../../src/sdk/index.js';
import { withKube, type Kube } from './client.js';
import { namespaceParam, selectorToString } from './workloads.js';

const revision = z.union([z.number().int().min(0), z.string().regex(/^\d+$/, 'a revision number').transform(Number)]);

const params = z.strictObject({
  kind: z.literal('Deployment').default('Deployment').describe('Only Deployments (as `kubectl rollout undo deployment/NAME`)'),
  name: z.string().min(1),
  namespace: namespaceParam,
  toRevision: revision.default(0).describe('Revision to return to; 0 (default) = the previous one. Accepts a captured `${nodes.ID.outputs.revision}`'),
});

const REVISION = 'deployment.kubernetes.io/revision';
// Annotations that describe the Deployment itself, never copied from an old ReplicaSet (as kubectl).
const KEEP_FROM_DEPLOYMENT = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

interface UndoPlan {
  deployment: K8s.V1Deployment;
  target?: K8s.V1ReplicaSet;
  targetRevision?: number;
  currentRevision: number;
  problem?: string;
  alreadyThere?: boolean;
}

export default defineCheck({
  kind: 'kubernetes.rollout-undo',
  summary: 'Roll a Deployment back to the previous (or a given) revision, as `kubectl rollout undo` does',
  description:
    "Finds the Deployment's ReplicaSets (owned by it, by their `deployment.kubernetes.io/revision`), picks the previous " +
    'revision or `toRevision`, and patches the Deployment\'s pod template with that ReplicaSet\'s template (minus the ' +
    '`pod-template-hash` label) and its annotations — the same JSON patch kubectl sends. A paused Deployment, a missing ' +
    'revision or no history is `error`. When the template already equals the target, nothing is patched and it passes. ' +
    'Pair it with a `kubernetes.rollout` verify node to wait for the rolled-back pods.',
  params,
  observes: 'verdict',
  mutates: true,
  system: 'kubernetes',
  outputs: { revision: 'the revision rolled back to', images: 'container → image of the template now in place' },
  examples: [
    '- id: undo-api\n  uses: kubernetes.rollout-undo\n  with: { name: api }',
    '- id: undo-api-to-captured\n  uses: kubernetes.rollout-undo\n  with: { name: api, toRevision: "${nodes.api-rolled-out.outputs.revision}" }',
  ],
  async run(p, ctx) {
    return withKube(ctx, p.namespace, async (kube) => {
      const plan = await planUndo(kube, p.name, p.toRevision);
      if (plan.problem) return { error: plan.problem };
      const target = plan.target!;
      const images = imagesOf(target.spec?.template?.spec);
      if (plan.alreadyThere) {
        return { status: 'pass', reasons: [`skipped rollback: Deployment/${p.name} already runs the template of revision ${plan.targetRevision}`], outputs: { revision: plan.targetRevision, images } };
      }
      const patch = undoPatch(plan.deployment, target);
      const namespace = kube.namespace;
      await kube.send(
        { verb: 'patch', resource: 'deployments.apps', name: p.name, namespace },
        'PATCH',
        `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments/${encodeURIComponent(p.name)}`,
        patch,
        'application/json-patch+json',
      );
      ctx.log(`Deployment/${p.name}: rolled back from revision ${plan.currentRevision} to ${plan.targetRevision} (ReplicaSet ${target.metadata?.name})`);
      return {
        status: 'pass',
        reasons: [`rolled back Deployment/${p.name} from revision ${plan.currentRevision} to revision ${plan.targetRevision} (${Object.values(images).join(', ')})`],
        outputs: { revision: plan.targetRevision, images },
      };
    });
  },
  async preflight(p, ctx: CheckContext): Promise<ProbeResult> {
    const result = await withKube(ctx, p.namespace, async (kube) => {
      const plan = await planUndo(kube, p.name, p.toRevision);
      if (plan.problem) return { error: plan.problem };
      return { status: 'pass', reasons: [`Deployment/${p.name}: would roll back from revision ${plan.currentRevision} to ${plan.targetRevision}${plan.alreadyThere ? ' (already there)' : ''}`] };
    });
    if ('error' in result) return { ok: false, message: result.error };
    return { ok: true, message: 'reasons' in result ? result.reasons.join('; ') : 'ok' };
  },
});

async function planUndo(kube: Kube, name: string, toRevision: number): Promise<UndoPlan> {
  const namespace = kube.namespace;
  // Raw JSON, not the typed models: a template must round-trip with fields the client does not know.
  const base = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}`;
  const deployment = await kube.getJson<K8s.V1Deployment>({ verb: 'get', resource: 'deployments.apps', name, namespace }, `${base}/deployments/${encodeURIComponent(name)}`);
  const currentRevision = revisionOf(deployment.metadata);
  if (deployment.spec?.paused) return { deployment, currentRevision, problem: `Deployment/${name} is paused: resume it before rolling back (kubectl refuses too)` };
  const labelSelector = selectorToString(deployment.spec?.selector);
  const all = await kube.getJson<K8s.V1ReplicaSetList>({ verb: 'list', resource: 'replicasets.apps', namespace }, `${base}/replicasets?labelSelector=${encodeURIComponent(labelSelector)}`);
  // Another Deployment's ReplicaSets can match the same labels: only the ones it controls count.
  const owned = all.items.filter((rs) => rs.metadata?.ownerReferences?.some((ref) => ref.controller && ref.uid === deployment.metadata?.uid));
  const byRevision = owned.map((rs) => ({ rs, revision: revisionOf(rs.metadata) })).filter((r) => r.revision > 0).sort((a, b) => b.revision - a.revision);
  let chosen: { rs: K8s.V1ReplicaSet; revision: number } | undefined;
  if (toRevision === 0) {
    chosen = byRevision[1];
    if (!chosen) return { deployment, currentRevision, problem: `no rollout history for Deployment/${name}: there is no revision before ${byRevision[0]?.revision ?? currentRevision}` };
  } else {
    chosen = byRevision.find((r) => r.revision === toRevision);
    if (!chosen) return { deployment, currentRevision, problem: `unable to find revision ${toRevision} of Deployment/${name} (revisions: ${byRevision.map((r) => r.revision).reverse().join(', ') || 'none'})` };
  }
  const alreadyThere = JSON.stringify(withoutHash(chosen.rs.spec?.template)) === JSON.stringify(withoutHash(deployment.spec?.template));
  return { deployment, target: chosen.rs, targetRevision: chosen.revision, currentRevision, alreadyThere };
}

function revisionOf(metadata: K8s.V1ObjectMeta | undefined): number {
  const value = Number(metadata?.annotations?.[REVISION]);
  return Number.isInteger(value) ? value : 0;
}

function withoutHash(template: K8s.V1PodTemplateSpec | undefined): unknown {
  const copy = structuredClone(template ?? {}) as K8s.V1PodTemplateSpec;
  if (copy.metadata?.labels) delete copy.metadata.labels['pod-template-hash'];
  return sortKeys(copy);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

/** The JSON patch `kubectl rollout undo` sends: the old template and the merged annotations. */
function undoPatch(deployment: K8s.V1Deployment, rs: K8s.V1ReplicaSet): object[] {
  const template = structuredClone(rs.spec?.template ?? {});
  if (template.metadata?.labels) delete template.metadata.labels['pod-template-hash'];
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(deployment.metadata?.annotations ?? {})) if (KEEP_FROM_DEPLOYMENT.has(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(rs.metadata?.annotations ?? {})) if (!KEEP_FROM_DEPLOYMENT.has(k)) annotations[k] = v;
  return [
    { op: 'replace', path: '/spec/template', value: template },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ];
}

function imagesOf(spec: K8s.V1PodSpec | undefined): Record<string, string> {
  return Object.fromEntries((spec?.containers ?? []).map((c) => [c.name, c.image ?? '']));
}
