import type * as K8s from '@kubernetes/client-node';
import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';
import { withKube } from './client.js';
import { label, listNamespaced, listWorkloads, namespaceParam, readWorkload, workloadKind, type Workload } from './workloads.js';

export const RULES = ['readiness-probe', 'liveness-probe', 'requests', 'memory-limit', 'replicas', 'spread', 'hpa'] as const;
const rule = z.enum(RULES);

const params = z.strictObject({
  kind: workloadKind.default('Deployment'),
  name: z.string().min(1).optional().describe('One workload; without it, every workload of `kind` matching `selector` (or all)'),
  selector: z.string().min(1).optional().describe('Label selector of the workloads'),
  namespace: namespaceParam,
  rules: z.array(rule).min(1).default([...RULES]).describe(`Rules to apply: ${RULES.join(', ')}`),
  minReplicas: z.number().int().min(1).default(2).describe('For the `replicas` rule: fewest replicas (the HPA minReplicas when an HPA scales it)'),
});

export default defineCheck({
  kind: 'kubernetes.workload-hygiene',
  summary: 'Workloads have probes, resource requests and memory limits, enough replicas, spread across failure domains and an HPA',
  description:
    'Applies each named rule to every (regular) container of the selected workloads and lists every failure with its ' +
    'rule: `readiness-probe`, `liveness-probe`, `requests` (cpu and memory requests), `memory-limit`, `replicas` ' +
    '(≥ `minReplicas`; with an HPA, its minReplicas), `spread` (topologySpreadConstraints or pod anti-affinity), ' +
    '`hpa` (a HorizontalPodAutoscaler targets the workload).',
  params,
  observes: 'verdict',
  mutates: false,
  system: 'kubernetes',
  outputs: { workloads: 'the workloads judged' },
  examples: [
    '- id: api-hygiene\n  uses: kubernetes.workload-hygiene\n  with: { name: api, minReplicas: 3 }',
    '- id: backend-probes\n  uses: kubernetes.workload-hygiene\n  with: { selector: tier=backend, rules: [readiness-probe, liveness-probe, requests] }',
  ],
  async run(p, ctx) {
    return withKube(ctx, p.namespace, async (kube) => {
      // The HPAs are read beside the workloads; their failure counts only once there are workloads.
      const hpasRead = p.rules.includes('hpa') || p.rules.includes('replicas')
        ? listNamespaced<K8s.V2HorizontalPodAutoscaler>(kube, '/apis/autoscaling/v2', 'horizontalpodautoscalers', 'horizontalpodautoscalers.autoscaling')
        : Promise.resolve([]);
      hpasRead.catch(() => {});
      const workloads: Workload[] = p.name ? [await readWorkload(kube, p.kind, p.name)] : await listWorkloads(kube, p.kind, p.selector);
      if (!workloads.length) return { error: `no ${p.kind} matches ${p.selector ? `"${p.selector}"` : 'anything'} in namespace ${kube.namespace}` };
      const hpas = await hpasRead;
      const failures: string[] = [];
      for (const w of workloads) failures.push(...judge(p.kind, w, hpas, p.rules, p.minReplicas));
      const names = workloads.map((w) => label(p.kind, w.metadata?.name));
      if (failures.length) return { status: 'fail', reasons: failures, details: { notes: failures }, outputs: { workloads: names } };
      return { status: 'pass', reasons: [`${names.join(', ')}: ${p.rules.join(', ')} hold`], outputs: { workloads: names } };
    });
  },
});

function judge(kind: string, w: Workload, hpas: K8s.V2HorizontalPodAutoscaler[], rules: readonly string[], minReplicas: number): string[] {
  const who = label(kind, w.metadata?.name);
  const spec = w.spec?.template?.spec;
  const out: string[] = [];
  const fail = (ruleName: string, text: string): void => void out.push(`${who} ${text} (${ruleName})`);
  for (const c of spec?.containers ?? []) {
    if (rules.includes('readiness-probe') && !c.readinessProbe) fail('readiness-probe', `container ${c.name}: no readinessProbe`);
    if (rules.includes('liveness-probe') && !c.livenessProbe) fail('liveness-probe', `container ${c.name}: no livenessProbe`);
    if (rules.includes('requests')) {
      const missing = ['cpu', 'memory'].filter((r) => c.resources?.requests?.[r] === undefined);
      if (missing.length) fail('requests', `container ${c.name}: no ${missing.join(' and ')} request`);
    }
    if (rules.includes('memory-limit') && c.resources?.limits?.memory === undefined) fail('memory-limit', `container ${c.name}: no memory limit`);
  }
  const hpa = hpas.find((h) => h.spec?.scaleTargetRef?.kind === kind && h.spec.scaleTargetRef.name === w.metadata?.name);
  if (rules.includes('hpa') && !hpa) fail('hpa', 'has no HorizontalPodAutoscaler');
  if (rules.includes('replicas') && kind !== 'DaemonSet') {
    const replicas = hpa ? (hpa.spec?.minReplicas ?? 1) : ((w as K8s.V1Deployment).spec?.replicas ?? 1);
    if (replicas < minReplicas) fail('replicas', `runs ${replicas} replica(s)${hpa ? ` (HPA ${hpa.metadata?.name} minReplicas)` : ''}, needs ≥ ${minReplicas}`);
  }
  if (rules.includes('spread') && kind !== 'DaemonSet') {
    const spread = (spec?.topologySpreadConstraints ?? []).length > 0;
    const anti = (spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).length > 0 ||
      (spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).length > 0;
    if (!spread && !anti) fail('spread', 'has neither topologySpreadConstraints nor pod anti-affinity');
  }
  return out;
}
