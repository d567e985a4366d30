import type { Kube } from './client.js';

export interface ResourcePath {
  /** `certificates.cert-manager.io`, `secrets` — as RBAC names it. */
  resource: string;
  namespaced: boolean;
  /** The URL path of one object. */
  objectPath(namespace: string, name: string): string;
}

interface APIResourceList {
  resources?: Array<{ name: string; kind: string; namespaced: boolean }>;
}

/** Finds the REST resource of (apiVersion, kind) by discovery, as kubectl does. */
export async function resolveResource(kube: Kube, apiVersion: string, kind: string): Promise<ResourcePath | { error: string }> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const list = await kube.getJson<APIResourceList>({ verb: 'get', resource: `discovery ${apiVersion}` }, base).catch((error: unknown) => {
    // A group the cluster does not serve (cert-manager not installed) is worth saying plainly.
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  });
  if (!list) return { error: `the API server does not serve ${apiVersion} (is the CRD installed?)` };
  const found = list.resources?.find((r) => r.kind === kind && !r.name.includes('/'));
  if (!found) return { error: `${apiVersion} has no kind ${kind} (kinds: ${(list.resources ?? []).filter((r) => !r.name.includes('/')).map((r) => r.kind).join(', ')})` };
  const resource = group ? `${found.name}.${group}` : found.name;
  return {
    resource,
    namespaced: found.namespaced,
    objectPath: (namespace, name) =>
      `${base}${found.namespaced ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${found.name}/${encodeURIComponent(name)}`,
  };
}
