import type * as K8s from '@kubernetes/client-node';
import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';
import { withKube } from './client.js';
import { label, listNamespaced, namespaceParam, readBoth, readWorkload, selectorMatches, workloadKind } from './workloads.js';

const params = z.strictObject({
  kind: workloadKind.default('Deployment'),
  name: z.string().min(1).describe('The workload the PodDisruptionBudget must protect'),
  namespace: namespaceParam,
  minDisruptionsAllowed: z.number().int().min(0).default(1).describe('Disruptions the PDB must allow right now (0 checks only that one exists and can ever allow one)'),
});

export default defineCheck({
  kind: 'kubernetes.pdb',
  summary: 'A PodDisruptionBudget protects the workload without blocking drains: it allows a disruption now and can ever allow one',
  description:
    "Finds the PodDisruptionBudgets whose selector matches the workload's pod template labels. Fails when there is " +
    'none, when one allows fewer than `minDisruptionsAllowed` disruptions now (`status.disruptionsAllowed`), and when ' +
    'one can never allow a disruption: `maxUnavailable: 0` (or 0%), or `minAvailable` (a number or a percentage) at ' +
    'least the replica count — 2 replicas with minAvailable 2 blocks every node drain.',
  params,
  observes: 'verdict',
  mutates: false,
  system: 'kubernetes',
  outputs: { pdbs: 'names of the PDBs that select the workload' },
  examples: ['- id: api-pdb\n  uses: kubernetes.pdb\n  with: { name: api }'],
  async run(p, ctx) {
    return withKube(ctx, p.namespace, async (kube) => {
      const [workload, all] = await readBoth(
        readWorkload(kube, p.kind, p.name),
        listNamespaced<K8s.V1PodDisruptionBudget>(kube, '/apis/policy/v1', 'poddisruptionbudgets', 'poddisruptionbudgets.policy'),
      );
      const labels = workload.spec?.template?.metadata?.labels ?? {};
      const namespace = kube.namespace;
      const pdbs = all.filter((pdb) => selectorMatches(pdb.spec?.selector, labels));
      const who = label(p.kind, p.name);
      if (!pdbs.length) return { status: 'fail', reasons: [`no PodDisruptionBudget in namespace ${namespace} selects ${who}`], outputs: { pdbs: [] } };
      const replicas = p.kind === 'DaemonSet' ? ((workload as K8s.V1DaemonSet).status?.desiredNumberScheduled ?? 0) : ((workload as K8s.V1Deployment).spec?.replicas ?? 1);
      const reasons: string[] = [];
      const rows = [];
      for (const pdb of pdbs) {
        const name = pdb.metadata?.name;
        const allowed = pdb.status?.disruptionsAllowed ?? 0;
        const never = neverAllows(pdb.spec, replicas);
        if (never) reasons.push(`PDB ${name} can never allow a disruption: ${never} — every drain of a node running ${who} blocks`);
        else if (allowed < p.minDisruptionsAllowed) {
          reasons.push(`PDB ${name} allows ${allowed} disruption(s) now, needs ${p.minDisruptionsAllowed} (healthy ${pdb.status?.currentHealthy ?? '?'}, desired ${pdb.status?.desiredHealthy ?? '?'})`);
        }
        rows.push({ pdb: name, minAvailable: pdb.spec?.minAvailable ?? '', maxUnavailable: pdb.spec?.maxUnavailable ?? '', disruptionsAllowed: allowed, replicas });
      }
      const outputs = { pdbs: pdbs.map((pdb) => pdb.metadata?.name) };
      if (reasons.length) return { status: 'fail', reasons, details: { rows, notes: reasons }, outputs };
      return { status: 'pass', reasons: pdbs.map((pdb) => `PDB ${pdb.metadata?.name} selects ${who} and allows ${pdb.status?.disruptionsAllowed ?? 0} disruption(s)`), details: { rows }, outputs };
    });
  },
});

/** Why a PDB spec can never allow a voluntary disruption for `replicas` pods, or undefined. */
export function neverAllows(spec: K8s.V1PodDisruptionBudgetSpec | undefined, replicas: number): string | undefined {
  if (spec?.maxUnavailable !== undefined) {
    const max = scaled(spec.maxUnavailable, replicas);
    return max <= 0 ? `maxUnavailable is ${spec.maxUnavailable}` : undefined;
  }
  if (spec?.minAvailable !== undefined) {
    const min = scaled(spec.minAvailable, replicas);
    return min >= replicas ? `minAvailable ${spec.minAvailable} ${typeof spec.minAvailable === 'number' ? (min === replicas ? 'equals' : 'exceeds') : 'covers'} replicas ${replicas}` : undefined;
  }
  return undefined;
}

// Percentages round up, as the disruption controller does.
function scaled(value: number | string, replicas: number): number {
  if (typeof value === 'number') return value;
  const percent = /^(\d+)%$/.exec(value);
  return percent ? Math.ceil((Number(percent[1]) * replicas) / 100) : Number(value);
}
