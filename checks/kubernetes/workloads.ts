import type * as K8s from '@kubernetes/client-node';
import { z } from 'zod';
import type { Kube } from './client.js';

export const workloadKind = z.enum(['Deployment', 'StatefulSet', 'DaemonSet']);
export type WorkloadKind = z.infer<typeof workloadKind>;

export const namespaceParam = z.string().min(1).optional().describe("Namespace; default: the environment's namespace");

export type Workload = K8s.V1Deployment | K8s.V1StatefulSet | K8s.V1DaemonSet;

const RESOURCE: Record<WorkloadKind, string> = { Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets' };

export function resourceOf(kind: WorkloadKind): string {
  return RESOURCE[kind];
}

export async function readWorkload(kube: Kube, kind: WorkloadKind, name: string): Promise<Workload> {
  const namespace = kube.namespace;
  const target = { verb: 'get', resource: RESOURCE[kind], name, namespace };
  if (kind === 'Deployment') return kube.call(target, (o) => kube.apps.readNamespacedDeployment({ name, namespace }, o));
  if (kind === 'StatefulSet') return kube.call(target, (o) => kube.apps.readNamespacedStatefulSet({ name, namespace }, o));
  return kube.call(target, (o) => kube.apps.readNamespacedDaemonSet({ name, namespace }, o));
}

export async function listWorkloads(kube: Kube, kind: WorkloadKind, labelSelector?: string): Promise<Workload[]> {
  const namespace = kube.namespace;
  const target = { verb: 'list', resource: RESOURCE[kind], namespace };
  if (kind === 'Deployment') return (await kube.call(target, (o) => kube.apps.listNamespacedDeployment({ namespace, labelSelector }, o))).items;
  if (kind === 'StatefulSet') return (await kube.call(target, (o) => kube.apps.listNamespacedStatefulSet({ namespace, labelSelector }, o))).items;
  return (await kube.call(target, (o) => kube.apps.listNamespacedDaemonSet({ namespace, labelSelector }, o))).items;
}

export async function listPods(kube: Kube, labelSelector?: string): Promise<K8s.V1Pod[]> {
  const namespace = kube.namespace;
  return (await kube.call({ verb: 'list', resource: 'pods', namespace }, (o) => kube.core.listNamespacedPod({ namespace, labelSelector }, o))).items;
}

/** A LabelSelector as the `labelSelector` query string (`a=b,c in (x,y)`). */
export function selectorToString(selector: K8s.V1LabelSelector | undefined): string {
  const terms = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') terms.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') terms.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') terms.push(e.key);
    else if (e.operator === 'DoesNotExist') terms.push(`!${e.key}`);
  }
  return terms.join(',');
}

/** Does a LabelSelector select these labels? An empty selector selects everything (as for PDBs). */
export function selectorMatches(selector: K8s.V1LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const value = labels[e.key];
    const values = e.values ?? [];
    if (e.operator === 'In' && (value === undefined || !values.includes(value))) return false;
    if (e.operator === 'NotIn' && value !== undefined && values.includes(value)) return false;
    if (e.operator === 'Exists' && value === undefined) return false;
    if (e.operator === 'DoesNotExist' && value !== undefined) return false;
  }
  return true;
}

export function label(kind: string, name: string | undefined): string {
  return `${kind}/${name ?? '?'}`;
}
