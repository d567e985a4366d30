import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';
import { withKube } from './client.js';
import { resolveResource } from './resources.js';
import { namespaceParam } from './workloads.js';

const params = z
  .strictObject({
    apiVersion: z.string().min(1).optional().describe('Only look in this API version (`cert-manager.io/v1`, `apps/v1`); without it, every group is searched as kubectl does'),
    kind: z.string().min(1).describe('As kubectl takes it: a Kind (Certificate, Application, Deployment), plural, short name or resource.group'),
    name: z.string().min(1),
    namespace: namespaceParam,
    condition: z.string().min(1).default('Ready').describe('The `status.conditions[].type` whose `status` is observed'),
    field: z.string().min(1).optional().describe('Instead of a condition: a dotted path whose value is observed, e.g. `status.sync.status`'),
  })
  .refine((p) => !['secret', 'secrets'].includes(p.kind.toLowerCase().split('.')[0]!), { message: 'Secrets have no conditions, and their data is never read: use kubernetes.exists', path: ['kind'] });

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export default defineCheck({
  kind: 'kubernetes.condition',
  summary: "Observes a resource's status condition (`Ready` → \"True\") or a status field, e.g. a cert-manager Certificate or an Argo CD Application",
  description:
    'Reads any resource (the kind is resolved by discovery) and observes the `status` string of the condition whose ' +
    'type is `condition` (default `Ready`): "True", "False" or "Unknown". The default expectation is `== True`. With ' +
    '`field`, it observes that dotted path instead (Argo CD: `field: status.sync.status`, `expect: "== Synced"`). A ' +
    'missing condition or field is no data (`error`, unless the node says `onEmpty`); its reason and message are in the evidence.',
  params,
  observes: 'string',
  defaultExpect: '== True',
  mutates: false,
  system: 'kubernetes',
  outputs: { reason: 'the condition reason', message: 'the condition message' },
  examples: [
    '- id: tls-certificate-ready\n  uses: kubernetes.condition\n  with: { apiVersion: cert-manager.io/v1, kind: Certificate, name: api-tls }',
    '- id: argo-synced\n  uses: kubernetes.condition\n  with: { apiVersion: argoproj.io/v1alpha1, kind: Application, name: payments, field: status.sync.status }\n  expect: "== Synced"',
  ],
  async run(p, ctx) {
    return withKube(ctx, p.namespace, async (kube) => {
      const resolved = await resolveResource(kube, p.apiVersion, p.kind);
      if ('error' in resolved) return resolved;
      // Whatever name reached it, a Secret's data is never read.
      if (resolved.kind === 'Secret' && resolved.apiVersion === 'v1') return { error: 'Secrets have no conditions, and their data is never read: use kubernetes.exists' };
      const namespace = kube.namespace;
      const target = { verb: 'get', resource: resolved.resource, name: p.name, namespace: resolved.namespaced ? namespace : undefined };
      const object = await kube.getJson<Record<string, unknown>>(target, resolved.objectPath(namespace, p.name));
      const who = `${p.kind}/${p.name}`;
      if (p.field) {
        const value = p.field.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), object);
        if (value === undefined || value === null) return { observed: null, details: { notes: [`${who} has no ${p.field}`] }, outputs: { reason: null, message: null } };
        if (typeof value === 'object') return { error: `${who} ${p.field} is an object, not a value: name a field below it` };
        return { observed: value as string | number | boolean, details: { notes: [`${who} ${p.field} = ${String(value)}`] }, outputs: { reason: null, message: null } };
      }
      const conditions = ((object.status as { conditions?: Condition[] } | undefined)?.conditions ?? []);
      const found = conditions.find((c) => c.type === p.condition);
      if (!found?.status) {
        const present = conditions.map((c) => c.type).join(', ') || 'none';
        return { observed: null, details: { notes: [`${who} has no ${p.condition} condition (conditions: ${present})`] }, outputs: { reason: null, message: null } };
      }
      const note = `${who} ${p.condition}=${found.status}${found.reason ? ` (${found.reason})` : ''}${found.message ? `: ${found.message}` : ''}`;
      return { observed: found.status, details: { notes: [note] }, outputs: { reason: found.reason ?? null, message: found.message ?? null } };
    });
  },
});
