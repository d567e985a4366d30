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

const ns = (namespace: string) => `/namespaces/${encodeURIComponent(namespace)}`;
const query = (labelSelector?: string) => (labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '');

export async function readWorkload(kube: Kube, kind: WorkloadKind, name: string): Promise<Workload> {
  const namespace = kube.namespace;
  const target = { verb: 'get', resource: RESOURCE[kind], name, namespace };
  return kube.getJson<Workload>(target, `/apis/apps/v1${ns(namespace)}/${RESOURCE[kind]}/${encodeURIComponent(name)}`);
}

export async function listWorkloads(kube: Kube, kind: WorkloadKind, labelSelector?: string): Promise<Workload[]> {
  const namespace = kube.namespace;
  const target = { verb: 'list', resource: RESOURCE[kind], namespace };
  return (await kube.getJson<{ items?: Workload[] }>(target, `/apis/apps/v1${ns(namespace)}/${RESOURCE[kind]}${query(labelSelector)}`)).items ?? [];
}

export async function listPods(kube: Kube, labelSelector?: string): Promise<K8s.V1Pod[]> {
  const namespace = kube.namespace;
  return (await kube.getJson<K8s.V1PodList>({ verb: 'list', resource: 'pods', namespace }, `/api/v1${ns(namespace)}/pods${query(labelSelector)}`)).items ?? [];
}

/** A namespaced list of any group's resource (`/apis/policy/v1`, `poddisruptionbudgets`). */
export async function listNamespaced<T>(kube: Kube, groupVersionPath: string, resource: string, targetResource: string): Promise<T[]> {
  const namespace = kube.namespace;
  return (await kube.getJson<{ items?: T[] }>({ verb: 'list', resource: targetResource, namespace }, `${groupVersionPath}${ns(namespace)}/${resource}`)).items ?? [];
}

/** Two independent reads at once; a failure is the one a sequential read would have met first. */
export async function readBoth<A, B>(first: Promise<A>, second: Promise<B>): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled([first, second]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  return [a.value, b.value];
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
