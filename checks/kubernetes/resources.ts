import type { Kube } from './client.js';

export interface ResourcePath {
  /** `certificates.cert-manager.io`, `secrets` — as RBAC names it. */
  resource: string;
  /** `apps/v1`, `v1`. */
  apiVersion: string;
  kind: string;
  namespaced: boolean;
  /** The URL path of one object. */
  objectPath(namespace: string, name: string): string;
}

interface APIResource {
  name: string;
  kind: string;
  namespaced: boolean;
  singularName?: string;
  shortNames?: string[];
}

interface APIGroupList {
  groups?: Array<{ name: string; versions?: Array<{ version: string }>; preferredVersion?: { version: string } }>;
}

interface GroupVersion {
  group: string;
  version: string;
}

/** What the user wrote for `kind`, read as kubectl reads a resource argument. */
interface ResourceQuery {
  /** Lowercased: a Kind, plural, singular or short name. */
  name: string;
  group?: string;
  version?: string;
}

const VERSION = /^v\d+(?:(?:alpha|beta)\d+)?$/;

/**
 * Finds the REST resource of a kind as `kubectl get KIND` does: `kind` may be a Kind
 * (`Deployment`), a plural, singular or short name (`deploy`), or qualified with its group
 * (`deployments.apps`, `deployments.v1.apps`); matching ignores case. Without `apiVersion`
 * the core group is searched first, then every group the server lists, at its preferred
 * version. Discovery documents are read once per run.
 */
export async function resolveResource(kube: Kube, apiVersion: string | undefined, kind: string): Promise<ResourcePath | { error: string }> {
  const query = parseQuery(kind);
  const wanted = apiVersion ? parseApiVersion(apiVersion) : query.version !== undefined ? { group: query.group ?? '', version: query.version } : undefined;
  if (apiVersion && wanted && query.group !== undefined && query.group !== wanted.group) {
    return { error: `kind "${kind}" names group ${query.group || 'core'}, but apiVersion is ${apiVersion}` };
  }
  const notFound = { error: `the server doesn't have a resource type "${kind}"${apiVersion ? ` in ${apiVersion}` : ''} (as kubectl: a Kind, plural or short name, optionally .group; is the CRD installed?)` };
  if (wanted) {
    const resources = await readResources(kube, wanted);
    if (resources === undefined) return { error: `the API server does not serve ${formatGroupVersion(wanted)} (is the CRD installed?)` };
    const found = resources.find((r) => matches(r, query.name));
    return found ? toPath(wanted, found) : notFound;
  }
  // kubectl's order: the core group first (a core kind costs one discovery read), then the
  // groups in the order the server lists them, each at its preferred version first.
  if (query.group === undefined || query.group === '') {
    const core = { group: '', version: 'v1' };
    const found = (await readResources(kube, core))?.find((r) => matches(r, query.name));
    if (found) return toPath(core, found);
    if (query.group === '') return notFound;
  }
  for (const gv of await groupVersions(kube, query.group)) {
    const found = (await readResources(kube, gv))?.find((r) => matches(r, query.name));
    if (found) return toPath(gv, found);
  }
  return notFound;
}

function parseQuery(kind: string): ResourceQuery {
  const [name = '', ...rest] = kind.toLowerCase().split('.');
  if (rest.length === 0) return { name };
  if (rest.length > 1 && VERSION.test(rest[0]!)) return { name, version: rest[0]!, group: rest.slice(1).join('.') };
  return { name, group: rest.join('.') };
}

function parseApiVersion(apiVersion: string): GroupVersion {
  const slash = apiVersion.lastIndexOf('/');
  return slash === -1 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function matches(resource: APIResource, name: string): boolean {
  if (resource.name.includes('/')) return false;
  return (
    resource.kind.toLowerCase() === name ||
    resource.name === name ||
    (resource.singularName || resource.kind.toLowerCase()) === name ||
    (resource.shortNames ?? []).includes(name)
  );
}

async function groupVersions(kube: Kube, group: string | undefined): Promise<GroupVersion[]> {
  const list = await kube.remember('discovery /apis', () => kube.getJson<APIGroupList>({ verb: 'get', resource: 'discovery /apis' }, '/apis'));
  return (list.groups ?? [])
    .filter((g) => group === undefined || g.name === group)
    .flatMap((g) => {
      const preferred = g.preferredVersion?.version ?? g.versions?.[0]?.version;
      const others = (g.versions ?? []).map((v) => v.version).filter((v) => v !== preferred);
      return [preferred, ...others].filter((v): v is string => Boolean(v)).map((version) => ({ group: g.name, version }));
    });
}

function formatGroupVersion(gv: GroupVersion): string {
  return gv.group ? `${gv.group}/${gv.version}` : gv.version;
}

async function readResources(kube: Kube, gv: GroupVersion): Promise<APIResource[] | undefined> {
  const path = gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`;
  return kube.remember(`discovery ${path}`, async () => {
    try {
      const list = await kube.getJson<{ resources?: APIResource[] }>({ verb: 'get', resource: `discovery ${formatGroupVersion(gv)}` }, path);
      return list.resources ?? [];
    } catch (error) {
      // A group the cluster does not serve (cert-manager not installed) is worth saying plainly.
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  });
}

function toPath(gv: GroupVersion, found: APIResource): ResourcePath {
  const base = gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`;
  return {
    resource: gv.group ? `${found.name}.${gv.group}` : found.name,
    apiVersion: formatGroupVersion(gv),
    kind: found.kind,
    namespaced: found.namespaced,
    objectPath: (namespace, name) => `${base}${found.namespaced ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${found.name}/${encodeURIComponent(name)}`,
  };
}
