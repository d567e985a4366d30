import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';

// Plain YAML handling of kubeconfig files, so the guard and childEnv cost no client-node
// import (~0.7 s) and behave like kubectl: KUBECONFIG is a list, the first file wins. `yaml`
// loads on the first read, not when `validate` loads the kinds' settings schema.

type Section = Record<string, unknown>;

export interface KubeconfigDocument {
  clusters: Array<{ name: string; cluster?: Section }>;
  users: Array<{ name: string; user?: Section }>;
  contexts: Array<{ name: string; context?: { cluster?: string; user?: string; namespace?: string } }>;
  'current-context'?: string;
}

export interface KubeconfigSource {
  kubeconfig?: string;
}

/** The files kubectl would read: the setting, else KUBECONFIG (colon-separated), else ~/.kube/config. */
export function kubeconfigPaths(settings: KubeconfigSource, cwd: string, env: Record<string, string | undefined>): string[] {
  if (settings.kubeconfig) return [isAbsolute(settings.kubeconfig) ? settings.kubeconfig : resolve(cwd, settings.kubeconfig)];
  const fromEnv = (env.KUBECONFIG ?? '').split(':').filter(Boolean);
  if (fromEnv.length) return fromEnv;
  return [join(env.HOME ?? '/root', '.kube', 'config')];
}

/** Reads and merges the files; a missing file in a KUBECONFIG list is skipped, as kubectl does. */
export async function readKubeconfig(paths: string[]): Promise<{ config: KubeconfigDocument; read: string[] }> {
  const config: KubeconfigDocument = { clusters: [], users: [], contexts: [] };
  const read: string[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      continue;
    }
    const { parse } = await import('yaml');
    const doc = (parse(text) ?? {}) as Partial<KubeconfigDocument>;
    read.push(path);
    const base = dirname(path);
    for (const list of ['clusters', 'users', 'contexts'] as const) {
      for (const entry of (doc[list] ?? []) as Array<{ name: string; cluster?: Section; user?: Section }>) {
        if (!entry?.name || config[list].some((e) => e.name === entry.name)) continue;
        config[list].push(absolutise(entry, base) as never);
      }
    }
    config['current-context'] ??= doc['current-context'];
  }
  return { config, read };
}

const FILE_FIELDS = ['certificate-authority', 'client-certificate', 'client-key', 'tokenFile'];

// Paths inside a kubeconfig are relative to that file; a copy elsewhere must keep them working.
function absolutise<T extends { cluster?: Section; user?: Section }>(entry: T, base: string): T {
  const copy = structuredClone(entry);
  for (const section of [copy.cluster, copy.user]) {
    if (!section) continue;
    for (const field of FILE_FIELDS) {
      const value = section[field];
      if (typeof value === 'string' && value && !isAbsolute(value)) section[field] = resolve(base, value);
    }
  }
  return copy;
}

/** Why `context` cannot be used, or undefined when it names a context with a cluster and a user. */
export function describeMissingContext(config: KubeconfigDocument, context: string, read: string[], paths: string[]): string | undefined {
  const where = read.length ? read.join(', ') : `${paths.join(', ')} (not readable)`;
  const entry = config.contexts.find((c) => c.name === context);
  if (!entry) {
    const known = config.contexts.map((c) => c.name);
    return `context "${context}" does not exist in ${where}` + (known.length ? ` (contexts: ${known.join(', ')})` : ' (no contexts)') +
      '; refusing to fall back to the current context';
  }
  const clusterName = entry.context?.cluster;
  if (!clusterName || !config.clusters.some((c) => c.name === clusterName)) return `context "${context}" names cluster "${clusterName ?? ''}", which is not in ${where}`;
  const userName = entry.context?.user;
  if (userName && !config.users.some((u) => u.name === userName)) return `context "${context}" names user "${userName}", which is not in ${where}`;
  return undefined;
}

/** A kubeconfig holding only `context` (its cluster and user), made current, with `namespace` as its default. */
export function confineToContext(config: KubeconfigDocument, context: string, namespace?: string): string {
  const entry = structuredClone(config.contexts.find((c) => c.name === context)!);
  if (namespace) entry.context = { ...entry.context, namespace };
  const clusters = config.clusters.filter((c) => c.name === entry.context?.cluster);
  const users = config.users.filter((u) => u.name === entry.context?.user);
  // JSON is YAML: kubectl and client-node read it as they read the original.
  return JSON.stringify({ apiVersion: 'v1', kind: 'Config', preferences: {}, clusters, users, contexts: [entry], 'current-context': context }, null, 2);
}

export type OpenedKubeconfig =
  | { ok: true; paths: string[]; config: KubeconfigDocument; context: string; /** A kubeconfig of that context alone, namespace applied. */ confined: string }
  | { ok: false; message: string };

/**
 * The one place a kubeconfig is opened: the files kubectl would read, the context checked to
 * exist (never a fall-back to the current one), and a copy confined to that context.
 */
export async function openKubeconfig(
  settings: KubeconfigSource & { context: string; namespace?: string },
  cwd: string,
  env: Record<string, string | undefined>,
): Promise<OpenedKubeconfig> {
  const paths = kubeconfigPaths(settings, cwd, env);
  const { config, read } = await readKubeconfig(paths);
  const missing = describeMissingContext(config, settings.context, read, paths);
  if (missing) return { ok: false, message: missing };
  return { ok: true, paths, config, context: settings.context, confined: confineToContext(config, settings.context, settings.namespace) };
}
