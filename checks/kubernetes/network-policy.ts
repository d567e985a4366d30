import type * as K8s from '@kubernetes/client-node';
import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';
import { withKube } from './client.js';
import { listNamespaced, namespaceParam } from './workloads.js';

const direction = z.enum(['ingress', 'egress']);

const params = z.strictObject({
  namespace: namespaceParam,
  defaultDeny: z.array(direction).default(['ingress', 'egress']).describe('Directions that must be denied by default ([] to skip)'),
  allow: z.array(z.string().min(1)).default([]).describe('NetworkPolicies that must exist by name (the allow rules)'),
});

export default defineCheck({
  kind: 'kubernetes.network-policy',
  summary: 'The namespace denies ingress and egress by default, and the named allow policies exist',
  description:
    'Lists the NetworkPolicies of the namespace. Default-deny for a direction means a policy selecting every pod ' +
    '(`podSelector: {}`) with that direction in its `policyTypes` and no rules for it. Each missing default-deny and ' +
    'each missing policy named in `allow` is listed.',
  params,
  observes: 'verdict',
  mutates: false,
  system: 'kubernetes',
  outputs: { policies: 'names of the NetworkPolicies in the namespace' },
  examples: ['- id: network-locked-down\n  uses: kubernetes.network-policy\n  with: { allow: [allow-ingress-from-gateway, allow-egress-dns] }'],
  async run(p, ctx) {
    return withKube(ctx, p.namespace, async (kube) => {
      const namespace = kube.namespace;
      const policies = await listNamespaced<K8s.V1NetworkPolicy>(kube, '/apis/networking.k8s.io/v1', 'networkpolicies', 'networkpolicies.networking.k8s.io');
      const reasons: string[] = [];
      const found: string[] = [];
      for (const d of p.defaultDeny) {
        const deny = policies.find((np) => deniesByDefault(np, d));
        if (deny) found.push(`${d} denied by default (${deny.metadata?.name})`);
        else reasons.push(`no default-deny ${d} policy in namespace ${namespace} (podSelector {} with policyTypes [${d === 'ingress' ? 'Ingress' : 'Egress'}] and no ${d} rules)`);
      }
      const names = policies.map((np) => np.metadata?.name ?? '');
      for (const name of p.allow) {
        if (names.includes(name)) found.push(`${name} exists`);
        else reasons.push(`NetworkPolicy ${name} does not exist in namespace ${namespace}`);
      }
      const rows = policies.map((np) => ({ policy: np.metadata?.name, podSelector: JSON.stringify(np.spec?.podSelector ?? {}), policyTypes: policyTypes(np).join(',') }));
      const outputs = { policies: names };
      if (reasons.length) return { status: 'fail', reasons, details: { rows, notes: reasons }, outputs };
      return { status: 'pass', reasons: found.length ? found : ['nothing required'], details: { rows }, outputs };
    });
  },
});

// Without policyTypes, Ingress is implied, and Egress when the policy has egress rules.
function policyTypes(np: K8s.V1NetworkPolicy): string[] {
  if (np.spec?.policyTypes?.length) return np.spec.policyTypes;
  return np.spec?.egress?.length ? ['Ingress', 'Egress'] : ['Ingress'];
}

function deniesByDefault(np: K8s.V1NetworkPolicy, d: 'ingress' | 'egress'): boolean {
  const selector = np.spec?.podSelector;
  const selectsAll = !Object.keys(selector?.matchLabels ?? {}).length && !(selector?.matchExpressions ?? []).length;
  const type = d === 'ingress' ? 'Ingress' : 'Egress';
  const rules = d === 'ingress' ? np.spec?.ingress : np.spec?.egress;
  return selectsAll && policyTypes(np).includes(type) && !(rules ?? []).length;
}
